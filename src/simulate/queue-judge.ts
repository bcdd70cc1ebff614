// The protocol chain and the node's NFQUEUE judge: TCP packets of a tuple a
// protocol rule covers are judged message by message (decide/protocol-judge.ts,
// the node's own code) before the forward chain; a forbidden or malformed
// message drops the packet and the node contains its source like any other
// violation. Without a node, fail-closed zones drop every queued packet.
// Monitor mode queues nothing in the kernel; simulate judges anyway and
// reports would-block. (Simulation, fields, frame) → outcome or -1. Pure.

import { judgePacket } from '../decide/protocol-judge.js';
import type { VerdictFields } from '../sense/decode-verdict.js';
import { cite } from './citation.js';
import { addressValue, onNeverList, quarantine } from './forward-chain.js';
import { OUTCOME } from './outcome.js';
import type { Simulation } from './simulator.js';
import { addFinding } from './tally.js';
import { matchTuple } from './tuple-sets.js';

/** A queued TCP packet: the node judges it (or, without a node, the zone's fail mode decides). -1 when not queued or accepted. */
export function queued(sim: Simulation, f: VerdictFields, bytes: Uint8Array, timeMs: number): number {
  const v4 = f.family === 4;
  const s = v4 ? f.src4 : addressValue(f.src6);
  const d = v4 ? f.dst4 : addressValue(f.dst6);
  const family = f.family as 4 | 6;
  const closed = matchTuple(sim.sets.closed, family, s, d, 6, f.dport);
  const open = closed === undefined ? matchTuple(sim.sets.open, family, s, d, 6, f.dport) : undefined;
  if (closed === undefined && open === undefined) return -1;
  if (!sim.node && !sim.monitor) return closed !== undefined ? OUTCOME.unjudged : -1;
  // A copy: the judge keeps unfinished messages, and the reader reuses its buffer.
  const j = judgePacket(sim.judge, bytes.slice(f.ipAt, f.ipEnd));
  if (j.verdict === 'accept') return -1;
  const first = j.findings[0];
  sim.why =
    first === undefined
      ? 'protocol: malformed or unplaced segment'
      : `${first.producer}: ${first.what}${first.reason === undefined ? '' : ` (${first.reason})`}`;
  for (const finding of j.findings) {
    addFinding(sim.tally, {
      what: finding.what,
      reason: finding.reason ?? (finding.malformed ? 'malformed' : ''),
      producer: finding.producer,
      flow: `${finding.source}:${finding.sourcePort} → ${finding.destination}:${finding.destinationPort}`,
      packet: cite(sim, timeMs, OUTCOME.protocolDropped),
      wouldBlock: sim.monitor,
    });
  }
  // The node contains a protocol violation like any other (decide/protocol-violation.ts → respond.ts).
  if (!sim.monitor && sim.ruleset.outOfProfile === 'quarantine' && !onNeverList(sim, f))
    quarantine(sim, f, timeMs);
  return OUTCOME.protocolDropped;
}
