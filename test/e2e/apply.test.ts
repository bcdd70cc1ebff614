// End-to-end: `picket apply / status / plan / quarantine` against the real
// kernel, in a fresh network namespace, through the real binary.
//
//   host (vitest, root, TZ=America/Chicago for the children)
//     │  ip netns exec pk-t-XXXXXX node bin/picket.js …
//     ▼
//   ┌─────────────── netns pk-t-XXXXXX ───────────────┐
//   │  table inet picket    (forward filter, sets)    │
//   │  table bridge picket  (L2)                      │
//   │  state: PICKET_STATE_DIR = /tmp/picket-e2e-…    │
//   │  rollback timer: detached child, same netns     │
//   └─────────────────────────────────────────────────┘
//
// Needs root and nftables; beforeAll builds dist/ with tsc.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBulkPairs } from './plant.js';

const root = join(import.meta.dirname, '..', '..');
const ns = `pk-t-${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'picket-e2e-'));
const stateDir = join(work, 'state');
// A local zone far from UTC: the kernel must still get the compiler's UTC windows.
const env = { ...process.env, PICKET_STATE_DIR: stateDir, TZ: 'America/Chicago' };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function inNs(command: string, args: readonly string[]): Run {
  const r = spawnSync('ip', ['netns', 'exec', ns, command, ...args], { env, encoding: 'utf8', cwd: work });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const picket = (...args: string[]): Run => inNs(process.execPath, [join(root, 'bin', 'picket.js'), ...args]);
const nftTable = (): string => inNs('nft', ['list', 'table', 'inet', 'picket']).stdout;
const status = (): { kernelHash?: string; hash?: string; quarantined: number; kernelMatches: boolean } =>
  JSON.parse(picket('status', '--json').stdout);

/** Polls `check` until it returns true or `timeoutMs` passes. */
async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function policy(name: string, extraRule = ''): string {
  const text = `version: 1
site: e2e-plant
zones:
  cell-a: { networks: [10.20.1.0/24] }
  scada:  { networks: [10.20.0.0/24] }
assets:
  plc-a1: { ip: 10.20.1.10, zone: cell-a, role: plc, critical: true }
  hmi-a:  { ip: 10.20.0.50, zone: scada, role: hmi }
  hist-1: { ip: 10.20.0.5,  zone: scada, role: historian }
groups:
  plcs:      { assets: [plc-a1] }
  operators: { match: { role: hmi } }
services:
  modbus: { tcp: [502], protocol: modbus }
  s7:     { tcp: [102], protocol: s7comm }
schedules:
  maintenance: { days: [sat], from: "02:00", to: "04:00", timezone: UTC }
rules:
  - name: hmi-reads-plcs
    from: operators
    to: plcs
    services: [modbus]
  - name: historian-collects
    from: hist-1
    to: plcs
    services: [s7]
    when: maintenance
${extraRule}enforcement:
  mode: enforce
  unrecognized: block
  out-of-profile: quarantine
  quarantine: { duration: 1h, never: [plc-a1] }
