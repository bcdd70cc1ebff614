import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ruleset } from '../compile/ruleset.js';
import {
  ApplyRejectedError,
  applyRuleset,
  parseTableComment,
  quarantineElementsText,
  readEnforced,
  rollbackTo,
} from './apply.js';
import { confirmPending, NothingPendingError, rollbackIfUnconfirmed } from './confirm.js';
import { createFakeNft, type FakeNft } from './nft-fake.js';
import { createStateStore, type StateStore } from './state-store.js';

const ruleset = (hash: string, over: Partial<Ruleset> = {}): Ruleset => ({
  site: 'riverside',
  policyFile: 'policy.yaml',
  hash,
  mode: 'enforce',
  outOfProfile: 'quarantine',
  quarantineTimeoutSeconds: 3600,
  never: ['10.20.1.10'],
  neverAssets: [{ asset: 'plc-a1', address: '10.20.1.10', family: 4, line: 7 }],
  entries: [
    {
      family: 4,
      source: '10.20.0.50',
      destination: '10.20.1.10',
      transport: 'tcp',
      ports: '502',
      rule: 'r',
      line: 20,
    },
  ],
  windows: [],
  l2: { allow: [0x0806], default: 'drop' },
  logGroup: 1,
  logRatePerSecond: 10,
  enforcementLine: 30,
  ...over,
});

describe('applyRuleset', () => {
  let dir: string;
  let nft: FakeNft;
  let store: StateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picket-apply-'));
    nft = createFakeNft();
    store = createStateStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const deps = () => ({ nft, store, nowMs: 1_000 });

  it('replaces the tables in one transaction and records the last good ruleset', () => {
    applyRuleset(deps(), ruleset('a1'));
    expect(nft.committed).toHaveLength(1);
    expect(readEnforced(nft)).toEqual({
      present: true,
      site: 'riverside',
      hash: 'a1',
      policyFile: 'policy.yaml',
    });
    expect(store.readCurrent()?.ruleset.hash).toBe('a1');
  });

  it('changes nothing, kernel or disk, when the kernel rejects the transaction', () => {
    applyRuleset(deps(), ruleset('a1'));
    const before = nft.tables();
    nft.rejectContaining = '10.20.0.51';
    const next = ruleset('b2', { entries: [{ ...ruleset('x').entries[0]!, source: '10.20.0.51' }] });
    const error = (() => {
      try {
        applyRuleset(deps(), next);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ApplyRejectedError);
    expect((error as ApplyRejectedError).hint).toContain('last good ruleset a1');
    expect(nft.tables()).toBe(before);
    expect(store.readCurrent()?.ruleset.hash).toBe('a1');
  });

  it('carries quarantined sources over, except those now on the never-list', () => {
    applyRuleset(deps(), ruleset('a1', { never: [] }));
    nft.run(
      quarantineElementsText([
        { address: '10.20.0.99', family: 4, timeoutSeconds: 1800, expiresSeconds: 1200 },
        { address: '10.20.1.10', family: 4, timeoutSeconds: 3600, expiresSeconds: 60 },
      ]),
    );
    const result = applyRuleset(deps(), ruleset('b2'));
    expect(result.carried.map((q) => q.address)).toEqual(['10.20.0.99']);
    expect(result.released).toEqual(['10.20.1.10']);
    expect([...nft.quarantine.keys()]).toEqual(['10.20.0.99']);
    expect(nft.quarantine.get('10.20.0.99')).toEqual({ timeoutSeconds: 1800, expiresSeconds: 1200 });
  });

  it('rolls back to the previous ruleset, keeping the quarantine', () => {
    applyRuleset(deps(), ruleset('a1'));
    applyRuleset(deps(), ruleset('b2'));
    nft.run(
      quarantineElementsText([
        { address: '10.20.0.99', family: 4, timeoutSeconds: 1800, expiresSeconds: 900 },
      ]),
    );
    rollbackTo({ nft, store }, store.readPrevious());
    expect(readEnforced(nft).hash).toBe('a1');
    expect(nft.quarantine.has('10.20.0.99')).toBe(true);
    expect(store.readCurrent()?.ruleset.hash).toBe('a1');
  });

  it('rolls back to no tables at all when there was no previous ruleset', () => {
    applyRuleset(deps(), ruleset('a1'));
    rollbackTo({ nft, store }, undefined);
    expect(readEnforced(nft)).toEqual({ present: false });
    expect(store.readCurrent()).toBeUndefined();
  });
});

describe('confirm-or-rollback', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets either the confirmation or the timer act, never both', () => {
    dir = mkdtempSync(join(tmpdir(), 'picket-confirm-'));
    const store = createStateStore(dir);
    const nft = createFakeNft();
    applyRuleset({ nft, store, nowMs: 1 }, ruleset('a1'));
    store.writePending({ token: 't', deadlineMs: 2, hash: 'a1' });
    expect(confirmPending(store).hash).toBe('a1');
    expect(rollbackIfUnconfirmed({ nft, store }, 't')).toBe('confirmed');
    expect(readEnforced(nft).hash).toBe('a1');
    expect(() => confirmPending(store)).toThrow(NothingPendingError);

    store.writePending({ token: 'u', deadlineMs: 2, hash: 'a1' });
    expect(rollbackIfUnconfirmed({ nft, store }, 'u')).toBe('rolled-back');
    expect(readEnforced(nft).present).toBe(false);
  });
});

describe('parseTableComment', () => {
  it('reads site, hash and a policy path with spaces replaced', () => {
    expect(parseTableComment('picket site=river hash=abc policy=etc/picket/policy.yaml')).toEqual({
      site: 'river',
      hash: 'abc',
      policyFile: 'etc/picket/policy.yaml',
    });
  });
});
