import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../net/address.js';
import { decodeFrame, decodeIpPacket, decodeL3, decodeLinkLayer, LINKTYPE } from './decode-frame.js';
import type { DecodeContext } from './decode-ip.js';
import { ipv6Text } from './decode-text.js';
import {
  arp,
  bytes,
  ethernet,
  icmp,
  ipv4Packet,
  ipv6Extension,
  ipv6Fragment,
  ipv6Packet,
  tcp,
  udp,
} from './packet-builder.js';
import type { PacketEvent } from './packet-event.js';

const ctx: DecodeContext = { timeMs: 1000, origin: 'capture' };
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

function event(result: ReturnType<typeof decodeFrame>): PacketEvent {
  if (!result.ok) throw new Error(`expected an event, got malformed: ${result.malformed}`);
  return result.event;
}

const modbusSyn = ipv4Packet(
  { src: '10.20.0.66', dst: '10.20.1.10', protocol: 6 },
  tcp({ sport: 40123, dport: 502, flags: SYN, optionBytes: 4 }),
);

describe('decodeFrame', () => {
  it('reads Ethernet, IPv4 and TCP with options into the fields detectors use', () => {
    const e = event(
      decodeFrame(
        ethernet({ src: '00:1b:1b:12:34:56', dst: '00:0e:8c:00:00:01', type: 0x0800 }, modbusSyn),
        ctx,
      ),
    );
    expect(e).toMatchObject({
      timeMs: 1000,
      origin: 'capture',
      srcMac: '00:1b:1b:12:34:56',
      dstMac: '00:0e:8c:00:00:01',
      etherType: 0x0800,
      family: 4,
      srcIp: '10.20.0.66',
      dstIp: '10.20.1.10',
      l4: 'tcp',
      protocol: 6,
      srcPort: 40123,
      dstPort: 502,
      tcpFlags: 'S',
      length: 44,
    });
    expect(e.malformed).toBeUndefined();
    expect(e.summary).toBe('10.20.0.66:40123 → 10.20.1.10:502 tcp S len 44');
  });

  it.each([
    ['802.1Q', [[0x8100, 20]] as [number, number][], 20, undefined],
    [
      'QinQ 802.1ad + 802.1Q',
      [
        [0x88a8, 100],
        [0x8100, 20],
      ] as [number, number][],
      100,
      20,
    ],
    [
      'pre-standard QinQ 0x9100',
      [
        [0x9100, 7],
        [0x8100, 4095],
      ] as [number, number][],
      7,
      4095,
    ],
  ])('takes VLAN ids from %s tags', (_name, vlans, outer, inner) => {
    const e = event(decodeFrame(ethernet({ type: 0x0800, vlans }, modbusSyn), ctx));
    expect(e.vlan).toBe(outer);
    expect(e.innerVlan).toBe(inner);
    expect(e.dstPort).toBe(502);
  });

  it.each([
    [1, 'arp who-has 10.20.1.99 tell 10.20.0.66 (02:00:00:00:00:66) len 42'],
    [2, 'arp reply 10.20.0.66 is-at 02:00:00:00:00:66 len 42'],
  ])('reads ARP op %d', (op, summary) => {
    const body = arp({ op, senderMac: '02:00:00:00:00:66', senderIp: '10.20.0.66', targetIp: '10.20.1.99' });
    const e = event(decodeFrame(ethernet({ type: 0x0806 }, body), ctx));
    expect(e.arp).toEqual({
      op,
      senderMac: '02:00:00:00:00:66',
      senderIp: '10.20.0.66',
      targetIp: '10.20.1.99',
    });
    expect(e.etherType).toBe(0x0806);
    expect(e.summary).toBe(summary);
  });

  it('keeps industrial L2 frames as EtherType and length (PROFINET, GOOSE)', () => {
    const e = event(decodeFrame(ethernet({ type: 0x8892 }, new Uint8Array(46)), { ...ctx, payload: true }));
    expect(e).toMatchObject({ etherType: 0x8892, length: 60 });
    expect(e.payload?.length).toBe(46);
    expect(e.summary).toBe('02:00:00:00:00:01 → ff:ff:ff:ff:ff:ff ethertype 0x8892 len 60');
  });

  it('reads an 802.3 length field as no EtherType', () => {
    const e = event(decodeFrame(ethernet({ type: 38 }, new Uint8Array(38)), ctx));
    expect(e.etherType).toBeUndefined();
    expect(e.summary).toContain('802.3');
  });

  it('says what is wrong with a cut or inconsistent frame, keeping what it could read', () => {
    expect(decodeFrame(new Uint8Array(13), ctx)).toEqual({ ok: false, malformed: 'ethernet: 13-byte frame' });
    const cut = event(decodeFrame(ethernet({ type: 0x0800 }, modbusSyn.subarray(0, 10)), ctx));
    expect(cut.malformed).toBe('ipv4: truncated header');
    expect(cut.etherType).toBe(0x0800);
    const v6under4 = event(decodeFrame(ethernet({ type: 0x0800 }, new Uint8Array([0x60, 0, 0, 0])), ctx));
    expect(v6under4.malformed).toBe('ip: version 6 under ethertype 0x800');
    const tag = event(decodeFrame(bytes(new Uint8Array(12), [0x81, 0, 0]), ctx));
    expect(tag.malformed).toBe('vlan: truncated tag');
  });

  it('counts the wire length, not the snap length, of a cut frame', () => {
    const frame = ethernet(
      { type: 0x0800 },
      ipv4Packet(
        { src: '1.2.3.4', dst: '5.6.7.8', protocol: 17 },
        udp({ sport: 1, dport: 2 }, new Uint8Array(1000)),
      ),
    );
    const e = event(decodeFrame(frame.subarray(0, 64), { ...ctx, wireLength: frame.length }));
    expect(e).toMatchObject({ length: 1028, srcPort: 1, dstPort: 2 });
    expect(e.malformed).toBeUndefined();
  });
});

