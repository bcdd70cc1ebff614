// IP layer of the shared packet decoder: IPv4 (options, fragments), IPv6
// (extension-header walk), and the transport headers behind them (TCP, UDP,
// ICMP, ICMPv6). Bare IP packet bytes → PacketEvent fields, never a throw:
// what cannot be decoded is named in `malformed`. Pure.

import { ipv4Text, ipv6Text, summarize } from './decode-text.js';
import type { EventOrigin, PacketEvent } from './packet-event.js';

/** What the intake knows about a packet besides its bytes. */
export interface DecodeContext {
  readonly timeMs: number;
  readonly origin: EventOrigin;
  readonly srcMac?: string;
  readonly dstMac?: string;
  readonly vlan?: number;
  /** Attach the transport payload (a view into the input bytes, not a copy). */
  readonly payload?: boolean;
  /** Bytes on the wire when the input was cut short (capture snap length, NFLOG copy range). */
  readonly wireLength?: number;
}

/** A decoded packet, or why nothing useful could be read from it. */
export type Decoded =
  | { readonly ok: true; readonly event: PacketEvent }
  | { readonly ok: false; readonly malformed: string };

/** A PacketEvent under construction: fields appear only once decoded. */
export type Draft = { -readonly [K in keyof PacketEvent]?: PacketEvent[K] };

const TCP_FLAG_LETTERS = 'FSRPAUEC';
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
/** IPv6 headers that chain on with a length (RFC 8200 §4: hop-by-hop, routing, destination options). */
const EXT_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_AH = 51;
const EXT_NONE = 59;
const EXT_DEST = 60;
/** More chained headers than any real packet has: a loop guard, not a limit of the protocol. */
const MAX_EXT_HEADERS = 16;

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Starts a draft from the context. */
export function draftOf(ctx: DecodeContext): Draft {
  const d: Draft = { timeMs: ctx.timeMs, origin: ctx.origin };
  if (ctx.srcMac !== undefined) d.srcMac = ctx.srcMac;
  if (ctx.dstMac !== undefined) d.dstMac = ctx.dstMac;
  if (ctx.vlan !== undefined) d.vlan = ctx.vlan;
  return d;
}

/** Seals a draft into an event, with its summary and, if any, why it stopped. */
export function finish(d: Draft, malformed: string | undefined): Decoded {
  if (malformed !== undefined) d.malformed = malformed;
  if (d.length === undefined) d.length = 0;
  d.summary = summarize(d);
  return { ok: true, event: d as PacketEvent };
}

/** Decodes a bare IP packet (the NFLOG payload of the inet family, or a RAW capture). */
export function decodeIpPacket(bytes: Uint8Array, ctx: DecodeContext): Decoded {
  if (bytes.length === 0) return { ok: false, malformed: 'ip: empty packet' };
  const d = draftOf(ctx);
  const version = bytes[0]! >> 4;
  if (version !== 4 && version !== 6) return { ok: false, malformed: `ip: version ${version}` };
  return finish(d, decodeIpInto(d, bytes, 0, ctx));
}

/** Decodes the IP packet at `offset` into `d`; returns why it stopped early, if it did. */
export function decodeIpInto(
  d: Draft,
  b: Uint8Array,
  offset: number,
  ctx: DecodeContext,
): string | undefined {
  const version = offset < b.length ? b[offset]! >> 4 : 0;
  if (version === 4) return decodeIpv4(d, b, offset, ctx);
  if (version === 6) return decodeIpv6(d, b, offset, ctx);
  d.length = Math.max(0, (ctx.wireLength ?? b.length) - offset);
  return offset < b.length ? `ip: version ${version}` : 'ip: truncated';
}

function decodeIpv4(d: Draft, b: Uint8Array, o: number, ctx: DecodeContext): string | undefined {
  d.family = 4;
  const avail = b.length - o;
  if (avail < 20) {
    d.length = Math.max(avail, (ctx.wireLength ?? b.length) - o);
    return 'ipv4: truncated header';
  }
  const ihl = (b[o]! & 0x0f) * 4;
  const total = u16(b, o + 2);
  d.protocol = b[o + 9]!;
  d.srcIp = ipv4Text(b, o + 12);
  d.dstIp = ipv4Text(b, o + 16);
  // A copy range or snap length cuts the bytes, not the packet: total length is what was sent.
  d.length = total;
  if (ihl < 20) return `ipv4: header length ${ihl}`;
  if (total < ihl) return `ipv4: total length ${total} < header ${ihl}`;
  if (ihl > avail) return 'ipv4: truncated options';
  const fragOffset = u16(b, o + 6) & 0x1fff;
  d.l4 = l4Name(d.protocol);
  if (fragOffset !== 0) {
    d.fragment = true;
    return undefined;
  }
  return decodeL4(d, b, o + ihl, Math.min(b.length, o + total), ctx);
}

