import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJournal } from './journal.js';
import {
  activePermits,
  activePermitsOf,
  endPermit,
  expireDue,
  insertPermit,
  listPermits,
} from './permit-journal.js';

function journal() {
  return createJournal(join(mkdtempSync(join(tmpdir(), 'picket-permits-')), 'journal.db'));
}

const permit = (id: string, address: string, createdMs: number, untilMs: number) => ({
  id,
  address,
  user: 'alice',
  role: 'vendor',
  backend: 'corp-ldap',
  createdMs,
  untilMs,
});

describe('permits in the journal', () => {
  it('keeps who, from where, which role, until when — and how each ended', () => {
    const j = journal();
    const db = j.database;
    insertPermit(db, permit('p-1', '10.0.0.9', 1_000, 5_000));
    insertPermit(db, permit('p-2', '10.0.0.8', 2_000, 9_000));
    insertPermit(db, permit('p-3', '10.0.0.7', 3_000, 9_000));
    expect(activePermits(db, 4_000).map((p) => p.id)).toEqual(['p-1', 'p-2', 'p-3']);
    expect(activePermitsOf(db, '10.0.0.8', 4_000).map((p) => p.id)).toEqual(['p-2']);
    expect(endPermit(db, 'p-2', 4_500, 'logout')).toBe(true);
    expect(endPermit(db, 'p-2', 4_600, 'revoked')).toBe(false);
    expect(expireDue(db, 6_000).map((p) => p.id)).toEqual(['p-1']);
    expect(activePermits(db, 6_000).map((p) => p.id)).toEqual(['p-3']);
    const all = listPermits(db);
    expect(all.map((p) => [p.id, p.endReason, p.endedMs])).toEqual([
      ['p-3', undefined, undefined],
      ['p-2', 'logout', 4_500],
      ['p-1', 'expired', 5_000],
    ]);
    expect(listPermits(db, { activeAtMs: 6_000 })).toMatchObject([
      { id: 'p-3', user: 'alice', backend: 'corp-ldap' },
    ]);
    j.close();
  });
});