describe('decodeIpPacket', () => {
  it('reads IPv4 options and UDP, with the payload on request', () => {
    const p = ipv4Packet(
      { src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, options: [1, 1, 1, 0] },
      udp({ sport: 47808, dport: 47808 }, new Uint8Array([0x81, 0x0b])),
    );
    const e = event(decodeIpPacket(p, { ...ctx, payload: true }));
    expect(e).toMatchObject({ family: 4, l4: 'udp', srcPort: 47808, dstPort: 47808, length: 34 });
    expect([...(e.payload ?? [])]).toEqual([0x81, 0x0b]);
  });

  it('gives ports only to the first IPv4 fragment', () => {
    const first = ipv4Packet(
      { src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, moreFragments: true },
      udp({ sport: 5000, dport: 20000 }, new Uint8Array(16)),
    );
    const second = ipv4Packet(
      { src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, fragmentOffset: 24 },
      new Uint8Array(16),
    );
    expect(event(decodeIpPacket(first, ctx))).toMatchObject({ srcPort: 5000, dstPort: 20000 });
    const rest = event(decodeIpPacket(second, ctx));
    expect(rest).toMatchObject({ l4: 'udp', protocol: 17, fragment: true });
    expect(rest.srcPort).toBeUndefined();
    expect(rest.summary).toBe('10.0.0.1 → 10.0.0.2 udp frag len 36');
  });

  it('walks IPv6 hop-by-hop, routing and destination options to TCP', () => {
    const p = ipv6Packet(
      {
        src: '2001:db8::66',
        dst: '2001:db8:0:1::10',
        protocol: 6,
        extensions: [
          [0, ipv6Extension()],
          [43, ipv6Extension(1)],
          [60, ipv6Extension()],
        ],
      },
      tcp({ sport: 40000, dport: 102, flags: PSH | ACK }),
    );
    const e = event(decodeIpPacket(p, ctx));
    expect(e).toMatchObject({
      family: 6,
      protocol: 6,
      l4: 'tcp',
      srcPort: 40000,
      dstPort: 102,
      tcpFlags: 'PA',
      length: p.length,
    });
    expect(e.summary).toBe(`[2001:db8::66]:40000 → [2001:db8:0:1::10]:102 tcp PA len ${p.length}`);
  });

  it('gives ports only to the first IPv6 fragment', () => {
    const first = ipv6Packet(
      { src: 'fe80::1', dst: 'ff02::1', protocol: 17, extensions: [[44, ipv6Fragment(0, true)]] },
      udp({ sport: 546, dport: 547 }),
    );
    const later = ipv6Packet(
      { src: 'fe80::1', dst: 'ff02::1', protocol: 17, extensions: [[44, ipv6Fragment(1232, false)]] },
      new Uint8Array(8),
    );
    expect(event(decodeIpPacket(first, ctx))).toMatchObject({ protocol: 17, srcPort: 546, dstPort: 547 });
    const rest = event(decodeIpPacket(later, ctx));
    expect(rest).toMatchObject({ protocol: 17, fragment: true });
    expect(rest.dstPort).toBeUndefined();
  });

  it.each([
    [
      'ICMP echo',
      ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1 }, icmp(8, 0)),
      'icmp',
      8,
      '10.0.0.1 → 10.0.0.2 icmp 8/0 len 28',
    ],
    [
      'ICMPv6 neighbour solicitation',
      ipv6Packet({ src: 'fe80::1', dst: 'ff02::1:ff00:2', protocol: 58 }, icmp(135, 0, new Uint8Array(20))),
      'icmpv6',
      135,
      'fe80::1 → ff02::1:ff00:2 icmpv6 135/0 len 64',
    ],
  ])('reads %s', (_name, p, l4, type, summary) => {
    const e = event(decodeIpPacket(p, ctx));
    expect(e).toMatchObject({ l4, icmpType: type, icmpCode: 0 });
    expect(e.summary).toBe(summary);
  });

  it.each([
    ['F S R P A U E C order', 0xff, 'FSRPAUEC'],
    ['SYN-ACK', SYN | ACK, 'SA'],
    ['reset', 0x04, 'R'],
    ['null scan', 0, ''],
  ])('writes TCP flags as letters: %s', (_name, flags, letters) => {
    const p = ipv4Packet(
      { src: '10.0.0.1', dst: '10.0.0.2', protocol: 6 },
      tcp({ sport: 1, dport: 2, flags }),
    );
    expect(event(decodeIpPacket(p, ctx)).tcpFlags).toBe(letters);
  });

  it.each([
    ['empty', new Uint8Array(0), false, 'ip: empty packet'],
    ['version 5', new Uint8Array([0x50, 0, 0, 0]), false, 'ip: version 5'],
    ['IPv4 header length 16', bytes([0x44], new Uint8Array(19)), true, 'ipv4: header length 16'],
    [
      'IPv4 options cut',
      ipv4Packet(
        { src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, options: [1, 1, 1, 1] },
        new Uint8Array(0),
      ).subarray(0, 22),
      true,
      'ipv4: truncated options',
    ],
    [
      'TCP cut after ports',
      ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6 }, new Uint8Array(6)),
      true,
      'tcp: truncated header',
    ],
    [
      'TCP data offset 4',
      ipv4Packet(
        { src: '1.1.1.1', dst: '2.2.2.2', protocol: 6 },
        bytes(new Uint8Array(12), [0x10], new Uint8Array(7)),
      ),
      true,
      'tcp: data offset 4',
    ],
    [
      'UDP length 3',
      ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17 }, new Uint8Array([0, 1, 0, 2, 0, 3, 0, 0])),
      true,
      'udp: length 3',
    ],
    ['IPv6 cut', new Uint8Array([0x60, 0, 0, 0, 0, 0, 6, 64]), true, 'ipv6: truncated header'],
    [
      'IPv6 extension longer than the packet',
      ipv6Packet(
        { src: '::1', dst: '::1', protocol: 6, extensions: [[0, bytes([0, 3], new Uint8Array(6))]] },
        new Uint8Array(0),
      ),
      true,
      'ipv6: extension headers run past the packet',
    ],
  ])('names what is wrong: %s', (_name, p, hasEvent, why) => {
    const r = decodeIpPacket(p, ctx);
    expect(r.ok).toBe(hasEvent);
    expect(r.ok ? r.event.malformed : r.malformed).toBe(why);
    if (r.ok) expect(r.event.summary).toContain(`[malformed: ${why}]`);
  });
});

