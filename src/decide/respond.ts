// Containment: what the node does about a detection, given the mode and the
// out-of-profile action of the policy. Monitor mode never contains ('would-block');
// never-list assets are alerted on, never cut off; otherwise the source is
// quarantined (once per quarantine), the flow blocked, or an alert raised.
// (state, context, subject) → ActionTaken + containment actions. Pure (mutates only
// the DecideState's quarantine table).

import type { PacketEvent } from '../sense/packet-event.js';
import type { DecideContext } from './context.js';
import type { Action, ActionTaken } from './decision.js';
import { lruDelete, lruPeek, lruSet } from './lru.js';
import type { DecideState } from './state.js';

/** Kernel quarantine logs of one address closer together than this are one quarantine seen twice. */
const KERNEL_DUPLICATE_MS = 1_000;

/** True while the node knows `address` is in quarantine. */
export function isQuarantined(state: DecideState, address: string, nowMs: number): boolean {
  const untilMs = lruPeek(state.quarantined, address);
  return untilMs !== undefined && untilMs > nowMs;
}

/** Notes that `address` is in quarantine until `untilMs` (the kernel or this node put it there). */
export function noteQuarantine(state: DecideState, address: string, untilMs: number): void {
  lruSet(state.quarantined, address, untilMs);
}

/** Forgets a quarantine that was released (by hand or by the journal), so a relapse quarantines again. */
export function noteRelease(state: DecideState, address: string): void {
  lruDelete(state.quarantined, address);
}

/** Who to contain and why. */
export interface Subject {
  readonly address: string;
  /** The packet whose flow is blocked when the policy blocks rather than quarantines. */
  readonly flow?: PacketEvent;
  readonly detectionId: string;
  readonly reason: string;
  readonly producer: string;
}

/** What was done; `never` means the subject is on the never list and the detection must be critical. */
export interface Containment {
  readonly taken: ActionTaken;
  readonly never: boolean;
}

/** Decides and emits (into `out`) the containment of a subject. */
export function contain(
  state: DecideState,
  ctx: DecideContext,
  subject: Subject,
  nowMs: number,
  out: Action[],
): Containment {
  if (ctx.mode === 'monitor') return { taken: 'would-block', never: false };
  if (ctx.never.has(subject.address)) return { taken: 'alerted', never: true };
  switch (ctx.outOfProfile) {
    case 'alert':
      return { taken: 'alerted', never: false };
    case 'block':
      if (subject.flow !== undefined) out.push(blockFlow(ctx, subject, subject.flow));
      return { taken: 'blocked', never: false };
    case 'quarantine':
      return { taken: quarantine(state, ctx, subject, nowMs, out), never: false };
  }
}

/**
 * Quarantines the subject unless it already is; also used to record what the
 * kernel did itself (`byKernel`): the kernel logs a quarantine only as it adds
 * the element, so such an event is always a new quarantine — even when this
 * node still remembers an older one (over a second old) that an operator has
 * since released.
 */
export function quarantine(
  state: DecideState,
  ctx: DecideContext,
  subject: Subject,
  nowMs: number,
  out: Action[],
  byKernel = false,
): ActionTaken {
  if (isQuarantined(state, subject.address, nowMs)) {
    // Two CPUs may both log the same kernel quarantine; only one noted over a second ago is stale.
    const notedMs = (lruPeek(state.quarantined, subject.address) ?? 0) - ctx.quarantineSeconds * 1000;
    if (!byKernel || nowMs - notedMs < KERNEL_DUPLICATE_MS) return 'already-quarantined';
  }
  noteQuarantine(state, subject.address, nowMs + ctx.quarantineSeconds * 1000);
  out.push({
    type: 'quarantine',
    address: subject.address,
    durationSeconds: ctx.quarantineSeconds,
    reason: subject.reason,
    producer: subject.producer,
    detectionId: subject.detectionId,
  });
  return 'quarantined';
}

function blockFlow(ctx: DecideContext, subject: Subject, flow: PacketEvent): Action {
  return {
    type: 'block-flow',
    source: subject.address,
    destination: flow.dstIp ?? '',
    protocol: flow.protocol ?? 0,
    port: flow.dstPort ?? 0,
    durationSeconds: ctx.quarantineSeconds,
    reason: subject.reason,
    producer: subject.producer,
    detectionId: subject.detectionId,
  };
}