`;
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

const v1 = () => policy('v1.yaml');
const v2 = () =>
  policy('v2.yaml', '  - name: historian-polls\n    from: hist-1\n    to: plcs\n    services: [modbus]\n');

function applyOk(file: string, ...flags: string[]): Run {
  const r = picket('apply', file, ...flags);
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

beforeAll(() => {
  // tsc exits non-zero while other modules are unfinished but still emits; the check below is what matters.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('build failed: no dist/cli/main.js');
  execFileSync('ip', ['netns', 'add', ns]);
});

afterAll(() => {
  // Ends what this test started in the namespace (a rollback timer still waiting).
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  for (const pid of pids) process.kill(Number(pid));
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(work, { recursive: true, force: true });
});

describe('picket apply in a network namespace', () => {
  it('applies a policy and status shows its hash, matching the kernel', () => {
    const sysctl = '/proc/sys/net/bridge/bridge-nf-call-iptables';
    inNs('sh', ['-c', `echo 0 > ${sysctl}`]);
    const out = applyOk(v1());
    expect(out.stdout).toMatch(/applied [0-9a-f]{12} for site e2e-plant/);
    expect(out.stdout).toContain('turned on net.bridge.bridge-nf-call-iptables');
    expect(inNs('cat', [sysctl]).stdout.trim()).toBe('1');
    const s = status();
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.kernelHash).toBe(s.hash);
    expect(s.kernelMatches).toBe(true);
    expect(inNs('nft', ['list', 'table', 'bridge', 'picket']).stdout).toContain(`hash=${s.hash}`);
    expect(picket('plan', v1()).stdout).toMatch(/^No changes/);
  });

  it("loads time windows in UTC whatever the caller's TZ", () => {
    // Read the kernel back in UTC: a Saturday 02:00–04:00 UTC window must show as such.
    const listed = spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'picket'], {
      env: { ...process.env, TZ: 'UTC' },
      encoding: 'utf8',
    }).stdout;
    expect(listed).toMatch(/meta hour "02:00"-"03:59(:59)?"|meta hour "02:00"-"04:00"/);
  });

  it('refuses a policy with errors and leaves the enforced ruleset untouched', () => {
    const before = nftTable();
    const bad = join(work, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(v1(), 'utf8').replace('zone: cell-a, role: plc', 'zone: cel-a, role: plc'),
    );
    const r = picket('apply', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml:');
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(nftTable()).toBe(before);
  });

  it('keeps the previous ruleset whole when the kernel rejects the transaction', () => {
    const before = nftTable();
    const dist = (p: string) => pathToFileURL(join(root, 'dist', 'apply', p)).href;
    const script = join(work, 'reject.mjs');
    writeFileSync(
      script,
      `import { createNft } from '${dist('nft.js')}';
import { applyRuleset } from '${dist('apply.js')}';
import { createStateStore } from '${dist('state-store.js')}';
const store = createStateStore();
const current = store.readCurrent();
const real = createNft();
// The parser accepts a nat chain on the forward hook; the kernel refuses it at commit.
const nft = { ...real, run: (t) => real.run(t + 'add chain inet picket zz { type nat hook forward priority 0; }\\n') };
const next = { ...current.ruleset, hash: 'f'.repeat(64), entries: [] };
try { applyRuleset({ nft, store, nowMs: Date.now() }, next); console.log('{"applied":true}'); }
catch (e) { console.log(JSON.stringify({ code: e.code, line: e.cause?.line, hint: e.hint })); }
`,
    );
    const r = inNs(process.execPath, [script]);
    const result = JSON.parse(r.stdout);
    expect(result.code, r.stderr).toBe('apply-rejected');
    expect(result.hint).toContain('nothing changed');
    expect(nftTable()).toBe(before);
    expect(status().kernelMatches).toBe(true);
  });

  it('plan shows the pairs a new policy adds', () => {
    const r = picket('plan', v2(), '--detailed-exitcode');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain('rule historian-polls:\n  + 10.20.0.5 → 10.20.1.10 tcp/502');
    expect(r.stdout).toMatch(/1 to add, 0 to remove/);
  });

  it('carries the quarantine over a re-apply', () => {
    const q = picket('quarantine', 'add', '10.20.0.99', '--for', '30m');
    expect(q.code, q.stderr).toBe(0);
    expect(picket('quarantine', 'add', '10.20.1.10').stderr).toContain('never-list');
    applyOk(v2());
    const list = JSON.parse(picket('quarantine', 'list', '--json').stdout);
    expect(list).toEqual([
      expect.objectContaining({ address: '10.20.0.99', family: 4, timeoutSeconds: 1800 }),
    ]);
    expect(list[0].expiresSeconds).toBeLessThanOrEqual(1800);
    expect(picket('quarantine', 'release', '10.20.0.99').code).toBe(0);
    expect(picket('quarantine', 'release', '10.20.0.99').stderr).toContain('not-quarantined');
  });

  it('rolls back when a confirm-within apply is not confirmed, keeping the quarantine', async () => {
    const before = status().hash;
    const r = applyOk(v1(), '--confirm-within', '4s');
    expect(r.stdout).toContain('confirm with `picket apply --confirm` within 4s');
    expect(status().hash).not.toBe(before);
    expect(picket('apply', v2()).stderr).toContain('confirmation-pending');
    expect(picket('quarantine', 'add', '10.20.0.98').code).toBe(0);
    await until('the rollback', () => status().kernelHash === before);
    expect(status().hash).toBe(before);
    expect(picket('quarantine', 'list').stdout).toContain('10.20.0.98');
    expect(picket('apply', '--confirm').stderr).toContain('nothing-pending');
  });

  it('keeps the new ruleset when it is confirmed in time', async () => {
    applyOk(v1(), '--confirm-within', '4s');
    const trial = status().hash;
    const c = picket('apply', '--confirm');
    expect(c.code, c.stderr).toBe(0);
    const log = join(stateDir, 'rollback.log');
    await until('the timer to stand down', () =>
      readFileSync(log, 'utf8').includes(`${trial?.slice(0, 12)}: confirmed`),
    );
    expect(status().kernelHash).toBe(trial);
  });

  it('notices tables removed outside Picket', () => {
    expect(inNs('nft', ['delete', 'table', 'inet', 'picket']).code).toBe(0);
    const s = status();
    expect(s.kernelMatches).toBe(false);
    expect(picket('status').stdout).toContain('NO Picket tables');
    const plan = picket('plan', v1());
    expect(plan.stderr).toContain('the kernel has no Picket tables');
    expect(plan.stdout).toMatch(/to add, 0 to remove/);
  });

  it('rolls back to no Picket tables when there were none before', async () => {
    applyOk(v1(), '--confirm-within', '4s');
    expect(status().kernelHash).toMatch(/^[0-9a-f]{64}$/);
    await until('the tables to go', () => inNs('nft', ['list', 'table', 'inet', 'picket']).code !== 0);
    expect(inNs('nft', ['list', 'table', 'bridge', 'picket']).code).not.toBe(0);
  });
});

describe('picket apply of a policy with thousands of pairs (staged: allow sets loaded over netlink)', () => {
  const big = (port: number | string) => {
    const file = join(work, `big-${port}.yaml`);
    writeFileSync(file, withBulkPairs(readFileSync(v1(), 'utf8'), 64, port));
    return file;
  };
  const stagedSets = () => [...nftTable().matchAll(/\bset (exact4_s[0-9a-z]+) \{/g)].map((m) => m[1]);
  const quarantine = () => inNs('nft', ['list', 'set', 'inet', 'picket', 'quarantine4']).stdout;

  /**
   * Runs Picket's apply of `file` in the namespace with the netlink loader failing
   * after its first batch, as the kernel refusing one would (prints the error),
   * or with the process dying there (`kill`), as a SIGKILL or a crash would.
   */
  function applyFailingMidFill(file: string, how: 'refuse' | 'kill' = 'refuse'): Run {
    const script = join(work, 'failing-fill.mjs');
    const dist = (m: string) => JSON.stringify(pathToFileURL(join(root, 'dist', m)).href);
    writeFileSync(
      script,
      `import { applyRuleset } from ${dist('apply/apply.js')};
