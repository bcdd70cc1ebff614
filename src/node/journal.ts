// The node's journal: every detection (folded, upserted by id), every action
// taken (appended; a record only updates its detection) and the quarantine it holds (address → until when), in one
// SQLite file, so a restart or reboot forgets nothing. WAL mode with
// synchronous=NORMAL and one transaction per batch: the daemon writes at most
// every ~100 ms, and a power cut loses at most the last batch, never the file.
// Actions → SQLite; queries → rows. Shell (a driver: it decides nothing).

import Database from 'better-sqlite3';
import { PicketError } from '../cli/errors.js';
import type { Action, ActionTaken, Detection, DetectionKind, Severity } from '../decide/decision.js';
import { MIGRATIONS } from './journal-schema.js';

/** A quarantine the journal holds. */
export interface QuarantineRow {
  readonly address: string;
  readonly untilMs: number;
  readonly reason: string;
  readonly detectionId?: string;
  readonly createdMs: number;
}

/** A detection as stored, with its row id (insertion order) and `seq` (bumped on every update). */
export interface DetectionRow extends Detection {
  readonly rowid: number;
  readonly seq: number;
}

/** Which detections to read. With `afterSeq`/`afterRowid` the oldest matching come first; otherwise the newest `limit`. */
export interface DetectionQuery {
  /** Detections active (lastMs) at or after this time. */
  readonly sinceMs?: number;
  /** Only rows inserted after this row id (new detections). */
  readonly afterRowid?: number;
  /** Only rows inserted or updated after this seq (new and folded detections: what `--follow` polls). */
  readonly afterSeq?: number;
  readonly kind?: string;
  readonly limit?: number;
}

/** The journal driver. */
export interface Journal {
  /** Writes a batch of actions in one transaction at `nowMs`. */
  writeBatch(actions: readonly Action[], nowMs: number): void;
  /** Detections matching the query, in seq order. */
  detections(query?: DetectionQuery): DetectionRow[];
  /** Quarantines still in force at `nowMs`. */
  activeQuarantine(nowMs: number): QuarantineRow[];
  /** Ends a quarantine and logs why; false when the address was not quarantined. */
  releaseQuarantine(address: string, nowMs: number, reason: string): boolean;
  /**
   * The open database, for the tables other parts of the node keep in the same
   * file (permits, decoys); they prepare their own statements on it.
   */
  readonly database: Database.Database;
  close(): void;
}

/** The journal file cannot be opened (missing, unreadable, not a journal, or newer than this Picket). */
export class JournalError extends PicketError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super('journal', `journal ${path}: ${message}`, options);
    this.path = path;
  }
}

interface RawDetection {
  rowid: number;
  seq: number;
  id: string;
  node: string;
  kind: string;
  severity: string;
  first_ms: number;
  last_ms: number;
  count: number;
  source: string;
  target: string | null;
  evidence: string;
  producer: string;
  action: string;
  reason: string;
}

