// Which side of a flow is the client, and whether a packet opens a flow of its
// own, decided as the kernel's conntrack decides it (the policy allows the
// direction conntrack opens a flow in): a SYN says it; without one, a known
// server port; else the first packet's sender. Also: whether a destination is
// a broadcast or multicast one. (ports, times, frame) → answers. Pure.

import type { FastFrame } from '../sense/decode-fast.js';
import { portName } from './content.js';
import type { LearnedService } from './state.js';

/** Conntrack keeps an unreplied UDP flow 30 s (nf_conntrack_udp_timeout). */
const UDP_IDLE_MS = 30_000;

/** A UDP packet against a service's direction after the kernel would have forgotten the flow. */
export function udpReplyAfterIdle(s: LearnedService, toServer: boolean, timeMs: number): boolean {
  return s.udp && !toServer && timeMs - s.lastMs > UDP_IDLE_MS;
}

/**
 * Without a SYN to go by: a port the learner knows is the server's; else the
 * sender of the first packet is the client — conntrack (loose pick-up of a
 * connection already running) opens the flow in that direction, so that is
 * the direction a rule must allow.
 */
export function serverIsDestination(udp: boolean, srcPort: number, dstPort: number): boolean {
  if (portName(udp, dstPort) !== undefined) return true;
  if (portName(udp, srcPort) !== undefined) return false;
  return true;
}

/** Sent to a broadcast or multicast MAC or IP address. */
export function isBroadcastLike(f: FastFrame): boolean {
  if (f.dstMac >= 0 && Math.floor(f.dstMac / 0x100_0000_0000) & 1) return true;
  if (f.family === 4) return f.dst4 >>> 28 === 14 || f.dst4 === 0xffff_ffff;
  return f.dst6.startsWith('ff');
}
