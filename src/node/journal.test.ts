import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action, Detection } from '../decide/decision.js';
import { createJournal, type Journal, JournalError } from './journal.js';
import { createFakeJournal } from './journal-fake.js';
import { MIGRATIONS } from './journal-schema.js';

const T0 = Date.UTC(2026, 10, 25, 12);

function detection(id: string, fields: Partial<Detection> = {}): Detection {
  return {
    id,
    node: 'node-1',
    kind: 'scan',
    severity: 'high',
    firstMs: T0,
    lastMs: T0,
    count: 1,
    source: '10.20.0.66',
    evidence: '10.20.0.66:40000 → 10.20.1.10:502 tcp S len 44',
    producer: 'detector:scan',
    action: 'quarantined',
    reason: '10.20.0.66 reached 16 distinct hosts within 60 s (a sweep)',
    ...fields,
  };
}

const quarantine = (address: string, durationSeconds = 3600, detectionId?: string): Action => ({
  type: 'quarantine',
  address,
  durationSeconds,
  reason: 'scan',
  producer: 'detector:scan',
  ...(detectionId === undefined ? {} : { detectionId }),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picket-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['sqlite', (): Journal => createJournal(join(dir, 'journal.db'))],
  ['fake', (): Journal => createFakeJournal()],
])('journal (%s)', (_name, make) => {
  it('upserts a detection by id: count, last time and action follow the latest record', () => {
    const j = make();
    j.writeBatch([{ type: 'alert', detection: detection('a') }], T0);
    j.writeBatch(
      [{ type: 'record', detection: detection('a', { count: 40, lastMs: T0 + 5000 }) }],
      T0 + 5000,
    );
    j.writeBatch(
      [{ type: 'record', detection: detection('b', { kind: 'unknown-device', target: '10.20.1.10' }) }],
      T0 + 6000,
    );
    const rows = j.detections();
    expect(rows.map((r) => [r.id, r.count, r.lastMs])).toEqual([
      ['a', 40, T0 + 5000],
      ['b', 1, T0],
    ]);
    expect(rows[1]?.target).toBe('10.20.1.10');
    expect(j.detections({ kind: 'scan' }).map((r) => r.id)).toEqual(['a']);
    expect(j.detections({ sinceMs: T0 + 1 }).map((r) => r.id)).toEqual(['a']);
    j.close();
  });

  it('afterSeq returns new and updated detections, afterRowid only new ones', () => {
    const j = make();
    j.writeBatch(
      [
        { type: 'record', detection: detection('a') },
        { type: 'record', detection: detection('b') },
      ],
      T0,
    );
    const [, b] = j.detections();
    j.writeBatch([{ type: 'record', detection: detection('a', { count: 2 }) }], T0 + 1000);
    expect(j.detections({ afterSeq: b?.seq }).map((r) => [r.id, r.count])).toEqual([['a', 2]]);
    expect(j.detections({ afterRowid: b?.rowid })).toEqual([]);
    expect(j.detections({ limit: 1 }).map((r) => r.id)).toEqual(['a']);
    j.close();
  });

  it('holds quarantines until they expire and releases them on request', () => {
    const j = make();
    j.writeBatch([quarantine('10.20.0.66', 3600, 'det-1'), quarantine('10.20.0.77', 60)], T0);
    expect(j.activeQuarantine(T0 + 1000)).toEqual([
      { address: '10.20.0.66', untilMs: T0 + 3_600_000, reason: 'scan', detectionId: 'det-1', createdMs: T0 },
      { address: '10.20.0.77', untilMs: T0 + 60_000, reason: 'scan', createdMs: T0 },
    ]);
    expect(j.activeQuarantine(T0 + 61_000).map((q) => q.address)).toEqual(['10.20.0.66']);
    // A refresh keeps when the quarantine began.
    j.writeBatch([quarantine('10.20.0.66', 7200)], T0 + 10_000);
    expect(j.activeQuarantine(T0 + 10_000)[0]).toMatchObject({
      untilMs: T0 + 10_000 + 7_200_000,
      createdMs: T0,
    });
    expect(j.releaseQuarantine('10.20.0.66', T0 + 20_000, 'operator released it')).toBe(true);
    expect(j.releaseQuarantine('10.20.0.66', T0 + 20_000, 'again')).toBe(false);
    expect(j.activeQuarantine(T0 + 20_000).map((q) => q.address)).toEqual(['10.20.0.77']);
    j.close();
  });
});

describe('journal file', () => {
  it('everything written survives close and reopen', () => {
    const path = join(dir, 'journal.db');
    const j = createJournal(path);
    j.writeBatch(
      [
        quarantine('10.20.0.66', 3600, 'a'),
        { type: 'alert', detection: detection('a') },
        {
          type: 'block-flow',
          source: '10.20.0.50',
          destination: '10.20.1.10',
          protocol: 6,
          port: 502,
          durationSeconds: 60,
          reason: 'write',
          producer: 'policy.yaml:14 hmi-reads-plcs',
        },
      ],
      T0,
    );
    j.close();
    const again = createJournal(path);
    expect(again.detections()).toMatchObject([
      { id: 'a', kind: 'scan', count: 1, evidence: detection('a').evidence },
    ]);
    expect(again.activeQuarantine(T0)).toMatchObject([{ address: '10.20.0.66', detectionId: 'a' }]);
    again.writeBatch([{ type: 'record', detection: detection('a', { count: 9 }) }], T0 + 1);
    expect(again.detections()[0]?.count).toBe(9);
    again.close();
    const reader = createJournal(path, { readonly: true });
    expect(reader.detections()[0]?.count).toBe(9);
    expect(() => reader.writeBatch([quarantine('10.20.0.1')], T0)).toThrow(JournalError);
    reader.close();
  });

  it('writes 100k detections in well under a few seconds', () => {
    const j = createJournal(join(dir, 'journal.db'));
    const started = performance.now();
    for (let batch = 0; batch < 10; batch++) {
      const actions: Action[] = [];
      for (let i = 0; i < 10_000; i++)
        actions.push({ type: 'record', detection: detection(`d${batch}-${i}`) });
      j.writeBatch(actions, T0 + batch);
    }
    const elapsedMs = performance.now() - started;
    expect(j.detections({ afterSeq: 99_990 })).toHaveLength(10);
    expect(j.detections({ limit: 1 })[0]?.id).toBe('d9-9999');
    // ~0.3 s on an idle machine; the bound leaves room for a loaded CI box.
    expect(elapsedMs).toBeLessThan(5000);
    j.close();
  }, 30_000);

  it('migrates a new file to the current schema once, and refuses a file from a newer Picket', () => {
    const path = join(dir, 'journal.db');
    createJournal(path).close();
    createJournal(path).close();
    const raw = new Database(path);
    // One row per migration applied, each once: re-opening applied nothing again.
    expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
      MIGRATIONS.map((_sql, i) => ({ version: i + 1 })),
    );
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length + 1);
    raw.close();
    expect(() => createJournal(path)).toThrow(/newer than this Picket knows/);
    expect(() => createJournal(path, { readonly: true })).toThrow(JournalError);
  });

  it('refuses a missing file for reading and a file that is not a journal', () => {
    expect(() => createJournal(join(dir, 'missing.db'), { readonly: true })).toThrow(JournalError);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text '.repeat(200));
    expect(() => createJournal(junk)).toThrow(JournalError);
  });
});
