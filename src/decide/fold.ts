// Folding: repeats of one ongoing event (same kind, source and target, with less
// than the quiet time between them) update the count and last time of one
// detection instead of creating new ones, and are recorded at most once per
// `recordEveryMs`, so a flood cannot flood the journal. Detection ids are a hash
// of node, kind, source, target and first time: stable, never random.
// (state, sighting, now) → actions. Pure (mutates only the DecideState given).

import { createHash } from 'node:crypto';
import type { Action, ActionTaken, Detection, DetectionKind, Severity } from './decision.js';
import { lruDelete, lruGet, lruSet } from './lru.js';
import type { DecideState, FoldEntry } from './state.js';

/** The key detections fold by. */
export function foldKey(kind: DetectionKind, source: string, target: string | undefined): string {
  return `${kind}\u0000${source}\u0000${target ?? ''}`;
}

/** The stable id of a detection. */
export function detectionId(
  node: string,
  kind: DetectionKind,
  source: string,
  target: string | undefined,
  firstMs: number,
): string {
  return createHash('sha256')
    .update(`${node}\u0000${kind}\u0000${source}\u0000${target ?? ''}\u0000${firstMs}`)
    .digest('hex')
    .slice(0, 20);
}

/**
 * Folds a repeat into the ongoing detection under `key`, if there is one, and
 * returns true; a detection quiet for longer than its quiet time is closed
 * (its last update emitted) and false is returned, so the caller opens a new one.
 */
export function foldRepeat(state: DecideState, key: string, nowMs: number, out: Action[]): boolean {
  const entry = lruGet(state.folds, key, evictInto(state, out));
  if (entry === undefined) return false;
  if (nowMs - entry.lastMs > entry.quietMs) {
    if (state.dirty.delete(entry)) out.push(record(entry));
    lruDelete(state.folds, key);
    return false;
  }
  entry.count++;
  entry.lastMs = nowMs;
  if (nowMs - entry.lastEmitMs >= entry.recordEveryMs) {
    entry.lastEmitMs = nowMs;
    state.dirty.delete(entry);
    out.push(record(entry));
  } else {
    state.dirty.add(entry);
  }
  return true;
}

/** What a detector saw, before it is folded into a detection. */
export interface Sighting {
  readonly id: string;
  readonly kind: DetectionKind;
  readonly severity: Severity;
  readonly source: string;
  readonly target: string | undefined;
  readonly evidence: string;
  readonly producer: string;
  readonly action: ActionTaken;
  readonly reason: string;
}

/** Opens a new detection under `key` and emits it: an alert when it is severe or alerted, else a record. */
export function openDetection(
  state: DecideState,
  node: string,
  key: string,
  sighting: Sighting,
  nowMs: number,
  timing: { readonly quietMs: number; readonly recordEveryMs: number },
  out: Action[],
): Detection {
  // Built field by field, in one order, so every detection has one hidden class (fast in a flood).
  const detection: Detection = {
    id: sighting.id,
    node,
    kind: sighting.kind,
    severity: sighting.severity,
    firstMs: nowMs,
    lastMs: nowMs,
    count: 1,
    source: sighting.source,
    target: sighting.target,
    evidence: sighting.evidence,
    producer: sighting.producer,
    action: sighting.action,
    reason: sighting.reason,
  };
  const entry: FoldEntry = {
    first: detection,
    count: 1,
    lastMs: nowMs,
    lastEmitMs: nowMs,
    quietMs: timing.quietMs,
    recordEveryMs: timing.recordEveryMs,
  };
  lruSet(state.folds, key, entry, evictInto(state, out));
  state.stats.detections++;
  const severe = detection.severity === 'high' || detection.severity === 'critical';
  out.push(
    severe || detection.action === 'alerted' ? { type: 'alert', detection } : { type: 'record', detection },
  );
  return detection;
}

/** The source of the one detection per kind that sightings beyond the budget fold into. */
export const FLOOD_SOURCE = '*';

/**
 * Admits a new detection within the per-second budget. Beyond it — a flood from
 * many (often forged) sources — the sighting folds into one detection of its kind
 * from source `*`, nothing is contained (the kernel already acts on each packet),
 * and false is returned.
 */
export function admit(
  state: DecideState,
  node: string,
  sighting: Pick<Sighting, 'kind' | 'evidence' | 'action'>,
  nowMs: number,
  timing: { readonly quietMs: number; readonly recordEveryMs: number },
  out: Action[],
): boolean {
  const budget = state.budget;
  if (nowMs - budget.secondMs >= 1000) {
    budget.secondMs = nowMs;
    budget.opened = 0;
  }
  if (budget.opened < state.limits.newDetectionsPerSecond) {
    budget.opened++;
    return true;
  }
  const key = foldKey(sighting.kind, FLOOD_SOURCE, undefined);
  if (foldRepeat(state, key, nowMs, out)) return false;
  openDetection(
    state,
    node,
    key,
    {
      id: detectionId(node, sighting.kind, FLOOD_SOURCE, undefined, nowMs),
      kind: sighting.kind,
      severity: 'high',
      source: FLOOD_SOURCE,
      target: undefined,
      evidence: sighting.evidence,
      producer: 'detector:flood',
      action: sighting.action,
      reason: `more than ${state.limits.newDetectionsPerSecond} new detections in a second: a flood from many sources, folded into one`,
    },
    nowMs,
    timing,
    out,
  );
  return false;
}

/**
 * Emits the pending updates of folded detections whose record interval has
 * passed (all of them with `all`, e.g. at shutdown). The daemon calls it on its
 * batch timer so the last count of a flood that stopped is not lost.
 */
export function flushFolds(state: DecideState, nowMs: number, all = false): Action[] {
  const out: Action[] = [];
  for (const entry of state.dirty) {
    if (!all && nowMs - entry.lastEmitMs < entry.recordEveryMs) continue;
    entry.lastEmitMs = nowMs;
    state.dirty.delete(entry);
    out.push(record(entry));
  }
  return out;
}

/** Drops an evicted detection, emitting its pending update so no count is lost. */
function evictInto(state: DecideState, out: Action[]): (entry: FoldEntry) => void {
  return (entry) => {
    state.stats.evicted++;
    if (state.dirty.delete(entry)) out.push(record(entry));
  };
}

function record(entry: FoldEntry): Action {
  const d = entry.first;
  return {
    type: 'record',
    detection: {
      id: d.id,
      node: d.node,
      kind: d.kind,
      severity: d.severity,
      firstMs: d.firstMs,
      lastMs: entry.lastMs,
      count: entry.count,
      source: d.source,
      target: d.target,
      evidence: d.evidence,
      producer: d.producer,
      action: d.action,
      reason: d.reason,
    },
  };
}
