// A lean path through the same layers as the shared decoder, for bulk work on
// captures (learning, simulation, benchmarks): Ethernet (802.1Q/QinQ), Linux
// cooked v1/v2, raw IP and BSD loopback; ARP; IPv4 and IPv6 (extension
// headers); TCP and UDP ports, flags and where the payload lies. It fills one
// caller-owned, reused record with numbers instead of building an event with
// strings per packet, so millions of frames cost no garbage. IPv4 addresses
// and MACs are numbers; IPv6 addresses are text (rare on plant networks).
// (link type, frame bytes, record) → record filled. Never throws. Pure.

import { ipv6Text } from './decode-text.js';

/** The fields of one frame; reset by every `decodeFast` call. -1 marks what the frame does not have. */
export interface FastFrame {
  /** 48-bit MACs as numbers, -1 when the link type carries none. */
  srcMac: number;
  dstMac: number;
  etherType: number;
  /** 0 when the frame is not IP. */
  family: 0 | 4 | 6;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4: number;
  dst4: number;
  /** IPv6 addresses, canonical text; empty for IPv4. */
  src6: string;
  dst6: string;
  /** IANA protocol number, -1 when not IP. */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  tcpFlags: number;
  /** Transport payload as [payloadStart, payloadEnd) of the frame bytes (empty when none). */
  payloadStart: number;
  payloadEnd: number;
  /** ICMP type, -1 otherwise. */
  icmpType: number;
  /** A non-first fragment: no transport header. */
  fragment: boolean;
  /** ARP (Ethernet/IPv4): operation, sender and target addresses; arpOp -1 when not ARP. */
  arpOp: number;
  arpSenderMac: number;
  arpSenderIp: number;
  arpTargetIp: number;
  /** The frame stopped short or disagreed with itself; the fields before that point are good. */
  malformed: boolean;
}

/** A record to pass to `decodeFast` again and again. */
export function createFastFrame(): FastFrame {
  return {
    srcMac: -1,
    dstMac: -1,
    etherType: -1,
    family: 0,
    src4: 0,
    dst4: 0,
    src6: '',
    dst6: '',
    protocol: -1,
    srcPort: -1,
    dstPort: -1,
    tcpFlags: 0,
    payloadStart: 0,
    payloadEnd: 0,
    icmpType: -1,
    fragment: false,
    arpOp: -1,
    arpSenderMac: -1,
    arpSenderIp: 0,
    arpTargetIp: 0,
    malformed: false,
  };
}

function reset(f: FastFrame): void {
  f.srcMac = -1;
  f.dstMac = -1;
  f.etherType = -1;
  f.family = 0;
  f.src4 = 0;
  f.dst4 = 0;
  f.src6 = '';
  f.dst6 = '';
  f.protocol = -1;
  f.srcPort = -1;
  f.dstPort = -1;
  f.tcpFlags = 0;
  f.payloadStart = 0;
  f.payloadEnd = 0;
  f.icmpType = -1;
  f.fragment = false;
  f.arpOp = -1;
  f.arpSenderMac = -1;
  f.arpSenderIp = 0;
  f.arpTargetIp = 0;
  f.malformed = false;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function mac(b: Uint8Array, o: number): number {
  return u16(b, o) * 0x1_0000_0000 + u32(b, o + 2);
}

/**
 * Decodes the frame in `bytes[start, end)` (the whole array by default) of pcap
 * link type `linktype` into `f`; offsets in `f` index `bytes`. Returns false
 * when nothing was recognised.
 */
export function decodeFast(
  linktype: number,
  bytes: Uint8Array,
  f: FastFrame,
  start = 0,
  end = bytes.length,
): boolean {
  reset(f);
  const n = end - start;
  switch (linktype) {
    case 1:
      return ethernet(bytes, start, end, f);
    case 101:
    case 228:
    case 229:
      return ip(bytes, start, end, f);
    case 0:
    case 108:
      return n >= 4 && ip(bytes, start + 4, end, f);
    case 113:
      if (n < 16) return false;
      if (u16(bytes, start + 2) === 1 && u16(bytes, start + 4) === 6) f.srcMac = mac(bytes, start + 6);
      return l3(u16(bytes, start + 14), bytes, start + 16, end, f);
    case 276:
      if (n < 20) return false;
      if (u16(bytes, start + 8) === 1 && bytes[start + 11] === 6) f.srcMac = mac(bytes, start + 12);
      return l3(u16(bytes, start), bytes, start + 20, end, f);
    default:
      return false;
  }
}

function ethernet(b: Uint8Array, start: number, end: number, f: FastFrame): boolean {
  if (end - start < 14) return false;
  f.dstMac = mac(b, start);
  f.srcMac = mac(b, start + 6);
  let type = u16(b, start + 12);
  let at = start + 14;
  for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200; tags++) {
    if (tags === 4 || at + 4 > end) {
      f.malformed = true;
      return true;
    }
    type = u16(b, at + 2);
    at += 4;
  }
  return l3(type, b, at, end, f);
}

