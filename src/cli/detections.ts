// `picket detections [--follow] [--json] [--since 10m] [--kind scan] [--journal path]`:
// what the node detected and did, read from its journal — one line per
// detection (time, kind, severity, source → target, count, action, reason), or
// one JSON object per line. `--follow` keeps polling for new and updated
// (folded) detections until interrupted. The journal is the node's default
// (`<state dir>/journal.db` of this network namespace) unless --journal or
// $PICKET_JOURNAL names another.
// Shell.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseDurationSeconds } from '../apply/duration.js';
import { defaultStateDir } from '../apply/state-store.js';
import type { Detection, DetectionKind } from '../decide/decision.js';
import { createJournal, type DetectionQuery } from '../node/journal.js';
import { UsageError } from './errors.js';

const USAGE =
  'usage: picket detections [--follow] [--json] [--since 10m] [--kind scan] [--limit 100] [--journal path]';

/** Where the node of this network namespace keeps its journal unless its config says otherwise. */
export function defaultJournal(): string {
  return join(defaultStateDir(), 'journal.db');
}

const KINDS: readonly DetectionKind[] = [
  'out-of-profile',
  'scan',
  'unknown-device',
  'spoofing',
  'arp-scan',
  'quarantined-source',
  'protocol-violation',
];

/** One detection as a line for people: time, kind, severity, source → target, count, action, reason. */
export function formatDetection(d: Detection): string {
  const time = new Date(d.lastMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const flow = d.target === undefined ? d.source : `${d.source} → ${d.target}`;
  return `${time}  ${d.kind.padEnd(18)} ${d.severity.padEnd(8)} ${flow}  ×${d.count}  ${d.action}  ${d.reason}`;
}

/** What `main` needs from the world, replaceable in tests. */
export interface DetectionsDeps {
  readonly nowMs?: () => number;
  /** Stops `--follow` (SIGINT otherwise). */
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `picket detections`: exit 0 after printing (or, with --follow, after SIGINT). */
export async function main(argv: readonly string[], deps: DetectionsDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
      since: { type: 'string' },
      kind: { type: 'string' },
      limit: { type: 'string' },
      journal: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(USAGE);
  const nowMs = deps.nowMs ?? Date.now;
  const query = queryOf(values, nowMs());
  const path = values.journal ?? (deps.env ?? process.env).PICKET_JOURNAL ?? defaultJournal();
  const print = (d: Detection) =>
    process.stdout.write(`${values.json ? JSON.stringify(d) : formatDetection(d)}\n`);

  const journal = createJournal(path, { readonly: true });
  try {
    let rows = journal.detections(query);
    rows.forEach(print);
    if (!values.follow) return 0;
    const signal = deps.signal ?? interrupted();
    let lastSeq = rows.at(-1)?.seq ?? 0;
    while (!signal.aborted) {
      try {
        await sleep(deps.pollMs ?? 1000, undefined, { signal });
      } catch {
        break;
      }
      rows = journal.detections({ ...query, afterSeq: lastSeq, limit: 10_000 });
      rows.forEach(print);
      lastSeq = rows.at(-1)?.seq ?? lastSeq;
    }
    return 0;
  } finally {
    journal.close();
  }
}

function queryOf(
  values: { since?: string; kind?: string; limit?: string },
  nowMs: number,
): Omit<DetectionQuery, 'afterSeq'> {
  let sinceMs: number | undefined;
  if (values.since !== undefined) {
    const seconds = parseDurationSeconds(values.since);
    if (seconds === undefined)
      throw new UsageError(`--since "${values.since}" is not a duration`, 'e.g. 90s, 10m, 2h, 1d');
    sinceMs = nowMs - seconds * 1000;
  }
  if (values.kind !== undefined && !KINDS.includes(values.kind as DetectionKind)) {
    throw new UsageError(`--kind "${values.kind}" is not a detection kind`, `one of ${KINDS.join(', ')}`);
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit "${values.limit}" is not a positive number`);
  return {
    limit,
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(values.kind === undefined ? {} : { kind: values.kind }),
  };
}

/** Aborts on the first SIGINT, so `--follow` ends cleanly and closes the journal. */
function interrupted(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}
