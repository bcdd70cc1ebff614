// The decoys in the node's journal (tables `decoys` and `decoy_moves`,
// migration 2): which decoys are in place now (profile, zone, address, MAC,
// identity) and every move any of them made — placed, rotated, yielded to a
// real device, removed — with when and why. better-sqlite3 handle → rows. Shell.

import type Database from 'better-sqlite3';
import type { DecoyMove } from '../deceive/plan/moves.js';
import type { PlacedDecoy } from '../deceive/plan/placement.js';

/** One journaled move. */
export interface DecoyMoveRow {
  readonly timeMs: number;
  readonly decoyId: string;
  readonly fromIp?: string;
  readonly toIp?: string;
  readonly fromMac?: string;
  readonly toMac?: string;
  readonly reason: string;
}

/** The decoy tables of an open journal. */
export interface DecoyJournal {
  /** Records moves and makes the `decoys` table equal to `inPlace`, in one transaction. */
  record(moves: readonly DecoyMove[], inPlace: readonly PlacedDecoy[], nowMs: number): void;
  /** Moves, oldest first (at most `limit`). */
  moves(limit?: number): DecoyMoveRow[];
}

interface RawMove {
  time_ms: number;
  decoy_id: string;
  from_ip: string | null;
  to_ip: string | null;
  from_mac: string | null;
  to_mac: string | null;
  reason: string;
}

/** Prepares the decoy statements on the journal's database. */
export function createDecoyJournal(db: Database.Database): DecoyJournal {
  const insertMove = db.prepare(
    'INSERT INTO decoy_moves (time_ms, decoy_id, from_ip, to_ip, from_mac, to_mac, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const upsert = db.prepare(
    `INSERT INTO decoys (id, profile, zone, ip, mac, identity, placed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET profile = excluded.profile, zone = excluded.zone, ip = excluded.ip,
       mac = excluded.mac, identity = excluded.identity, placed_ms = excluded.placed_ms`,
  );
  const remove = db.prepare('DELETE FROM decoys WHERE id = ?');
  const ids = db.prepare('SELECT id FROM decoys');
  const listMoves = db.prepare('SELECT * FROM decoy_moves ORDER BY rowid LIMIT ?');
  const record = db.transaction(
    (moves: readonly DecoyMove[], inPlace: readonly PlacedDecoy[], nowMs: number) => {
      for (const m of moves) {
        insertMove.run(
          nowMs,
          m.id,
          m.from?.ip ?? null,
          m.to?.ip ?? null,
          m.from?.identity.mac ?? null,
          m.to?.identity.mac ?? null,
          m.reason,
        );
      }
      const keep = new Set(inPlace.map((d) => d.id));
      const present = new Set((ids.all() as { id: string }[]).map((r) => r.id));
      for (const id of present) if (!keep.has(id)) remove.run(id);
      const moved = new Set(moves.map((m) => m.id));
      for (const d of inPlace) {
        if (present.has(d.id) && !moved.has(d.id)) continue;
        upsert.run(d.id, d.profile, d.zone, d.ip, d.identity.mac, JSON.stringify(d.identity), nowMs);
      }
    },
  );
  return {
    record: (moves, inPlace, nowMs) => record(moves, inPlace, nowMs),
    moves: (limit = 10_000) =>
      (listMoves.all(limit) as RawMove[]).map((r) => ({
        timeMs: r.time_ms,
        decoyId: r.decoy_id,
        ...(r.from_ip === null ? {} : { fromIp: r.from_ip }),
        ...(r.to_ip === null ? {} : { toIp: r.to_ip }),
        ...(r.from_mac === null ? {} : { fromMac: r.from_mac }),
        ...(r.to_mac === null ? {} : { toMac: r.to_mac }),
        reason: r.reason,
      })),
  };
}
