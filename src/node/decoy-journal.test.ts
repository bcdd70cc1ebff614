import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { movesBetween } from '../deceive/plan/moves.js';
import { planPlacement } from '../deceive/plan/placement.js';
import type { Prefix } from '../policy/types.js';
import { createDecoyJournal } from './decoy-journal.js';
import { createJournal, type Journal } from './journal.js';

const zones = [{ name: 'cell-a', networks: [{ family: 4, address: '10.20.1.0', length: 24 } as Prefix] }];
const plan = (epoch: number, count: number) =>
  planPlacement({
    seed: 's',
    epoch,
    zones,
    place: [{ zone: 'cell-a', profile: 's7-300', count }],
    taken: new Set(),
  }).decoys;

describe('decoy journal', () => {
  let dir: string;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picket-decoy-journal-'));
    journal = createJournal(join(dir, 'journal.db'));
  });
  afterEach(() => {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the decoys in place and every move', () => {
    const decoys = createDecoyJournal(journal.database);
    const first = [...plan(0, 2)];
    decoys.record(movesBetween([], first, 'placed'), first, 1_000);
    const second = [...plan(1, 1)];
    decoys.record(movesBetween(first, second, 'rotated'), second, 2_000);
    const rows = journal.database.prepare('SELECT id, ip, mac, placed_ms FROM decoys').all();
    expect(rows).toEqual([
      { id: 'cell-a/s7-300/0', ip: second[0]?.ip, mac: second[0]?.identity.mac, placed_ms: 2_000 },
    ]);
    expect(decoys.moves().map((m) => [m.decoyId, m.reason, m.fromIp ?? null, m.toIp ?? null])).toEqual([
      ['cell-a/s7-300/0', 'placed', null, first[0]?.ip],
      ['cell-a/s7-300/1', 'placed', null, first[1]?.ip],
      ['cell-a/s7-300/0', 'rotated', first[0]?.ip, second[0]?.ip],
      ['cell-a/s7-300/1', 'removed', first[1]?.ip, null],
    ]);
  });
});
