import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from './capture-file.js';
import { createFastFrame, decodeFast, ipv4FromNumber, macFromNumber } from './decode-fast.js';
import { decodeLinkLayer } from './decode-frame.js';
import { arp, ethernet, ipv4Packet, tcp, udp } from './packet-builder.js';

const pcaps = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');

describe('decodeFast', () => {
  it('reads addresses, ports, flags and the payload of a tagged TCP frame', () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const frame = ethernet(
      { src: '00:80:f4:01:02:03', dst: '00:1b:1b:0a:0b:0c', type: 0x0800, vlans: [[0x8100, 7]] },
      ipv4Packet(
        { src: '10.20.0.50', dst: '10.20.1.10', protocol: 6 },
        tcp({ sport: 40000, dport: 502, flags: 0x18 }, payload),
      ),
    );
    const f = createFastFrame();
    expect(decodeFast(1, frame, f)).toBe(true);
    expect([ipv4FromNumber(f.src4), ipv4FromNumber(f.dst4), f.srcPort, f.dstPort, f.tcpFlags]).toEqual([
      '10.20.0.50',
      '10.20.1.10',
      40000,
      502,
      0x18,
    ]);
    expect(macFromNumber(f.srcMac)).toBe('00:80:f4:01:02:03');
    expect([...frame.subarray(f.payloadStart, f.payloadEnd)]).toEqual([1, 2, 3]);
  });

  it('reads ARP and UDP', () => {
    const f = createFastFrame();
    decodeFast(
      1,
      ethernet(
        { type: 0x0806 },
        arp({ op: 1, senderMac: '02:00:00:00:00:09', senderIp: '10.0.0.9', targetIp: '10.0.0.1' }),
      ),
      f,
    );
    expect([f.arpOp, macFromNumber(f.arpSenderMac), ipv4FromNumber(f.arpTargetIp)]).toEqual([
      1,
      '02:00:00:00:00:09',
      '10.0.0.1',
    ]);
    decodeFast(
      101,
      ipv4Packet(
        { src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 },
        udp({ sport: 47808, dport: 47808 }, Uint8Array.from([0x81])),
      ),
      f,
    );
    expect([f.protocol, f.srcPort, f.payloadEnd - f.payloadStart]).toEqual([17, 47808, 1]);
  });

  it('never throws on cut frames', () => {
    const frame = ethernet(
      { type: 0x0800 },
      ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 6 }, tcp({ sport: 1, dport: 2, flags: 2 })),
    );
    const f = createFastFrame();
    for (let n = 0; n <= frame.length; n++)
      for (const lt of [0, 1, 101, 113, 276]) decodeFast(lt, frame.subarray(0, n), f);
  });

  it('agrees with the shared decoder on the public captures', () => {
    const f = createFastFrame();
    let compared = 0;
    const differing: string[] = [];
    for (const dir of ['modbus', 'dnp3']) {
      for (const name of readdirSync(join(pcaps, dir))) {
        readCaptureFile(join(pcaps, dir, name), (frame) => {
          const d = decodeLinkLayer(frame.linktype, frame.data, { timeMs: 0, origin: 'capture' });
          decodeFast(frame.linktype, frame.data, f);
          if (!d.ok || d.event.family !== 4 || d.event.malformed !== undefined) return;
          compared++;
          const port = f.dstPort === -1 ? undefined : f.dstPort;
          if (
            ipv4FromNumber(f.src4) !== d.event.srcIp ||
            ipv4FromNumber(f.dst4) !== d.event.dstIp ||
            port !== d.event.dstPort
          ) {
            differing.push(d.event.summary);
          }
        });
      }
    }
    expect(differing).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
  });
});
