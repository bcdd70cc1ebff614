// The portal's permits in the node's journal (table `permits`, migration 2):
// who (user, backend), from where (address), which role, from when until when,
// and when and why it ended (logout, revoked, expired, replaced, role-removed).
// The audit trail and the source of truth for reconciling the kernel after a
// restart. better-sqlite3 handle → rows. Shell.

import type Database from 'better-sqlite3';

/** One permit as journaled. */
export interface PermitRow {
  readonly id: string;
  readonly address: string;
  readonly user: string;
  readonly role: string;
  readonly backend: string;
  readonly createdMs: number;
  readonly untilMs: number;
  readonly endedMs?: number;
  readonly endReason?: string;
}

/** Why a permit ended. */
export type PermitEndReason = 'logout' | 'revoked' | 'expired' | 'replaced' | 'role-removed';

interface Raw {
  id: string;
  address: string;
  user: string;
  role: string;
  backend: string;
  created_ms: number;
  until_ms: number;
  ended_ms: number | null;
  end_reason: string | null;
}

function rowOf(r: Raw): PermitRow {
  return {
    id: r.id,
    address: r.address,
    user: r.user,
    role: r.role,
    backend: r.backend,
    createdMs: r.created_ms,
    untilMs: r.until_ms,
    ...(r.ended_ms === null ? {} : { endedMs: r.ended_ms }),
    ...(r.end_reason === null ? {} : { endReason: r.end_reason }),
  };
}

/** Records a new permit. */
export function insertPermit(db: Database.Database, p: PermitRow): void {
  db.prepare(
    'INSERT INTO permits (id, address, user, role, backend, created_ms, until_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(p.id, p.address, p.user, p.role, p.backend, p.createdMs, p.untilMs);
}

/** Ends a permit that has not ended yet; false when there was none. */
export function endPermit(
  db: Database.Database,
  id: string,
  endedMs: number,
  reason: PermitEndReason,
): boolean {
  const r = db
    .prepare('UPDATE permits SET ended_ms = ?, end_reason = ? WHERE id = ? AND ended_ms IS NULL')
    .run(endedMs, reason, id);
  return r.changes > 0;
}

/** Permits not ended and not past their time. */
export function activePermits(db: Database.Database, nowMs: number): PermitRow[] {
  return (
    db
      .prepare('SELECT * FROM permits WHERE ended_ms IS NULL AND until_ms > ? ORDER BY created_ms')
      .all(nowMs) as Raw[]
  ).map(rowOf);
}

/** The permits `address` holds now (normally at most one). */
export function activePermitsOf(db: Database.Database, address: string, nowMs: number): PermitRow[] {
  return (
    db
      .prepare(
        'SELECT * FROM permits WHERE address = ? AND ended_ms IS NULL AND until_ms > ? ORDER BY created_ms',
      )
      .all(address, nowMs) as Raw[]
  ).map(rowOf);
}

/** Records every permit past its time as ended 'expired' (at its until time); returns them. */
export function expireDue(db: Database.Database, nowMs: number): PermitRow[] {
  const due = (
    db.prepare('SELECT * FROM permits WHERE ended_ms IS NULL AND until_ms <= ?').all(nowMs) as Raw[]
  ).map(rowOf);
  const end = db.prepare(
    "UPDATE permits SET ended_ms = until_ms, end_reason = 'expired' WHERE id = ? AND ended_ms IS NULL",
  );
  db.transaction(() => {
    for (const p of due) end.run(p.id);
  })();
  return due;
}

/** The most recent permits, newest first (all, or only the active ones). */
export function listPermits(
  db: Database.Database,
  options: { readonly activeAtMs?: number; readonly limit?: number } = {},
): PermitRow[] {
  const limit = options.limit ?? 1000;
  const rows =
    options.activeAtMs === undefined
      ? db.prepare('SELECT * FROM permits ORDER BY created_ms DESC LIMIT ?').all(limit)
      : db
          .prepare(
            'SELECT * FROM permits WHERE ended_ms IS NULL AND until_ms > ? ORDER BY created_ms DESC LIMIT ?',
          )
          .all(options.activeAtMs, limit);
  return (rows as Raw[]).map(rowOf);
}
