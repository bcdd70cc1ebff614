// The verdict decoder: only the fields a firewall verdict needs — VLAN tags as
// the bridge table and br_netfilter see them, EtherType, group destination
// MAC, whether the kernel would refuse the IP header, addresses, protocol,
// ports, TCP flags, hop limit, fragment id, ICMP type and identifier and the
// tuple an ICMP error quotes (conntrack's "related"), which decode-fast.ts
// (the learner's lean decoder) does not carry —
// written into one reusable record instead of a new PacketEvent per frame, so
// `picket simulate` can judge millions of frames a second. IPv4 addresses are
// numbers, IPv6 addresses canonical text. Frame bytes → VerdictFields, never a
// throw. Pure (mutates only the record it is given).

import { ipv6Text } from './decode-text.js';

/** What the lean decoder found; every field is overwritten by each decode. */
export interface VerdictFields {
  /** 0 nothing usable (runt frame, unknown link type), 1 a non-IP frame, 2 an IP packet, 3 an IP packet whose header is invalid. */
  kind: number;
  /** EtherType after the VLAN tags (0 when the link layer has none); below 0x0600 an 802.3 length. */
  etherType: number;
  /** TPID of the outermost tag, 0 when untagged. */
  outerTpid: number;
  /** Number of VLAN tags. */
  tags: number;
  /** The type after the outermost tag (nft `vlan type`), 0 when untagged. */
  vlanType: number;
  /** True when the frame had an Ethernet header. */
  hasMac: boolean;
  /** Destination MAC is broadcast or multicast (or, without MACs, the IP destination is). */
  groupDestination: boolean;
  family: 4 | 6 | 0;
  /** Offset of the IP header in the frame and the end of the IP packet (bounded by the captured bytes). */
  ipAt: number;
  ipEnd: number;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4: number;
  dst4: number;
  /** IPv6 addresses as canonical text. */
  src6: string;
  dst6: string;
  /** Transport protocol number. */
  proto: number;
  /** Ports (TCP/UDP), or for ICMP echo-like messages the identifier in both. */
  sport: number;
  dport: number;
  /** Raw TCP flags byte. */
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  /** IPv4 TTL / IPv6 hop limit. */
  hopLimit: number;
  /** A non-first fragment (no transport header), with the IPv4 identification. */
  fragment: boolean;
  fragmentId: number;
  /** More fragments follow (IPv4 MF flag, IPv6 M flag) of a first fragment. */
  moreFragments: boolean;
  /** The packet an ICMP error quotes: its protocol, ports and addresses (innerProto -1 when none). */
  innerProto: number;
  innerSrc4: number;
  innerDst4: number;
  innerSrc6: string;
  innerDst6: string;
  innerSport: number;
  innerDport: number;
}

