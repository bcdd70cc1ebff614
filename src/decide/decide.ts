// The decision loop's core: one packet event (or protocol finding) in, the
// actions it calls for out. Every result is a function of (state, event, now,
// context) alone — no clock, I/O or randomness — and the DecideState passed in
// is the only thing mutated (in place, for speed: 150k events/s). The caller
// owns the state, runs `decide` for each event, `flush` on its batch timer, and
// hands the actions to the journal and the executor.
// (DecideState, PacketEvent, nowMs, DecideContext) → Action[]. Pure.

import type { PacketEvent } from '../sense/packet-event.js';
import { detectArpScan } from './arp-scan.js';
import type { DecideContext } from './context.js';
import type { Action } from './decision.js';
import { detectDecoyTouch } from './decoy-touch.js';
import { flushFolds } from './fold.js';
import { detectOutOfProfile } from './out-of-profile.js';
import { detectProtocolViolation, type ProtocolFinding } from './protocol-violation.js';
import { detectQuarantinedSource } from './quarantined-source.js';
import { detectScan } from './scan.js';
import { detectSpoofing } from './spoofing.js';
import type { DecideState } from './state.js';
import { detectUnknownDevice } from './unknown-device.js';

export { createDecideContext, type DecideContext, type DecideOptions, type Thresholds } from './context.js';
export type { ProtocolFinding } from './protocol-violation.js';
export { noteQuarantine, noteRelease } from './respond.js';
export { createDecideState, type DecideLimits, type DecideState } from './state.js';

const NONE: readonly Action[] = Object.freeze([]);

/** The actions one packet event calls for: containment first, then records and alerts. */
export function decide(
  state: DecideState,
  event: PacketEvent,
  nowMs: number,
  ctx: DecideContext,
): readonly Action[] {
  state.stats.events++;
  const out: Action[] = [];
  switch (event.origin) {
    case 'quarantine':
    case 'block':
    case 'alert':
    case 'would-block':
      detectOutOfProfile(state, ctx, event, nowMs, out);
      detectScan(state, ctx, event, nowMs, out);
      break;
    case 'l2':
      detectOutOfProfile(state, ctx, event, nowMs, out);
      break;
    case 'quarantined':
      detectQuarantinedSource(state, ctx, event, nowMs, out);
      detectScan(state, ctx, event, nowMs, out);
      break;
    case 'capture':
      detectScan(state, ctx, event, nowMs, out);
      break;
    case 'queue':
      break;
    case 'decoy':
      detectDecoyTouch(state, ctx, event, nowMs, out);
      break;
    case 'decoy-note':
      detectDecoyTouch(state, ctx, event, nowMs, out);
      return out.length === 0 ? NONE : out;
    case 'decoy-claim':
      // The node's decoy host yields the address; nothing to decide about the claimant here.
      return NONE;
  }
  detectSpoofing(state, ctx, event, nowMs, out);
  detectUnknownDevice(state, ctx, event, nowMs, out);
  if (event.arp !== undefined) detectArpScan(state, ctx, event, nowMs, out);
  return out.length === 0 ? NONE : out;
}

/** The actions a protocol engine's finding calls for (none when the finding is allowed). */
export function decideProtocolFinding(
  state: DecideState,
  finding: ProtocolFinding,
  nowMs: number,
  ctx: DecideContext,
): readonly Action[] {
  const out: Action[] = [];
  detectProtocolViolation(state, ctx, finding, nowMs, out);
  return out.length === 0 ? NONE : out;
}

/** Pending records of folded detections whose record interval has passed (all of them with `all`). */
export function flush(state: DecideState, nowMs: number, all = false): readonly Action[] {
  return flushFolds(state, nowMs, all);
}
