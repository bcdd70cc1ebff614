// The identity a frame claims for its sender: IP and MAC, from the IP header and
// Ethernet source, or from an ARP packet's sender fields. Unspecified addresses
// (0.0.0.0, ::, as in DHCP and ARP probes) and group MACs identify nobody.
// PacketEvent → claimed identity. Pure.

import { isGroupMac } from '../net/mac.js';
import type { PacketEvent } from '../sense/packet-event.js';

/** Who a frame says sent it. */
export interface Claim {
  readonly ip: string | undefined;
  readonly mac: string | undefined;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/** The sender identity a packet claims (ARP sender fields for ARP). */
export function claimOf(event: PacketEvent): Claim {
  const ip = event.arp?.senderIp ?? event.srcIp;
  const mac = event.arp?.senderMac ?? event.srcMac;
  return {
    ip: ip === undefined || UNSPECIFIED.has(ip) ? undefined : ip,
    mac: mac === undefined || isGroupMac(mac) ? undefined : mac,
  };
}