/** A fresh record to decode into. */
export function createVerdictFields(): VerdictFields {
  return {
    kind: 0,
    etherType: 0,
    outerTpid: 0,
    tags: 0,
    vlanType: 0,
    hasMac: false,
    groupDestination: false,
    family: 0,
    ipAt: 0,
    ipEnd: 0,
    src4: 0,
    dst4: 0,
    src6: '',
    dst6: '',
    proto: 0,
    sport: 0,
    dport: 0,
    tcpFlags: 0,
    icmpType: 0,
    icmpCode: 0,
    hopLimit: 0,
    fragment: false,
    fragmentId: 0,
    moreFragments: false,
    innerProto: -1,
    innerSrc4: 0,
    innerDst4: 0,
    innerSrc6: '',
    innerDst6: '',
    innerSport: 0,
    innerDport: 0,
  };
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_IPV4 = 228;
const LINK_IPV6 = 229;
const LINK_NULL = 0;
const LINK_LOOP = 108;
const LINK_SLL = 113;
const LINK_SLL2 = 276;

/** ICMP (v4) types whose message quotes the offending packet (RFC 792). */
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);
/** ICMPv6 error types (RFC 4443 §2.1: below 128). */
const ICMP6_ERROR_MAX = 127;
/** ICMP types conntrack pairs by identifier (echo, timestamp, info, address mask and their replies). */
const ICMP4_QUERY = new Set([0, 8, 13, 14, 15, 16, 17, 18]);

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Decodes the frame at `bytes[at, end)` of pcap link type `linktype` into `f`. */
export function decodeVerdictFields(
  f: VerdictFields,
  linktype: number,
  bytes: Uint8Array,
  at: number,
  end: number,
): void {
  f.kind = 0;
  f.etherType = 0;
  f.outerTpid = 0;
  f.tags = 0;
  f.vlanType = 0;
  f.hasMac = false;
  f.groupDestination = false;
  f.family = 0;
  f.fragment = false;
  f.moreFragments = false;
  f.innerProto = -1;
  f.proto = 0;
  f.sport = 0;
  f.dport = 0;
  f.tcpFlags = 0;
  f.icmpType = -1;
  f.icmpCode = 0;
  switch (linktype) {
    case LINK_ETHERNET:
      ethernet(f, bytes, at, end);
      return;
    case LINK_RAW:
    case LINK_IPV4:
    case LINK_IPV6:
      rawIp(f, bytes, at, end);
      return;
    case LINK_NULL:
    case LINK_LOOP:
      if (end - at >= 4) rawIp(f, bytes, at + 4, end);
      return;
    case LINK_SLL:
      if (end - at >= 16) l3(f, u16(bytes, at + 14), bytes, at + 16, end);
      return;
    case LINK_SLL2:
      if (end - at >= 20) l3(f, u16(bytes, at), bytes, at + 20, end);
      return;
  }
}

function ethernet(f: VerdictFields, b: Uint8Array, at: number, end: number): void {
  if (end - at < 14) return;
  f.hasMac = true;
  f.groupDestination = (b[at]! & 1) === 1;
  let type = u16(b, at + 12);
  let o = at + 14;
  while ((type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) && f.tags < 4) {
    if (o + 4 > end) {
      f.kind = 1;
      f.etherType = type;
      return;
    }
    if (f.tags === 0) f.outerTpid = type;
    f.tags++;
    type = u16(b, o + 2);
    if (f.tags === 1) f.vlanType = type;
    o += 4;
  }
  l3(f, type, b, o, end);
}

function rawIp(f: VerdictFields, b: Uint8Array, at: number, end: number): void {
  if (at >= end) return;
  const version = b[at]! >> 4;
  l3(f, version === 6 ? 0x86dd : 0x0800, b, at, end);
  f.etherType = 0;
}

function l3(f: VerdictFields, type: number, b: Uint8Array, at: number, end: number): void {
  f.etherType = type;
  if (type === 0x0800) ipv4(f, b, at, end);
  else if (type === 0x86dd) ipv6(f, b, at, end);
  else f.kind = 1;
}

function ipv4(f: VerdictFields, b: Uint8Array, at: number, end: number): void {
  f.kind = 3;
  f.family = 4;
  f.ipAt = at;
  if (end - at < 20 || b[at]! >> 4 !== 4) return;
  const ihl = (b[at]! & 0x0f) * 4;
  const total = u16(b, at + 2);
  if (ihl < 20 || total < ihl || at + ihl > end) return;
  f.kind = 2;
  f.ipEnd = Math.min(end, at + total);
  f.hopLimit = b[at + 8]!;
  f.proto = b[at + 9]!;
  f.src4 = u32(b, at + 12);
  f.dst4 = u32(b, at + 16);
  if (!f.hasMac) f.groupDestination = f.dst4 === 0xffffffff || f.dst4 >>> 28 === 0xe;
  const fragField = u16(b, at + 6);
  f.fragmentId = u16(b, at + 4);
  f.moreFragments = (fragField & 0x2000) !== 0;
  if ((fragField & 0x1fff) !== 0) {
    f.fragment = true;
    return;
  }
  transport(f, b, at + ihl, f.ipEnd, 4);
}