function l3(type: number, b: Uint8Array, at: number, end: number, f: FastFrame): boolean {
  f.etherType = type;
  if (type === 0x0800 || type === 0x86dd) return ip(b, at, end, f);
  if (type === 0x0806) {
    if (end - at < 28 || b[at + 4] !== 6 || b[at + 5] !== 4) {
      f.malformed = end - at < 28;
      return true;
    }
    f.arpOp = u16(b, at + 6);
    f.arpSenderMac = mac(b, at + 8);
    f.arpSenderIp = u32(b, at + 14);
    f.arpTargetIp = u32(b, at + 24);
  }
  return true;
}

function ip(b: Uint8Array, o: number, end: number, f: FastFrame): boolean {
  if (o >= end) return false;
  const version = b[o]! >> 4;
  if (version === 4) return ipv4(b, o, end, f);
  if (version === 6) return ipv6(b, o, end, f);
  f.malformed = true;
  return false;
}

function ipv4(b: Uint8Array, o: number, end: number, f: FastFrame): boolean {
  if (end - o < 20) {
    f.malformed = true;
    return false;
  }
  const ihl = (b[o]! & 0x0f) * 4;
  const total = u16(b, o + 2);
  f.family = 4;
  f.protocol = b[o + 9]!;
  f.src4 = u32(b, o + 12);
  f.dst4 = u32(b, o + 16);
  if (ihl < 20 || total < ihl || o + ihl > end) {
    f.malformed = true;
    return true;
  }
  if ((u16(b, o + 6) & 0x1fff) !== 0) {
    f.fragment = true;
    return true;
  }
  // A snap length cuts the bytes, an Ethernet pad lengthens them: the IP total length bounds the payload.
  transport(b, o + ihl, Math.min(end, o + total), f);
  return true;
}

function ipv6(b: Uint8Array, o: number, frameEnd: number, f: FastFrame): boolean {
  if (frameEnd - o < 40) {
    f.malformed = true;
    return false;
  }
  f.family = 6;
  f.src6 = ipv6Text(b, o + 8);
  f.dst6 = ipv6Text(b, o + 24);
  const length = u16(b, o + 4);
  const end = length === 0 ? frameEnd : Math.min(frameEnd, o + 40 + length);
  let next = b[o + 6]!;
  let at = o + 40;
  // RFC 8200 §4: hop-by-hop, routing, destination options and AH chain on with a length.
  for (let n = 0; n < 16; n++) {
    if (next === 0 || next === 43 || next === 60 || next === 51) {
      if (at + 2 > end) break;
      const len = next === 51 ? (b[at + 1]! + 2) * 4 : (b[at + 1]! + 1) * 8;
      next = b[at]!;
      at += len;
      continue;
    }
    if (next === 44) {
      if (at + 8 > end) break;
      const offset = u16(b, at + 2) >> 3;
      next = b[at]!;
      at += 8;
      if (offset !== 0) {
        f.protocol = next;
        f.fragment = true;
        return true;
      }
      continue;
    }
    f.protocol = next;
    if (at <= end) transport(b, at, end, f);
    else f.malformed = true;
    return true;
  }
  f.protocol = next;
  f.malformed = true;
  return true;
}

function transport(b: Uint8Array, at: number, end: number, f: FastFrame): void {
  const avail = end - at;
  const p = f.protocol;
  if (p === 6) {
    if (avail < 20) {
      f.malformed = true;
      if (avail >= 4) {
        f.srcPort = u16(b, at);
        f.dstPort = u16(b, at + 2);
      }
      return;
    }
    f.srcPort = u16(b, at);
    f.dstPort = u16(b, at + 2);
    f.tcpFlags = b[at + 13]!;
    const offset = (b[at + 12]! >> 4) * 4;
    if (offset < 20 || offset > avail) {
      f.malformed = true;
      return;
    }
    f.payloadStart = at + offset;
    f.payloadEnd = end;
    return;
  }
  if (p === 17) {
    if (avail < 8) {
      f.malformed = true;
      return;
    }
    f.srcPort = u16(b, at);
    f.dstPort = u16(b, at + 2);
    const length = u16(b, at + 4);
    if (length !== 0 && length < 8) {
      f.malformed = true;
      return;
    }
    f.payloadStart = at + 8;
    f.payloadEnd = length === 0 ? end : Math.min(end, at + length);
    return;
  }
  if (p === 1 || p === 58) {
    if (avail >= 1) f.icmpType = b[at]!;
  }
}

/** Dotted quad of an IPv4 address held as a number. */
export function ipv4FromNumber(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** `aa:bb:cc:dd:ee:ff` of a MAC held as a number. */
export function macFromNumber(n: number): string {
  return n
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}