function decodeIpv6(d: Draft, b: Uint8Array, o: number, ctx: DecodeContext): string | undefined {
  d.family = 6;
  const avail = b.length - o;
  if (avail < 40) {
    d.length = Math.max(avail, (ctx.wireLength ?? b.length) - o);
    return 'ipv6: truncated header';
  }
  const payloadLength = u16(b, o + 4);
  d.srcIp = ipv6Text(b, o + 8);
  d.dstIp = ipv6Text(b, o + 24);
  // Payload length 0 is a jumbogram (RFC 2675): the length is in a hop-by-hop option; use what we have.
  d.length = payloadLength === 0 ? Math.max(avail, (ctx.wireLength ?? b.length) - o) : 40 + payloadLength;
  const end = Math.min(b.length, o + d.length);
  let next = b[o + 6]!;
  let at = o + 40;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next === EXT_HOP || next === EXT_ROUTING || next === EXT_DEST || next === EXT_AH) {
      if (at + 2 > end) {
        d.protocol = next;
        return 'ipv6: truncated extension header';
      }
      // AH counts its length in 4-octet units minus 2 (RFC 4302 §2.2); the others in 8-octet units minus 1.
      const length = next === EXT_AH ? (b[at + 1]! + 2) * 4 : (b[at + 1]! + 1) * 8;
      next = b[at]!;
      at += length;
      continue;
    }
    if (next === EXT_FRAGMENT) {
      if (at + 8 > end) {
        d.protocol = next;
        return 'ipv6: truncated fragment header';
      }
      const fragOffset = u16(b, at + 2) >> 3;
      next = b[at]!;
      at += 8;
      if (fragOffset !== 0) {
        d.protocol = next;
        d.l4 = l4Name(next);
        d.fragment = true;
        return undefined;
      }
      continue;
    }
    d.protocol = next;
    if (next === EXT_NONE) {
      d.l4 = 'other';
      return undefined;
    }
    d.l4 = l4Name(next);
    if (at > end) return 'ipv6: extension headers run past the packet';
    return decodeL4(d, b, at, end, ctx);
  }
  d.protocol = next;
  return 'ipv6: too many extension headers';
}

function l4Name(protocol: number): NonNullable<PacketEvent['l4']> {
  switch (protocol) {
    case PROTO_TCP:
      return 'tcp';
    case PROTO_UDP:
      return 'udp';
    case PROTO_ICMP:
      return 'icmp';
    case PROTO_ICMPV6:
      return 'icmpv6';
    default:
      return 'other';
  }
}

function decodeL4(d: Draft, b: Uint8Array, at: number, end: number, ctx: DecodeContext): string | undefined {
  const avail = end - at;
  switch (d.protocol) {
    case PROTO_TCP: {
      if (avail < 4) return 'tcp: truncated header';
      d.srcPort = u16(b, at);
      d.dstPort = u16(b, at + 2);
      if (avail < 14) return 'tcp: truncated header';
      const flags = b[at + 13]!;
      let letters = '';
      for (let i = 0; i < 8; i++) if (flags & (1 << i)) letters += TCP_FLAG_LETTERS[i];
      d.tcpFlags = letters;
      const dataOffset = (b[at + 12]! >> 4) * 4;
      if (dataOffset < 20) return `tcp: data offset ${dataOffset}`;
      // Options (MSS, SACK, timestamps…) are skipped: nothing downstream needs them.
      if (dataOffset > avail) return avail < 20 ? 'tcp: truncated header' : 'tcp: truncated options';
      if (ctx.payload) d.payload = b.subarray(at + dataOffset, end);
      return undefined;
    }
    case PROTO_UDP: {
      if (avail < 4) return 'udp: truncated header';
      d.srcPort = u16(b, at);
      d.dstPort = u16(b, at + 2);
      if (avail < 8) return 'udp: truncated header';
      const udpLength = u16(b, at + 4);
      // RFC 768: length covers header and data; 0 is legal only for IPv6 jumbograms (RFC 2675).
      if (udpLength !== 0 && udpLength < 8) return `udp: length ${udpLength}`;
      if (ctx.payload) d.payload = b.subarray(at + 8, udpLength === 0 ? end : Math.min(end, at + udpLength));
      return undefined;
    }
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
      if (avail < 2) return `${d.l4}: truncated header`;
      d.icmpType = b[at]!;
      d.icmpCode = b[at + 1]!;
      if (ctx.payload && avail >= 4) d.payload = b.subarray(at + 4, end);
      return undefined;
    }
    default:
      if (ctx.payload) d.payload = b.subarray(at, end);
      return undefined;
  }
}
