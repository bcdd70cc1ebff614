// Quarantined-source detector: traffic from or to an address already in
// quarantine, which the kernel dropped. Folded heavily (one detection per
// quarantined address, long quiet time, sparse records): a quarantined scanner
// keeps knocking, and the journal needs its count, not every knock.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import { type DecideContext, describeAddress } from './context.js';
import type { Action } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { isQuarantined } from './respond.js';
import type { DecideState } from './state.js';

/** Folds a dropped packet into the detection of the quarantined address it came from or went to. */
export function detectQuarantinedSource(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const { srcIp, dstIp } = event;
  if (srcIp === undefined) return;
  // The kernel logs both directions with one prefix; only the node's own table says which side is held.
  const toward =
    dstIp !== undefined && !isQuarantined(state, srcIp, nowMs) && isQuarantined(state, dstIp, nowMs);
  const party = toward ? (dstIp as string) : srcIp;
  const key = foldKey('quarantined-source', party, undefined);
  if (foldRepeat(state, key, nowMs, out)) return;
  const t = ctx.thresholds;
  const timing = { quietMs: t.quarantinedQuietMs, recordEveryMs: t.quarantinedRecordEveryMs };
  const sighting = {
    kind: 'quarantined-source',
    evidence: event.summary,
    action: 'already-quarantined',
  } as const;
  if (!admit(state, ctx.node, sighting, nowMs, timing, out)) return;
  openDetection(
    state,
    ctx.node,
    key,
    {
      id: detectionId(ctx.node, 'quarantined-source', party, undefined, nowMs),
      kind: 'quarantined-source',
      severity: 'low',
      source: party,
      target: undefined,
      evidence: event.summary,
      producer: `${ctx.enforcementCite} quarantined ${toward ? 'daddr' : 'saddr'}`,
      action: 'already-quarantined',
      reason: `traffic ${toward ? 'to' : 'from'} quarantined ${describeAddress(ctx, party)} dropped`,
    },
    nowMs,
    timing,
    out,
  );
}
