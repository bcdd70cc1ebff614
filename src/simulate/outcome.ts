// What the kernel (and the node's protocol judge) does with one packet, as
// small integers for the hot path, with their names and whether each drops
// the packet, accepts it, or accepts it while raising an alert. Pure data.

/** One packet's fate. */
export const OUTCOME = {
  /** Accepted by an allow set (a new flow, or the original direction before any reply). */
  allowed: 0,
  /** Accepted by the conntrack fast path (`ct state established,related`). */
  established: 1,
  /** IPv6 neighbour or multicast-listener discovery, accepted by its own rule. */
  discovery: 2,
  /** A non-IP frame whose EtherType the bridge table accepts. */
  l2Allowed: 3,
  /** Out of profile in alert mode (or a never-list source in alert mode): accepted and alerted. */
  alerted: 4,
  /** Monitor mode: accepted, but enforcement would have dropped it. */
  wouldBlock: 5,
  /** The first out-of-profile packet of a source: dropped, the source quarantined. */
  quarantined: 6,
  /** From or to an address in quarantine: dropped. */
  fromQuarantined: 7,
  /** Out of profile: dropped (block mode, or broadcast/multicast in quarantine mode). */
  blocked: 8,
  /** Out of profile from a never-list asset: dropped and alerted, never quarantined. */
  never: 9,
  /** Conntrack calls it invalid (`ct state invalid drop`). */
  invalid: 10,
  /** A queued protocol message the rule does not allow, or a malformed one: the judge dropped it. */
  protocolDropped: 11,
  /** A queued packet of a fail-closed zone with no Picket node to judge it: dropped. */
  unjudged: 12,
  /** A non-IP frame the bridge table drops (`l2.default: drop`). */
  l2Dropped: 13,
  /** An IP header the kernel refuses before any rule (br_netfilter validation). */
  malformed: 14,
  /** A frame the decoder could not read at all (runt, unknown link type); not judged. */
  undecodable: 15,
} as const;

export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

/** Names of the outcomes, by value, as the report shows them. */
export const OUTCOME_NAMES: readonly string[] = [
  'allowed',
  'established',
  'discovery',
  'l2-allowed',
  'alerted',
  'would-block',
  'quarantined',
  'from-quarantined',
  'blocked',
  'never-list',
  'invalid',
  'protocol-dropped',
  'unjudged',
  'l2-dropped',
  'malformed',
  'undecodable',
];

/** True for outcomes where the packet does not get through. */
export function dropped(o: number): boolean {
  return o >= OUTCOME.quarantined && o <= OUTCOME.malformed;
}

/** True for outcomes where the packet gets through. */
export function accepted(o: number): boolean {
  return o <= OUTCOME.wouldBlock;
}
