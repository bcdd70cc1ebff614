// From what the kernel logged to what the detectors read: the NFLOG prefix
// `picket:<kind>:` names the origin, the payload is decoded by the shared
// decoder (IP for the inet family, the Ethernet frame for the bridge family),
// the hardware address attributes give the MACs. NflogPacket → PacketEvent. Pure.

import { type Decoded, decodeFrame, decodeIpPacket, decodeL3 } from './decode-frame.js';
import type { DecodeContext } from './decode-ip.js';
import { macText } from './decode-text.js';
import { AF, type NflogPacket } from './nflog-codec.js';
import type { EventOrigin } from './packet-event.js';

/** Prefix kinds of src/compile/ruleset.ts LOG_PREFIX → origin (a unit test keeps the two in step). */
const ORIGIN_OF_KIND: Readonly<Record<string, EventOrigin>> = {
  quarantine: 'quarantine',
  block: 'block',
  alert: 'alert',
  'would-block': 'would-block',
  quarantined: 'quarantined',
  l2: 'l2',
};

const ARPHRD_ETHER = 1;

/** The origin a log prefix names (`picket:block:` → block); undefined for a prefix that is not Picket's. */
export function originOfPrefix(prefix: string): EventOrigin | undefined {
  if (!prefix.startsWith('picket:')) return undefined;
  const end = prefix.indexOf(':', 7);
  if (end < 0) return undefined;
  return ORIGIN_OF_KIND[prefix.slice(7, end)];
}

/** Turns one logged packet into an event; `nowMs` stands in when the kernel sent no timestamp. */
export function nflogEvent(packet: NflogPacket, nowMs: number): Decoded {
  const origin = originOfPrefix(packet.prefix ?? '');
  if (origin === undefined)
    return { ok: false, malformed: `nflog: prefix "${packet.prefix ?? ''}" is not Picket's` };
  const ctx: { -readonly [K in keyof DecodeContext]: DecodeContext[K] } = {
    timeMs: packet.timestampMs ?? nowMs,
    origin,
  };
  // Only Ethernet addresses are MACs of devices; loopback (ARPHRD_LOOPBACK) reports 00:00:00:00:00:00.
  const ethernet = packet.hwType === undefined || packet.hwType === ARPHRD_ETHER;
  if (ethernet && packet.hwAddr !== undefined && packet.hwAddr.length === 6)
    ctx.srcMac = macText(packet.hwAddr, 0);
  // The link header of the incoming device: Ethernet's starts with the destination MAC.
  if (packet.hwType === ARPHRD_ETHER && packet.hwHeader !== undefined && packet.hwHeader.length >= 14) {
    ctx.dstMac = macText(packet.hwHeader, 0);
    ctx.srcMac ??= macText(packet.hwHeader, 6);
  }
  if (packet.vlanTci !== undefined) ctx.vlan = packet.vlanTci & 0x0fff;
  const payload = packet.payload;
  if (payload === undefined) return { ok: false, malformed: 'nflog: no payload (copy mode is not packet)' };
  if (packet.family === AF.inet || packet.family === AF.inet6) return decodeIpPacket(payload, ctx);
  // Bridge family: the kernel sends the L2 header apart (NFULA_L2HDR, Linux ≥ 5.13); put the frame back together.
  if (packet.l2Header !== undefined && packet.l2Header.length >= 14) {
    const frame = new Uint8Array(packet.l2Header.length + payload.length);
    frame.set(packet.l2Header, 0);
    frame.set(payload, packet.l2Header.length);
    return decodeFrame(frame, ctx);
  }
  if (packet.hwProtocol === undefined) return { ok: false, malformed: 'nflog: no packet header' };
  return decodeL3(packet.hwProtocol, payload, ctx);
}