function ipv6(f: VerdictFields, b: Uint8Array, at: number, end: number): void {
  f.kind = 3;
  f.family = 6;
  f.ipAt = at;
  if (end - at < 40 || b[at]! >> 4 !== 6) return;
  f.kind = 2;
  const payload = u16(b, at + 4);
  f.ipEnd = payload === 0 ? end : Math.min(end, at + 40 + payload);
  f.hopLimit = b[at + 7]!;
  f.src6 = ipv6Text(b, at + 8);
  f.dst6 = ipv6Text(b, at + 24);
  if (!f.hasMac) f.groupDestination = b[at + 24] === 0xff;
  let next = b[at + 6]!;
  let o = at + 40;
  for (let n = 0; n < 16; n++) {
    if (next === 0 || next === 43 || next === 60 || next === 51) {
      if (o + 2 > f.ipEnd) break;
      const length = next === 51 ? (b[o + 1]! + 2) * 4 : (b[o + 1]! + 1) * 8;
      next = b[o]!;
      o += length;
      continue;
    }
    if (next === 44) {
      if (o + 8 > f.ipEnd) break;
      const offset = u16(b, o + 2) >> 3;
      next = b[o]!;
      f.fragmentId = u32(b, o + 4);
      f.moreFragments = (b[o + 3]! & 1) === 1;
      if (offset !== 0) {
        f.proto = next;
        f.fragment = true;
        return;
      }
      o += 8;
      continue;
    }
    break;
  }
  f.proto = next;
  transport(f, b, o, f.ipEnd, 6);
}

function transport(f: VerdictFields, b: Uint8Array, at: number, end: number, family: 4 | 6): void {
  const avail = end - at;
  const proto = f.proto;
  if (proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136) {
    if (avail >= 4) {
      f.sport = u16(b, at);
      f.dport = u16(b, at + 2);
    }
    if (proto === 6 && avail >= 14) f.tcpFlags = b[at + 13]!;
    return;
  }
  if ((proto === 1 && family === 4) || (proto === 58 && family === 6)) {
    if (avail < 2) return;
    f.icmpType = b[at]!;
    f.icmpCode = b[at + 1]!;
    const query = family === 4 ? ICMP4_QUERY.has(f.icmpType) : f.icmpType === 128 || f.icmpType === 129;
    if (query && avail >= 6) {
      f.sport = u16(b, at + 4);
      f.dport = f.sport;
      return;
    }
    const error = family === 4 ? ICMP4_ERRORS.has(f.icmpType) : f.icmpType <= ICMP6_ERROR_MAX;
    if (error) quoted(f, b, at + 8, end, family);
  }
}

/** The packet an ICMP error quotes (RFC 792 / RFC 4443): its addresses, protocol and first 4 transport bytes. */
function quoted(f: VerdictFields, b: Uint8Array, at: number, end: number, family: 4 | 6): void {
  if (family === 4) {
    if (end - at < 20 || b[at]! >> 4 !== 4) return;
    const ihl = (b[at]! & 0x0f) * 4;
    if (ihl < 20 || at + ihl + 4 > end) return;
    f.innerProto = b[at + 9]!;
    f.innerSrc4 = u32(b, at + 12);
    f.innerDst4 = u32(b, at + 16);
    innerPorts(f, b, at + ihl, family);
    return;
  }
  if (end - at < 44 || b[at]! >> 4 !== 6) return;
  f.innerProto = b[at + 6]!;
  f.innerSrc6 = ipv6Text(b, at + 8);
  f.innerDst6 = ipv6Text(b, at + 24);
  innerPorts(f, b, at + 40, family);
}

function innerPorts(f: VerdictFields, b: Uint8Array, at: number, family: 4 | 6): void {
  const p = f.innerProto;
  if ((p === 1 && family === 4) || (p === 58 && family === 6)) {
    f.innerSport = at + 6 <= b.length ? u16(b, at + 4) : 0;
    f.innerDport = f.innerSport;
    return;
  }
  f.innerSport = u16(b, at);
  f.innerDport = u16(b, at + 2);
}
