// How the report cites a packet: where it is (capture, frame, time), what it
// was (the caller's one-line summary) and why it got its outcome (the rule,
// or the part of the ruleset that dropped it, citing policy.yaml:LINE).
// (Simulation, outcome) → PacketRef. Pure.

import type { VerdictFields } from '../sense/decode-verdict.js';
import { OUTCOME } from './outcome.js';
import type { Simulation } from './simulator.js';
import type { PacketRef } from './tally.js';

/** The current packet of the simulation, cited. */
export function cite(sim: Simulation, timeMs: number, outcome: number): PacketRef {
  return {
    capture: sim.capture,
    frame: sim.frame,
    timeMs,
    summary: sim.describe(sim.linktype, sim.bytes, sim.at, sim.end, timeMs),
    why: whyText(sim, outcome),
  };
}

function whyText(sim: Simulation, outcome: number): string {
  const entry = sim.matched === undefined ? undefined : sim.ruleset.entries[sim.matched.index];
  const cite = (what: string) => `${sim.ruleset.policyFile}:${sim.ruleset.enforcementLine} ${what}`;
  switch (outcome) {
    case OUTCOME.allowed:
      return entry === undefined ? 'allowed' : `${sim.ruleset.policyFile}:${entry.line} ${entry.rule}`;
    case OUTCOME.established:
      return 'established or related flow';
    case OUTCOME.discovery:
      return 'IPv6 neighbour/multicast-listener discovery';
    case OUTCOME.l2Allowed:
      return sim.why || 'layer 2: EtherType allowed';
    case OUTCOME.alerted:
      return cite('out-of-profile: alert');
    case OUTCOME.wouldBlock:
      return sim.why || cite('monitor: out of profile');
    case OUTCOME.quarantined:
      return cite('out-of-profile: quarantine source');
    case OUTCOME.fromQuarantined:
      return 'from or to a quarantined address';
    case OUTCOME.blocked:
      return sim.why || cite(`out-of-profile: ${sim.ruleset.outOfProfile}`);
    case OUTCOME.never:
      return cite('never list: alert, never quarantine');
    case OUTCOME.invalid:
      return 'conntrack: invalid state';
    case OUTCOME.protocolDropped:
      return sim.why;
    case OUTCOME.unjudged:
      return 'protocol rule, fail-closed zone, no Picket node to judge it';
    case OUTCOME.l2Dropped:
      return cite('l2 default drop');
    case OUTCOME.malformed:
      return sim.why || 'IP header refused by the kernel';
    default:
      return '';
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The source MAC of a non-IP frame, as text. */
export function l2Source(bytes: Uint8Array, at: number, f: VerdictFields): string {
  if (!f.hasMac) return '(no address)';
  const m: string[] = [];
  for (let i = 6; i < 12; i++) m.push(HEX[bytes[at + i]!]!);
  return m.join(':');
}
