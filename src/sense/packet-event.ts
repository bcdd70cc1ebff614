// PacketEvent: one packet the node heard about — from the kernel's NFLOG
// (out-of-profile, quarantined, alert…), from NFQUEUE (protocol-aware flows) or
// from a live capture in sensor mode — decoded into the fields the detectors
// need, plus a short human summary for evidence. Pure data.

import type { IpFamily } from '../policy/types.js';

/** Why the kernel handed us this packet: the NFLOG prefix kind, or the intake that saw it. */
export type EventOrigin =
  | 'quarantine' // out-of-profile; the kernel quarantined the source (picket:quarantine:)
  | 'block' // out-of-profile; dropped (picket:block:)
  | 'alert' // out-of-profile from a never-list asset, or alert mode (picket:alert:)
  | 'would-block' // monitor mode (picket:would-block:)
  | 'quarantined' // traffic from or to an already quarantined address (picket:quarantined:)
  | 'l2' // a non-IP frame the bridge table logged (picket:l2:)
  | 'decoy' // to a decoy, or an ARP request for one (picket:decoy:)
  | 'decoy-claim' // a decoy's address used by another device (picket:decoy-claim:)
  | 'decoy-note' // what a peer tried on a decoy, reported by the decoy server (summary says it)
  | 'queue' // a packet of a protocol-aware flow, queued for a verdict (NFQUEUE)
  | 'capture'; // seen on a SPAN/TAP port in sensor mode

export type L4 = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

/** One decoded packet. Fields the packet does not have are absent. */
export interface PacketEvent {
  /** Wall clock of the packet (kernel timestamp when present), ms since the epoch. */
  readonly timeMs: number;
  readonly origin: EventOrigin;
  readonly srcMac?: string;
  readonly dstMac?: string;
  readonly vlan?: number;
  /** QinQ: the inner (customer) VLAN id when the frame carries two or more tags; `vlan` is the outer. */
  readonly innerVlan?: number;
  /** EtherType of the frame (0x0800, 0x86dd, 0x0806, …) when known. */
  readonly etherType?: number;
  readonly family?: IpFamily;
  readonly srcIp?: string;
  readonly dstIp?: string;
  readonly l4?: L4;
  /** IANA protocol number. */
  readonly protocol?: number;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** TCP flags as letters, e.g. "S", "SA", "PA", "R". */
  readonly tcpFlags?: string;
  /** ICMP / ICMPv6 type and code. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** A non-first IP fragment: it has no transport header, so no ports. */
  readonly fragment?: true;
  /** ARP: operation (1 request, 2 reply), sender and target protocol addresses. */
  readonly arp?: {
    readonly op: number;
    readonly senderIp: string;
    readonly senderMac: string;
    readonly targetIp: string;
  };
  /** Bytes on the wire (IP length, or frame length for L2). */
  readonly length: number;
  /** Transport payload, when the intake copied it (NFQUEUE, capture). */
  readonly payload?: Uint8Array;
  /** Why the packet could not be decoded in full (truncated or inconsistent header); the fields before it are good. */
  readonly malformed?: string;
  /** e.g. `10.20.0.66:40123 → 10.20.1.10:502 tcp S len 44`. */
  readonly summary: string;
}
