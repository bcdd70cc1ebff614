// An in-memory Journal with the real one's semantics (upsert by id, seq bumped
// on update, quarantine by address), for unit tests of whatever writes or reads
// the journal. Actions → memory. Fake of journal.ts.

import type { Action } from '../decide/decision.js';
import type { DetectionQuery, DetectionRow, Journal, QuarantineRow } from './journal.js';

/** The fake, with what was written exposed for assertions. */
export interface FakeJournal extends Omit<Journal, 'database'> {
  /** Every batch written, in order. */
  readonly batches: (readonly Action[])[];
  readonly closed: boolean;
}

/** An empty in-memory journal. */
export function createFakeJournal(): FakeJournal {
  const batches: (readonly Action[])[] = [];
  const detections = new Map<string, DetectionRow>();
  const quarantine = new Map<string, QuarantineRow>();
  let seq = 0;
  let closed = false;
  const writeBatch = (actions: readonly Action[], nowMs: number): void => {
    batches.push(actions);
    for (const a of actions) {
      if (a.type === 'record' || a.type === 'alert') {
        const old = detections.get(a.detection.id);
        const merged = old
          ? {
              ...old,
              lastMs: Math.max(old.lastMs, a.detection.lastMs),
              count: Math.max(old.count, a.detection.count),
            }
          : { ...a.detection, rowid: detections.size + 1 };
        detections.set(a.detection.id, { ...merged, action: a.detection.action, seq: ++seq });
      } else if (a.type === 'quarantine') {
        const old = quarantine.get(a.address);
        quarantine.set(a.address, {
          address: a.address,
          untilMs: nowMs + a.durationSeconds * 1000,
          reason: a.reason,
          ...(a.detectionId === undefined ? {} : { detectionId: a.detectionId }),
          createdMs: old !== undefined && old.untilMs > nowMs ? old.createdMs : nowMs,
        });
      } else if (a.type === 'release') {
        quarantine.delete(a.address);
      }
    }
  };
  return {
    batches,
    get closed() {
      return closed;
    },
    writeBatch,
    detections(q: DetectionQuery = {}) {
      const rows = [...detections.values()]
        .filter(
          (d) =>
            (q.sinceMs === undefined || d.lastMs >= q.sinceMs) &&
            (q.afterRowid === undefined || d.rowid > q.afterRowid) &&
            (q.afterSeq === undefined || d.seq > q.afterSeq) &&
            (q.kind === undefined || d.kind === q.kind),
        )
        .sort((a, b) => a.seq - b.seq);
      const limit = q.limit ?? 1000;
      const forward = q.afterSeq !== undefined || q.afterRowid !== undefined;
      return forward ? rows.slice(0, limit) : rows.slice(-limit);
    },
    activeQuarantine: (nowMs) =>
      [...quarantine.values()]
        .filter((q) => q.untilMs > nowMs)
        .sort((a, b) => a.address.localeCompare(b.address)),
    releaseQuarantine(address, nowMs, reason) {
      const held = (quarantine.get(address)?.untilMs ?? 0) > nowMs;
      writeBatch([{ type: 'release', address, reason, producer: 'operator' }], nowMs);
      return held;
    },
    close() {
      closed = true;
    },
  };
}
