// The node's portal with a fake kernel, a real journal file and a fake
// backend: permits become kernel commands and journal rows, the server starts
// for a portal policy, restarts when the portal section changes, stops when
// it goes, and journaled permits are put back with their remaining time.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeNft } from '../apply/nft-fake.js';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import { parsePolicy } from '../policy/parse.js';
import type { AuthBackend } from '../portal/backend.js';
import type { InForce } from './enforcer.js';
import { createJournal } from './journal.js';
import { activePermits, insertPermit, listPermits } from './permit-journal.js';
import { createNodePortal, type NodePortal } from './portal.js';

function inForce(enforcement: string, max = '8h'): InForce {
  const source = `version: 1
site: s
zones: { cell: { networks: [10.0.1.0/24] } }
assets: { plc-1: { ip: 10.0.1.10, zone: cell } }
services: { modbus: { tcp: [502] } }
enforcement: ${enforcement}
portal:
  grant: { max: ${max} }
  backends: [{ name: api, http: { url: "https://idp.example/a" } }]
  roles: { vendor: { to: [plc-1], services: [modbus] } }
`;
  const { policy } = parsePolicy(source, 'p.yaml');
  return { policy: policy!, ruleset: compile(policy!, { nowMs: 0 }), blockFlowSets: false };
}

const backend: AuthBackend = {
  name: 'api',
  authenticate: async (r) => ({ kind: 'accept', backend: 'api', user: r.user, role: 'vendor' }),
  close: async () => {},
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let portal: NodePortal | undefined;
let backendsMade = 0;

function setUp(nowMs: () => number) {
  const dir = mkdtempSync(join(tmpdir(), 'picket-node-portal-'));
  const journal = createJournal(join(dir, 'journal.db'));
  const nft = createFakeNft({ tables: renderNft(inForce('{ unrecognized: portal }').ruleset) });
  portal = createNodePortal({
    nft,
    database: journal.database,
    log: quiet,
    stateDir: dir,
    config: { wire: { mode: 'routed' } },
    now: nowMs,
    createBackend: () => {
      backendsMade++;
      return backend;
    },
    ports: { https: 0, http: 0 },
  });
  return { nft, db: journal.database, portal };
}

afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

describe('the node portal', () => {
  it('runs only for enforce-side portal policies, restarts on a portal change, stops when it goes', async () => {
    const { portal: p } = setUp(Date.now);
    await p.sync(inForce('{ unrecognized: block }'));
    expect(p.snapshot()).toBeUndefined();
    const made = backendsMade;
    await p.sync(inForce('{ unrecognized: portal }'));
    expect(p.snapshot()).toEqual({ logins: {}, activePermits: 0 });
    await p.sync(inForce('{ unrecognized: portal }'));
    expect(backendsMade).toBe(made + 1);
    await p.sync(inForce('{ unrecognized: portal }', '4h'));
    expect(backendsMade).toBe(made + 2);
    await p.sync(inForce('{ unrecognized: block }'));
    expect(p.snapshot()).toBeUndefined();
  });

  it('puts journaled permits back with their remaining time and records expired ones', async () => {
    let now = 100_000;
    const { nft, db, portal: p } = setUp(() => now);
    insertPermit(db, {
      id: 'p-live',
      address: '10.0.0.9',
      user: 'a',
      role: 'vendor',
      backend: 'api',
      createdMs: 0,
      untilMs: 160_000,
    });
    insertPermit(db, {
      id: 'p-gone',
      address: '10.0.0.8',
      user: 'b',
      role: 'vendor',
      backend: 'api',
      createdMs: 0,
      untilMs: 90_000,
    });
    insertPermit(db, {
      id: 'p-norole',
      address: '10.0.0.7',
      user: 'c',
      role: 'old-role',
      backend: 'api',
      createdMs: 0,
      untilMs: 500_000,
    });
    await p.sync(inForce('{ unrecognized: portal }'));
    expect(nft.committed.join('\n')).toContain(
      'add element inet picket permit_vendor4 { 10.0.0.9 timeout 60s }',
    );
    expect(nft.committed.join('\n')).not.toContain('10.0.0.8');
    const ended = Object.fromEntries(listPermits(db).map((r) => [r.id, r.endReason]));
    expect(ended).toEqual({ 'p-live': undefined, 'p-gone': 'expired', 'p-norole': 'role-removed' });
    now = 170_000;
    p.reconcile(false);
    expect(activePermits(db, now)).toEqual([]);
  });
});
