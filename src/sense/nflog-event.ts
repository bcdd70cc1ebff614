// From what the kernel logged to what the detectors read: the NFLOG prefix
// `picket:<kind>:` names the origin, the payload is decoded by the shared
// decoder (IP for the inet family, the Ethernet frame for the bridge family),
// the hardware address attributes give the MACs; the reader keeps the
// intake's counters, losses included, across datagrams.
// NflogPacket → PacketEvent, datagrams → events + counters. Pure.

import type { NetlinkAck } from '../net/netlink-codec.js';
import { type Decoded, decodeFrame, decodeIpPacket, decodeL3 } from './decode-frame.js';
import type { DecodeContext } from './decode-ip.js';
import { macText } from './decode-text.js';
import type { IntakeStats } from './intake.js';
import { AF, type NflogPacket, parseNflogDatagram } from './nflog-codec.js';
import type { EventOrigin, PacketEvent } from './packet-event.js';

/** Prefix kinds of src/compile/ruleset.ts LOG_PREFIX → origin (a unit test keeps the two in step). */
const ORIGIN_OF_KIND: Readonly<Record<string, EventOrigin>> = {
  quarantine: 'quarantine',
  block: 'block',
  alert: 'alert',
  'would-block': 'would-block',
  quarantined: 'quarantined',
  l2: 'l2',
  decoy: 'decoy',
  'decoy-claim': 'decoy-claim',
};

const ARPHRD_ETHER = 1;

/** The origin a log prefix names (`picket:block:` → block); undefined for a prefix that is not Picket's. */
export function originOfPrefix(prefix: string): EventOrigin | undefined {
  if (!prefix.startsWith('picket:')) return undefined;
  const end = prefix.indexOf(':', 7);
  if (end < 0) return undefined;
  return Object.hasOwn(ORIGIN_OF_KIND, prefix.slice(7, end))
    ? ORIGIN_OF_KIND[prefix.slice(7, end)]
    : undefined;
}

let lastPrefix: string | undefined;
let lastOrigin: EventOrigin | undefined;

/** Turns one logged packet into an event; `nowMs` stands in when the kernel sent no timestamp. */
export function nflogEvent(packet: NflogPacket, nowMs: number): Decoded {
  const prefix = packet.prefix ?? '';
  // The same few prefixes arrive over and over: remember the last one (a memo, not state).
  if (prefix !== lastPrefix) {
    lastPrefix = prefix;
    lastOrigin = originOfPrefix(prefix);
  }
  const origin = lastOrigin;
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

/** What one datagram from the log socket yields: events for the detectors, replies for the config requests. */
export interface NflogRead {
  readonly events: PacketEvent[];
  readonly acks: readonly NetlinkAck[];
}

/** Reads datagrams of one log group in order, keeping the intake's counters. */
export interface NflogReader {
  read(datagram: Uint8Array, nowMs: number): NflogRead;
  stats(): IntakeStats;
}

/** A reader for a freshly bound group (its sequence numbers start anywhere). */
export function createNflogReader(): NflogReader {
  const counters = { received: 0, decoded: 0, malformed: 0, overruns: 0, lost: 0 };
  let expectedSeq: number | undefined;
  return {
    read(bytes, nowMs) {
      const datagram = parseNflogDatagram(bytes);
      counters.malformed += datagram.malformed.length;
      if (datagram.overrun) counters.overruns++;
      const events: PacketEvent[] = [];
      for (const packet of datagram.packets) {
        counters.received++;
        if (packet.seq !== undefined) {
          // Per-instance sequence numbers (NFULNL_CFG_F_SEQ) wrap at 2^32; a gap is a batch the
          // kernel built but could not queue on our socket (the receive buffer was full).
          const gap = expectedSeq === undefined ? 0 : (packet.seq - expectedSeq) >>> 0;
          if (gap > 0) {
            counters.lost += gap;
            counters.overruns++;
          }
          expectedSeq = (packet.seq + 1) >>> 0;
        }
        const decoded = nflogEvent(packet, nowMs);
        if (!decoded.ok) {
          counters.malformed++;
          continue;
        }
        if (decoded.event.malformed !== undefined) counters.malformed++;
        events.push(decoded.event);
      }
      counters.decoded += events.length;
      return { events, acks: datagram.acks };
    },
    stats: () => ({ ...counters }),
  };
}
