import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ruleset } from '../compile/ruleset.js';
import { createStateStore, StateLockedError, type StateStore } from './state-store.js';

const ruleset = (hash: string): Ruleset => ({
  site: 's',
  policyFile: 'p.yaml',
  hash,
  mode: 'enforce',
  outOfProfile: 'quarantine',
  quarantineTimeoutSeconds: 3600,
  never: [],
  entries: [],
  windows: [],
  l2: { allow: [], default: 'accept' },
  logGroup: 1,
});

describe('state store', () => {
  let dir: string;
  let store: StateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picket-store-'));
    store = createStateStore(join(dir, 'ns-1'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty', () => {
    expect(store.readCurrent()).toBeUndefined();
    expect(store.readPrevious()).toBeUndefined();
    expect(store.readPending()).toBeUndefined();
  });

  it('keeps the last good ruleset and moves the one before to previous', () => {
    store.saveApplied({ ruleset: ruleset('h1'), nft: 'one\n', appliedAtMs: 1 });
    store.saveApplied({ ruleset: ruleset('h2'), nft: 'two\n', appliedAtMs: 2 });
    expect(store.readCurrent()).toEqual({ ruleset: ruleset('h2'), nft: 'two\n', appliedAtMs: 2 });
    expect(store.readPrevious()?.ruleset.hash).toBe('h1');
    // A fresh store on the same directory (another process) sees the same.
    expect(createStateStore(store.dir).readCurrent()?.ruleset.hash).toBe('h2');
    expect(readdirSync(store.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rolls back to previous, or to nothing when there was none', () => {
    store.saveApplied({ ruleset: ruleset('h1'), nft: 'one\n', appliedAtMs: 1 });
    store.saveApplied({ ruleset: ruleset('h2'), nft: 'two\n', appliedAtMs: 2 });
    store.saveRolledBack('previous');
    expect(store.readCurrent()?.ruleset.hash).toBe('h1');
    expect(store.readPrevious()).toBeUndefined();
    store.saveApplied({ ruleset: ruleset('h3'), nft: 'three\n', appliedAtMs: 3 });
    store.saveRolledBack('nothing');
    expect(store.readCurrent()).toBeUndefined();
  });

  it('lets exactly one claimant take a pending confirmation', () => {
    store.writePending({ token: 't', deadlineMs: 5, hash: 'h2' });
    expect(store.readPending()?.token).toBe('t');
    expect(store.claimPending()?.token).toBe('t');
    expect(store.claimPending()).toBeUndefined();
    expect(store.readPending()).toBeUndefined();
  });
});

describe('state lock', () => {
  it('keeps a second holder out while the first lives, and takes over a dead holder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-lock-'));
    try {
      const store = createStateStore(dir);
      const unlock = store.lock();
      expect(() => store.lock()).toThrow(StateLockedError);
      unlock();
      store.lock()();
      // A pid that cannot exist stands for a crashed holder.
      writeFileSync(join(dir, 'lock'), '2147483646\n');
      expect(() => store.lock()()).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
