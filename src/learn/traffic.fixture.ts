// Synthetic plant traffic for the learner's tests: Ethernet frames of TCP
// connections (SYN, SYN-ACK, requests and replies), UDP, ARP, and the
// Modbus, S7 and DNP3 requests inside them, built with the packet builder.
// Fields → frames fed to a learner. Pure.

import { arp, bytes, ethernet, ipv4Packet, tcp, udp } from '../sense/packet-builder.js';
import { dnp3Crc } from '../sense/protocols/dnp3.js';
import type { Learner } from './learner.js';

export const SYN = 0x02;
export const SYN_ACK = 0x12;
export const PSH_ACK = 0x18;
export const RST_ACK = 0x14;

/** A MAC derived from an IPv4 address, so each host has its own (locally administered). */
export function macOf(ip: string): string {
  const [, , c, d] = ip.split('.').map(Number);
  return `02:00:00:00:${(c ?? 0).toString(16).padStart(2, '0')}:${(d ?? 0).toString(16).padStart(2, '0')}`;
}

/** An Ethernet/IPv4/TCP frame. */
export function tcpFrame(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
  srcMac = macOf(src),
): Uint8Array {
  const seg = tcp({ sport, dport, flags }, payload as Uint8Array<ArrayBuffer>);
  return ethernet({ src: srcMac, dst: macOf(dst), type: 0x0800 }, ipv4Packet({ src, dst, protocol: 6 }, seg));
}

/** An Ethernet/IPv4/UDP frame (to the broadcast MAC when `dstMac` says so). */
export function udpFrame(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  payload: Uint8Array = new Uint8Array(4),
  dstMac = macOf(dst),
): Uint8Array {
  const dgram = udp({ sport, dport }, payload as Uint8Array<ArrayBuffer>);
  return ethernet(
    { src: macOf(src), dst: dstMac, type: 0x0800 },
    ipv4Packet({ src, dst, protocol: 17 }, dgram),
  );
}

/** An ARP request from `senderIp` for `targetIp`. */
export function arpRequest(senderIp: string, targetIp: string): Uint8Array {
  return ethernet(
    { src: macOf(senderIp), type: 0x0806 },
    arp({ op: 1, senderMac: macOf(senderIp), senderIp, targetIp }),
  );
}

/** A Modbus/TCP request ADU: `words` after the function code (address, quantity or value…). */
export function modbusRequest(
  unit: number,
  fc: number,
  words: readonly number[],
  extra: readonly number[] = [],
) {
  const pdu = [fc, ...words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]), ...extra];
  const length = pdu.length + 1;
  return Uint8Array.from([0, 1, 0, 0, length >> 8, length & 0xff, unit, ...pdu]);
}

/** A TPKT/COTP DT carrying an S7 job with parameters `params` (first byte the function). */
export function s7Job(params: readonly number[]): Uint8Array {
  const s7 = [0x32, 0x01, 0, 0, 0, 1, 0, params.length, 0, 0, ...params];
  const length = 7 + s7.length;
  return Uint8Array.from([3, 0, length >> 8, length & 0xff, 2, 0xf0, 0x80, ...s7]);
}

/** S7 read of one DB1 item. */
export const S7_READ = s7Job([
  0x04, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x04, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00,
]);
/** S7 request download (function 0x1a) with a minimal parameter block. */
export const S7_DOWNLOAD = s7Job([0x1a, 0, 0, 0, 0, 0, 0, 0, 0]);

/** A DNP3 link frame from master `src` to outstation `dst` carrying application function `fc`. */
export function dnp3Request(fc: number, dst = 1, src = 3): Uint8Array {
  const header = [0x05, 0x64, 5 + 3, 0xc4, dst & 0xff, dst >> 8, src & 0xff, src >> 8];
  const h = Uint8Array.from(header);
  const hcrc = dnp3Crc(h, 0, 8);
  const data = Uint8Array.from([0xc0, 0xc0, fc]);
  const dcrc = dnp3Crc(data, 0, 3);
  return bytes(h, [hcrc & 0xff, hcrc >> 8], data, [dcrc & 0xff, dcrc >> 8]);
}

/** A connection: SYN, SYN-ACK, then each request and its reply, `gapMs` apart; returns the last time. */
export function connection(
  learner: Learner,
  o: {
    client: string;
    server: string;
    port: number;
    clientPort?: number;
    requests: readonly Uint8Array[];
    startMs: number;
    gapMs?: number;
    repeat?: number;
  },
): number {
  const sport = o.clientPort ?? 40_000;
  const gap = o.gapMs ?? 100;
  let t = o.startMs;
  learner.observe(t, 1, tcpFrame(o.client, o.server, sport, o.port, SYN));
  learner.observe(t + 1, 1, tcpFrame(o.server, o.client, o.port, sport, SYN_ACK));
  for (let r = 0; r < (o.repeat ?? 1); r++) {
    for (const req of o.requests) {
      t += gap;
      learner.observe(t, 1, tcpFrame(o.client, o.server, sport, o.port, PSH_ACK, req));
      // The reply echoes the request: same protocol header, which is all the learner looks at in replies.
      learner.observe(t + 1, 1, tcpFrame(o.server, o.client, o.port, sport, PSH_ACK, req));
    }
  }
  return t;
}