/** Opens (creating and migrating if needed) the journal at `path`; `readonly` opens an existing one for reading. */
export function createJournal(path: string, options: { readonly?: boolean } = {}): Journal {
  const db = open(path, options.readonly === true);
  try {
    if (!options.readonly) migrate(db, path);
    else if (version(db) > MIGRATIONS.length) throw newer(path, version(db));
  } catch (error) {
    db.close();
    throw error;
  }

  const upsertDetection = options.readonly
    ? undefined
    : db.prepare(
        `INSERT INTO detections (id, seq, node, kind, severity, first_ms, last_ms, count, source, target, evidence, producer, action, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, last_ms = max(last_ms, excluded.last_ms),
           count = max(count, excluded.count), action = excluded.action, severity = excluded.severity`,
      );
  const appendAction = options.readonly
    ? undefined
    : db.prepare(
        `INSERT INTO actions (time_ms, type, address, reason, producer, detection_id)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
  const upsertQuarantine = options.readonly
    ? undefined
    : db.prepare(
        `INSERT INTO quarantine (address, until_ms, reason, detection_id, created_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(address) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason,
           detection_id = coalesce(excluded.detection_id, detection_id),
           created_ms = CASE WHEN until_ms > excluded.created_ms THEN created_ms ELSE excluded.created_ms END`,
      );
  const deleteQuarantine = options.readonly
    ? undefined
    : db.prepare('DELETE FROM quarantine WHERE address = ?');
  let seq = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM detections').get() as { s: number }).s;

  const write = (actions: readonly Action[], nowMs: number): void => {
    if (!upsertDetection || !appendAction || !upsertQuarantine || !deleteQuarantine) {
      throw new JournalError(path, 'opened read-only');
    }
    for (const a of actions) {
      switch (a.type) {
        case 'record':
        case 'alert': {
          const d = a.detection;
          upsertDetection.run(
            d.id,
            ++seq,
            d.node,
            d.kind,
            d.severity,
            d.firstMs,
            d.lastMs,
            d.count,
            d.source,
            d.target ?? null,
            d.evidence,
            d.producer,
            d.action,
            d.reason,
          );
          if (a.type === 'alert') appendAction.run(nowMs, 'alert', d.source, d.reason, d.producer, d.id);
          break;
        }
        case 'quarantine':
          upsertQuarantine.run(
            a.address,
            nowMs + a.durationSeconds * 1000,
            a.reason,
            a.detectionId ?? null,
            nowMs,
          );
          appendAction.run(nowMs, 'quarantine', a.address, a.reason, a.producer, a.detectionId ?? null);
          break;
        case 'release':
          deleteQuarantine.run(a.address);
          appendAction.run(nowMs, 'release', a.address, a.reason, a.producer, null);
          break;
        case 'block-flow':
          appendAction.run(
            nowMs,
            'block-flow',
            `${a.source} → ${a.destination} ${a.protocol}/${a.port}`,
            a.reason,
            a.producer,
            a.detectionId ?? null,
          );
          break;
      }
    }
  };
  const writeBatch = db.transaction(write);

  return {
    writeBatch(actions, nowMs) {
      if (actions.length > 0) writeBatch(actions, nowMs);
    },
    detections: (query = {}) => readDetections(db, query),
    activeQuarantine: (nowMs) =>
      (
        db
          .prepare(
            'SELECT address, until_ms, reason, detection_id, created_ms FROM quarantine WHERE until_ms > ? ORDER BY address',
          )
          .all(nowMs) as {
          address: string;
          until_ms: number;
          reason: string;
          detection_id: string | null;
          created_ms: number;
        }[]
      ).map((r) => ({
        address: r.address,
        untilMs: r.until_ms,
        reason: r.reason,
        ...(r.detection_id === null ? {} : { detectionId: r.detection_id }),
        createdMs: r.created_ms,
      })),
    releaseQuarantine(address, nowMs, reason) {
      const held = db
        .prepare('SELECT 1 FROM quarantine WHERE address = ? AND until_ms > ?')
        .get(address, nowMs);
      writeBatch([{ type: 'release', address, reason, producer: 'operator' }], nowMs);
      return held !== undefined;
    },
    database: db,
    close: () => db.close(),
  };
}

function open(path: string, readonly: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
    // A reader (the CLI) waits for the daemon's commit instead of failing.
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    return db;
  } catch (cause) {
    db?.close();
    throw new JournalError(path, readonly ? 'cannot be opened for reading' : 'cannot be opened', {
      cause,
      hint: readonly
        ? 'is the node running here? give another path with --journal or PICKET_JOURNAL'
        : 'is it a Picket journal, and is its directory writable?',
    });
  }
}

function version(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const current = version(db);
    if (current > MIGRATIONS.length) throw newer(path, current);
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    }
  }).immediate();
}

function newer(path: string, found: number): JournalError {
  return new JournalError(
    path,
    `schema version ${found} is newer than this Picket knows (${MIGRATIONS.length})`,
    {
      hint: 'run the Picket version that wrote it, or move the file aside',
    },
  );
}

function readDetections(db: Database.Database, q: DetectionQuery): DetectionRow[] {
  const clauses: [string, string | number | undefined][] = [
    ['last_ms >= ?', q.sinceMs],
    ['rowid > ?', q.afterRowid],
    ['seq > ?', q.afterSeq],
    ['kind = ?', q.kind],
  ];
  const given = clauses.filter((c): c is [string, string | number] => c[1] !== undefined);
  const where = given.map((c) => c[0]);
  const args = given.map((c) => c[1]);
  const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const limit = q.limit ?? 1000;
  const forward = q.afterSeq !== undefined || q.afterRowid !== undefined;
  const sql = `SELECT rowid, * FROM detections ${filter} ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT ?`;
  const rows = (db.prepare(sql).all(...args, limit) as RawDetection[]).map(fromRow);
  return forward ? rows : rows.reverse();
}

function fromRow(r: RawDetection): DetectionRow {
  return {
    rowid: r.rowid,
    seq: r.seq,
    id: r.id,
    node: r.node,
    kind: r.kind as DetectionKind,
    severity: r.severity as Severity,
    firstMs: r.first_ms,
    lastMs: r.last_ms,
    count: r.count,
    source: r.source,
    ...(r.target === null ? {} : { target: r.target }),
    evidence: r.evidence,
    producer: r.producer,
    action: r.action as ActionTaken,
    reason: r.reason,
  };
}
