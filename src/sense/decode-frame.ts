// Link layer of the shared packet decoder: Ethernet II with 802.1Q / 802.1ad
// tags (QinQ), ARP, and the capture link types (Linux cooked v1/v2, raw IP,
// BSD loopback). Frame bytes → PacketEvent, never a throw. Pure.

import {
  type DecodeContext,
  type Decoded,
  type Draft,
  decodeIpInto,
  decodeIpPacket,
  draftOf,
  finish,
} from './decode-ip.js';
import { ipv4Text, macText } from './decode-text.js';

export type { DecodeContext, Decoded } from './decode-ip.js';
export { decodeIpPacket } from './decode-ip.js';

/** EtherTypes the decoder looks into. */
export const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, vlan: 0x8100, qinq: 0x88a8, ipv6: 0x86dd } as const;

/** pcap link types (https://www.tcpdump.org/linktypes.html) the decoder understands. */
export const LINKTYPE = {
  null: 0,
  ethernet: 1,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

/** Tag protocol identifiers: 802.1Q, 802.1ad, and the pre-standard QinQ ones still in the field. */
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
/** Deeper tag stacks than this are treated as garbage rather than walked. */
const MAX_VLAN_TAGS = 4;
const ARPHRD_ETHER = 1;

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Decodes an Ethernet II frame (capture, NFLOG of the bridge family with its L2 header). */
export function decodeFrame(bytes: Uint8Array, ctx: DecodeContext): Decoded {
  if (bytes.length < 14) return { ok: false, malformed: `ethernet: ${bytes.length}-byte frame` };
  const d = draftOf(ctx);
  d.dstMac = macText(bytes, 0);
  d.srcMac = macText(bytes, 6);
  let type = u16(bytes, 12);
  let at = 14;
  for (let tags = 0; VLAN_TPIDS.has(type); tags++) {
    if (tags === MAX_VLAN_TAGS) return finish(lengthOf(d, bytes, 0, ctx), 'vlan: too many tags');
    if (at + 4 > bytes.length) return finish(lengthOf(d, bytes, 0, ctx), 'vlan: truncated tag');
    const vid = u16(bytes, at) & 0x0fff;
    if (tags === 0) d.vlan = vid;
    else if (tags === 1) d.innerVlan = vid;
    type = u16(bytes, at + 2);
    at += 4;
  }
  // IEEE 802.3: values up to 1500 are a length (LLC/SNAP follows), from 0x0600 a type.
  if (type < 0x0600) return finish(lengthOf(d, bytes, 0, ctx), undefined);
  return decodeL3Into(d, type, bytes, at, ctx);
}

/** Decodes the network layer of type `etherType` (NFLOG of the bridge/netdev family without L2 header). */
export function decodeL3(etherType: number, bytes: Uint8Array, ctx: DecodeContext): Decoded {
  return decodeL3Into(draftOf(ctx), etherType, bytes, 0, ctx);
}

/** Decodes one captured frame of pcap link type `linktype`. */
export function decodeLinkLayer(linktype: number, bytes: Uint8Array, ctx: DecodeContext): Decoded {
  switch (linktype) {
    case LINKTYPE.ethernet:
      return decodeFrame(bytes, ctx);
    case LINKTYPE.raw:
    case LINKTYPE.ipv4:
    case LINKTYPE.ipv6:
      return decodeIpPacket(bytes, ctx);
    case LINKTYPE.linuxSll:
      return decodeCooked(bytes, ctx, 16, 14, 2, 4, 6);
    case LINKTYPE.linuxSll2:
      return decodeCooked(bytes, ctx, 20, 0, 8, 11, 12);
    case LINKTYPE.null:
    case LINKTYPE.loop:
      // A 4-byte address family in the capturing host's byte order; the IP version nibble says the rest.
      if (bytes.length < 4) return { ok: false, malformed: 'loopback: truncated header' };
      return decodeIpPacket(bytes.subarray(4), withWireLength(ctx, -4));
    default:
      return { ok: false, malformed: `capture: link type ${linktype} not supported` };
  }
}

function withWireLength(ctx: DecodeContext, delta: number): DecodeContext {
  return ctx.wireLength === undefined ? ctx : { ...ctx, wireLength: ctx.wireLength + delta };
}

/**
 * Linux cooked capture (`tcpdump -i any`): SLL (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html)
 * and SLL2 (…/LINKTYPE_LINUX_SLL2.html) differ only in where the fields sit.
 */
function decodeCooked(
  bytes: Uint8Array,
  ctx: DecodeContext,
  headerLength: number,
  protocolAt: number,
  hatypeAt: number,
  addrLengthAt: number,
  addrAt: number,
): Decoded {
  if (bytes.length < headerLength) return { ok: false, malformed: `cooked: ${bytes.length}-byte header` };
  const d = draftOf(ctx);
  // SLL has a 2-byte address length, SLL2 a 1-byte one; both keep the low byte last.
  const addrLength = bytes[protocolAt === 14 ? addrLengthAt + 1 : addrLengthAt]!;
  if (u16(bytes, hatypeAt) === ARPHRD_ETHER && addrLength === 6) d.srcMac = macText(bytes, addrAt);
  return decodeL3Into(d, u16(bytes, protocolAt), bytes, headerLength, ctx);
}

function lengthOf(d: Draft, b: Uint8Array, offset: number, ctx: DecodeContext): Draft {
  d.length = Math.max(0, (ctx.wireLength ?? b.length) - offset);
  return d;
}

function decodeL3Into(d: Draft, type: number, b: Uint8Array, at: number, ctx: DecodeContext): Decoded {
  d.etherType = type;
  if (type === ETHERTYPE.ipv4 || type === ETHERTYPE.ipv6) {
    const version = at < b.length ? b[at]! >> 4 : 0;
    if (version !== (type === ETHERTYPE.ipv4 ? 4 : 6)) {
      return finish(lengthOf(d, b, at, ctx), `ip: version ${version} under ethertype 0x${type.toString(16)}`);
    }
    const inner = ctx.wireLength === undefined ? ctx : { ...ctx, wireLength: ctx.wireLength - at };
    return finish(d, decodeIpInto(d, at === 0 ? b : b.subarray(at), 0, inner));
  }
  // L2 frames count their whole length (PacketEvent.length).
  lengthOf(d, b, 0, ctx);
  if (type === ETHERTYPE.arp) return finish(d, decodeArp(d, b, at));
  if (ctx.payload) d.payload = b.subarray(at);
  return finish(d, undefined);
}

/** RFC 826 over Ethernet/IPv4; other hardware or protocol sizes are left as a bare ARP frame. */
function decodeArp(d: Draft, b: Uint8Array, at: number): string | undefined {
  if (b.length - at < 8) return 'arp: truncated header';
  const hlen = b[at + 4]!;
  const plen = b[at + 5]!;
  if (hlen !== 6 || plen !== 4) return undefined;
  if (b.length - at < 28) return 'arp: truncated addresses';
  d.arp = {
    op: u16(b, at + 6),
    senderMac: macText(b, at + 8),
    senderIp: ipv4Text(b, at + 14),
    targetIp: ipv4Text(b, at + 24),
  };
  return undefined;
}
