// Decoy-touch detector: anything that reaches a decoy is a near-certain intruder.
// Three sightings: an IP packet to a decoy (the kernel already quarantined the
// source from the packet path), an ARP request for a decoy (logged by the
// bridge table: the node quarantines the sender), and what the peer tried in
// protocol terms, as the decoy server reported it ("S7 PLC STOP requested").
// Each is a critical detection; repeats fold per source, decoy and attempt.
// Never-list assets are alerted on, never quarantined; monitor mode contains
// nothing; out-of-profile `alert` only alerts.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import { type DecideContext, describeAddress } from './context.js';
import type { Action, ActionTaken } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { quarantine } from './respond.js';
import type { DecideState } from './state.js';

const PRODUCER = 'detector:decoy-touch';

/** Who touched which decoy, and what to say about it. */
interface Touch {
  readonly source: string;
  readonly decoy: string;
  /** Folds separate attempts apart: `ip`, `arp`, or the note's text. */
  readonly attempt: string;
  readonly evidence: string;
}

function touchOf(event: PacketEvent): Touch | undefined {
  if (event.origin === 'decoy-note') {
    if (event.srcIp === undefined || event.dstIp === undefined) return undefined;
    return { source: event.srcIp, decoy: event.dstIp, attempt: event.summary, evidence: event.summary };
  }
  if (event.arp !== undefined) {
    const { senderIp, senderMac, targetIp } = event.arp;
    // A probe from 0.0.0.0 is a device checking the address is free: a claim, not a touch.
    if (senderIp === '0.0.0.0') return undefined;
    return {
      source: senderIp,
      decoy: targetIp,
      attempt: 'arp',
      evidence: `ARP who-has ${targetIp} tell ${senderIp} (${senderMac})`,
    };
  }
  if (event.srcIp === undefined || event.dstIp === undefined) return undefined;
  return {
    source: event.srcIp,
    decoy: event.dstIp,
    attempt: 'ip',
    evidence: `first packet: ${event.summary}`,
  };
}

function containment(
  state: DecideState,
  ctx: DecideContext,
  touch: Touch,
  id: string,
  nowMs: number,
  out: Action[],
): ActionTaken {
  if (ctx.mode === 'monitor') return 'would-block';
  if (ctx.never.has(touch.source) || ctx.outOfProfile === 'alert') return 'alerted';
  const reason = `touched decoy ${touch.decoy}`;
  return quarantine(
    state,
    ctx,
    { address: touch.source, detectionId: id, reason, producer: PRODUCER },
    nowMs,
    out,
  );
}

/** Contains the source of a decoy touch and records what it tried. */
export function detectDecoyTouch(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const touch = touchOf(event);
  if (!touch) return;
  const target = `${touch.decoy} ${touch.attempt}`;
  const key = foldKey('decoy-touch', touch.source, target);
  const id = detectionId(ctx.node, 'decoy-touch', touch.source, target, nowMs);
  // Containment comes first and whatever the detection budget: the kernel cannot quarantine ARP itself.
  const action = containment(state, ctx, touch, id, nowMs, out);
  if (foldRepeat(state, key, nowMs, out)) return;
  const timing = { quietMs: ctx.thresholds.quietMs, recordEveryMs: ctx.thresholds.recordEveryMs };
  if (!admit(state, ctx.node, { kind: 'decoy-touch', evidence: touch.evidence, action }, nowMs, timing, out))
    return;
  openDetection(
    state,
    ctx.node,
    key,
    {
      id,
      kind: 'decoy-touch',
      severity: 'critical',
      source: touch.source,
      target: touch.decoy,
      evidence: touch.evidence,
      producer: PRODUCER,
      action: action === 'already-quarantined' ? 'quarantined' : action,
      reason: `${describeAddress(ctx, touch.source)} touched decoy ${touch.decoy} (no real device has that address): ${touch.evidence}`,
    },
    nowMs,
    timing,
    out,
  );
}
