// Traffic in the capture that no policy rule can allow, said plainly so the
// operator is not surprised in monitor mode: ICMP (rules name TCP and UDP
// ports; only ICMP errors of allowed flows pass), other IP protocols, frames
// from unspecified or multicast source addresses (DHCP discovery), and non-IP
// frames (decided by `enforcement.l2`, not by rules). State → lines. Pure.

import type { LearnState } from './state.js';

const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x88cc, 'LLDP'],
  [0x8892, 'PROFINET'],
  [0x88b8, 'GOOSE'],
  [0x88ba, 'SV'],
  [0x88a4, 'EtherCAT'],
  [0x88e3, 'MRP'],
  [0x8899, 'Realtek RRCP'],
]);

/** One line per kind of traffic the policy cannot express. */
export function describeUnexpressed(state: LearnState): string[] {
  const u = state.unexpressed;
  const out: string[] = [];
  if (u.icmpPackets > 0) {
    out.push(
      `${u.icmpPackets} ICMP packet(s) between ${u.icmpPairs.size} pair(s): rules allow TCP/UDP ports only, so pings are blocked in enforce mode`,
    );
  }
  for (const [protocol, n] of [...u.otherProtocols].sort((a, b) => a[0] - b[0])) {
    out.push(`${n} packet(s) of IP protocol ${protocol}: no rule can allow it`);
  }
  if (u.unspecifiedSources > 0) {
    out.push(
      `${u.unspecifiedSources} packet(s) from 0.0.0.0, :: or a multicast source (address discovery): no rule can name them`,
    );
  }
  if (u.selfPackets > 0) {
    out.push(`${u.selfPackets} packet(s) from a host to itself (loopback): they never cross the bridge`);
  }
  if (u.portZero > 0)
    out.push(`${u.portZero} TCP/UDP packet(s) to or from port 0 (reserved): no rule can name it`);
  for (const [type, n] of [...u.etherTypes].sort((a, b) => a[0] - b[0])) {
    const name = ETHERTYPE_NAMES.get(type) ?? `EtherType 0x${type.toString(16).padStart(4, '0')}`;
    out.push(`${n} ${name} frame(s): layer 2, decided by enforcement.l2 (default: accept)`);
  }
  return out;
}
