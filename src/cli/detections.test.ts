import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Detection } from '../decide/decision.js';
import { createJournal } from '../node/journal.js';
import { main as detections, formatDetection } from './detections.js';
import { UsageError } from './errors.js';

const T0 = Date.UTC(2026, 10, 25, 12);

const scan: Detection = {
  id: 'a1',
  node: 'node-1',
  kind: 'scan',
  severity: 'high',
  firstMs: T0,
  lastMs: T0 + 4000,
  count: 42,
  source: '10.20.0.66',
  evidence: '10.20.0.66:40000 → 10.20.1.10:502 tcp S len 44',
  producer: 'detector:scan',
  action: 'quarantined',
  reason: '10.20.0.66 reached 16 distinct hosts within 60 s (a sweep)',
};
const oop: Detection = {
  ...scan,
  id: 'b2',
  kind: 'out-of-profile',
  severity: 'medium',
  lastMs: T0 - 3_600_000,
  count: 1,
  target: '10.20.1.11',
  action: 'blocked',
  reason: 'no rule allows it',
};

let dir: string;
let path: string;
let out: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picket-detections-'));
  path = join(dir, 'journal.db');
  const j = createJournal(path);
  j.writeBatch(
    [
      { type: 'record', detection: oop },
      { type: 'alert', detection: scan },
    ],
    T0,
  );
  j.close();
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('picket detections', () => {
  it('formats one line per detection: time, kind, severity, source → target, count, action, reason', () => {
    expect(formatDetection(oop)).toBe(
      '2026-11-25T11:00:00Z  out-of-profile     medium   10.20.0.66 → 10.20.1.11  ×1  blocked  no rule allows it',
    );
    expect(formatDetection(scan)).toContain(
      'scan               high     10.20.0.66  ×42  quarantined  10.20.0.66 reached',
    );
  });

  it.each([
    ['everything, oldest first', ['--journal', 'PATH'], ['b2', 'a1']],
    ['since 10 minutes', ['--journal', 'PATH', '--since', '10m'], ['a1']],
    ['one kind', ['--journal', 'PATH', '--kind', 'out-of-profile'], ['b2']],
    ['the journal from PICKET_JOURNAL', [], ['b2', 'a1']],
  ])('%s', async (_name, args, ids) => {
    const argv = [...args.map((a) => (a === 'PATH' ? path : a)), '--json'];
    expect(await detections(argv, { nowMs: () => T0, env: { PICKET_JOURNAL: path } })).toBe(0);
    expect(out.map((line) => JSON.parse(line).id)).toEqual(ids);
  });

  it('--follow prints new and folded detections until stopped', async () => {
    const controller = new AbortController();
    const running = detections(['--journal', path, '--follow', '--json'], {
      signal: controller.signal,
      pollMs: 10,
    });
    const writer = createJournal(path);
    writer.writeBatch([{ type: 'record', detection: { ...scan, count: 99, lastMs: T0 + 9000 } }], T0 + 9000);
    writer.close();
    await vi.waitFor(() => expect(out).toHaveLength(3), { timeout: 5000 });
    controller.abort();
    expect(await running).toBe(0);
    expect(JSON.parse(out[2] ?? '{}')).toMatchObject({ id: 'a1', count: 99 });
  });

  it.each([[['--since', 'soon']], [['--kind', 'portscan']], [['--limit', '0']], [['extra']]])(
    'refuses %j',
    async (args) => {
      await expect(detections(['--journal', path, ...args])).rejects.toThrow(UsageError);
    },
  );

  it('a missing journal is an error that says where it looked', async () => {
    await expect(detections(['--journal', join(dir, 'none.db')])).rejects.toThrow(/none\.db/);
  });
});