import { createNft, NftError } from ${dist('apply/nft.js')};
import { createStateStore } from ${dist('apply/state-store.js')};
import { loadRuleset } from ${dist('cli/plan.js')};
const nft = createNft();
const bulk = {
  listTableObjects: nft.bulk.listTableObjects,
  commitBatches(batches, what) {
    nft.bulk.commitBatches(batches.slice(0, 1), what);
    if (process.argv[3] === 'kill') process.kill(process.pid, 'SIGKILL');
    throw new NftError('injected: the kernel refused a batch of ' + what);
  },
};
try {
  applyRuleset({ nft: { ...nft, bulk }, store: createStateStore(), nowMs: Date.now() }, loadRuleset(process.argv[2], Date.now()));
  console.log('applied');
} catch (error) {
  console.log(error.message, error.hint);
}
`,
    );
    return inNs(process.execPath, [script, file, how]);
  }

  it('stages the large exact set, switches to it in one transaction, and status matches', () => {
    const r = applyOk(big(502));
    expect(r.stdout).toContain('4098 allow entries');
    const s = status();
    expect(s.kernelMatches).toBe(true);
    expect(inNs('nft', ['list', 'table', 'bridge', 'picket']).stdout).toContain(`hash=${s.hash}`);
    expect(nftTable()).toContain(
      'comment "picket: the enforced policy is in the comment of table bridge picket"',
    );
    const [staged] = stagedSets();
    expect(stagedSets()).toHaveLength(1);
    expect(nftTable()).toContain(`@${staged} counter`);
    const listed = inNs('nft', ['list', 'set', 'inet', 'picket', staged ?? '']).stdout;
    expect(listed).toContain('10.21.0.1 . 10.21.1.64 . tcp . 502');
    expect(listed).toContain('10.20.0.50 . 10.20.1.10 . tcp . 502');
    expect(picket('plan', big(502)).stdout).toMatch(/^No changes/);
  });

  it('a fill the kernel refuses part-way changes nothing: same ruleset, quarantine, no staged leftovers', () => {
    const before = status().hash;
    const [stagedBefore] = stagedSets();
    expect(picket('quarantine', 'add', '10.20.0.97', '--for', '30m').code).toBe(0);
    const r = applyFailingMidFill(big(503));
    expect(r.stdout).toContain('injected: the kernel refused a batch');
    expect(r.stdout).toContain('nothing changed');
    expect(status().kernelHash).toBe(before);
    expect(status().hash).toBe(before);
    expect(stagedSets()).toEqual([stagedBefore]);
    expect(quarantine()).toContain('10.20.0.97');
  });

  it('an apply killed part-way leaves the ruleset in force and only an unreferenced staged set, which the next apply removes', () => {
    const before = status().hash;
    const [live] = stagedSets();
    const r = applyFailingMidFill(big(503), 'kill');
    expect(r.code).not.toBe(0);
    expect(status().kernelHash).toBe(before);
    const leftover = stagedSets().filter((name) => name !== live);
    expect(leftover).toHaveLength(1);
    expect(nftTable()).not.toContain(`@${leftover[0]} `);
    expect(quarantine()).toContain('10.20.0.97');
  });

  it('re-applies a changed large policy, carrying the quarantine, and drops the old staged set', () => {
    const [old] = stagedSets();
    applyOk(big(503));
    const now = stagedSets();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(old);
    expect(inNs('nft', ['list', 'set', 'inet', 'picket', now[0] ?? '']).stdout).toContain(
      '10.21.0.1 . 10.21.1.64 . tcp . 503',
    );
    expect(quarantine()).toContain('10.20.0.97');
  });

  it('stages thousands of port-range tuples as an interval (pipapo) set', () => {
    applyOk(big('1000-1010'));
    expect(status().kernelMatches).toBe(true);
    const staged = [...nftTable().matchAll(/\bset (allow4_s[0-9a-z]+) \{/g)].map((m) => m[1]);
    expect(staged).toHaveLength(1);
    const listed = inNs('nft', ['list', 'set', 'inet', 'picket', staged[0] ?? '']).stdout;
    expect(listed).toContain('flags interval');
    expect(listed).toContain('10.21.0.64 . 10.21.1.1 . tcp . 1000-1010');
    expect(listed.match(/ \. tcp \. 1000-1010/g)).toHaveLength(64 * 64);
    applyOk(big(503));
  });

  it('stages thousands of IPv6 tuples in the IPv6 exact set', () => {
    const file = join(work, 'big-v6.yaml');
    writeFileSync(file, withBulkPairs(readFileSync(v1(), 'utf8'), 64, 502, { ipv6: true }));
    applyOk(file);
    expect(status().kernelMatches).toBe(true);
    const staged = [...nftTable().matchAll(/\bset (exact6_s[0-9a-z]+) \{/g)].map((m) => m[1]);
    expect(staged).toHaveLength(1);
    const listed = inNs('nft', ['list', 'set', 'inet', 'picket', staged[0] ?? '']).stdout;
    expect(listed).toContain('type ipv6_addr . ipv6_addr . inet_proto . inet_service');
    expect(listed).toContain('fd21::40 . fd21:0:0:1::1 . tcp . 502');
    expect(listed.match(/ \. tcp \. 502/g)).toHaveLength(64 * 64);
    applyOk(big(503));
  });

  it('rolls an unconfirmed large apply back to the previous large ruleset', async () => {
    const before = status().hash;
    applyOk(big(502), '--confirm-within', '3s');
    expect(status().kernelHash).not.toBe(before);
    await until('the rollback', () => status().kernelHash === before);
    expect(nftTable()).toContain('10.21.0.1 . 10.21.1.64 . tcp . 503');
    // The rollback took the staged path too: one staged set, the trial's gone.
    expect(stagedSets()).toHaveLength(1);
    expect(quarantine()).toContain('10.20.0.97');
  });
});