describe('decodeL3 and decodeLinkLayer', () => {
  it('reads a bridge-family NFLOG payload by its EtherType', () => {
    const e = event(
      decodeL3(
        0x0806,
        arp({ op: 1, senderMac: '02:00:00:00:00:66', senderIp: '10.0.0.66', targetIp: '10.0.0.1' }),
        ctx,
      ),
    );
    expect(e.arp?.targetIp).toBe('10.0.0.1');
  });

  it.each([
    ['raw IP', LINKTYPE.raw, modbusSyn, undefined],
    [
      'Linux cooked v1',
      LINKTYPE.linuxSll,
      bytes([0, 0, 0, 1, 0, 6, 0, 0x1b, 0x1b, 0x12, 0x34, 0x56, 0, 0, 8, 0], modbusSyn),
      '00:1b:1b:12:34:56',
    ],
    [
      'Linux cooked v2',
      LINKTYPE.linuxSll2,
      bytes([8, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 0x1b, 0x1b, 0x12, 0x34, 0x56, 0, 0], modbusSyn),
      '00:1b:1b:12:34:56',
    ],
    ['BSD loopback', LINKTYPE.null, bytes([2, 0, 0, 0], modbusSyn), undefined],
  ])('reads %s captures', (_name, linktype, frame, srcMac) => {
    const e = event(decodeLinkLayer(linktype, frame, ctx));
    expect(e).toMatchObject({ srcIp: '10.20.0.66', dstPort: 502, length: 44 });
    expect(e.srcMac).toBe(srcMac);
  });

  it('refuses a link type it does not know', () => {
    expect(decodeLinkLayer(147, new Uint8Array(20), ctx)).toEqual({
      ok: false,
      malformed: 'capture: link type 147 not supported',
    });
  });
});

describe('ipv6Text', () => {
  it('formats every address as src/net/address.ts does (RFC 5952)', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    const fixed = [
      '::',
      '::1',
      '1::',
      '2001:db8::1',
      '2001:db8:0:1:0:0:0:1',
      '::ffff:10.0.0.1',
      '0:0:1::',
      'fe80::1:0:0:1',
    ];
    const samples = fixed.map((t) => parseAddress(t)!.value);
    for (let i = 0; i < 2000; i++) {
      let v = 0n;
      // Mostly zero groups, so runs of zeros of every length and position appear.
      for (let g = 0; g < 8; g++) v = (v << 16n) | BigInt(next() % 3 === 0 ? next() : 0);
      samples.push(v);
    }
    for (const value of samples) {
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = Number((value >> BigInt((15 - i) * 8)) & 0xffn);
      expect(ipv6Text(b, 0)).toBe(formatAddress({ family: 6, value }));
    }
  });
});
