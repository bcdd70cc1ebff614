// End-to-end: the enforcement core in a lab plant, against the real kernel.
//
//   hmi-a 10.20.0.50   hist-1 10.20.0.5           plc-a1 10.20.1.10 (never list)
//   eng-ws 10.20.0.20  attacker 10.20.0.66        plc-a2 10.20.1.11
//        └───────[sw-upstream]──up0─[ node: br0 + picket ]─cell0──[sw-cell]──┘
//
// The node's bridge is the only path between the segments; `picket apply` runs
// inside the node's namespace. Real peers: a pymodbus PLC, an HMI that polls it
// over Modbus/TCP with a new connection per poll, nmap, tcpdump on the PLC side.
// Needs root; the lab is always torn down.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, loadLabSpec } from '../../src/lab/lab.js';
import {
  enforcedHash,
  eventually,
  picket,
  quarantined,
  requireBuild,
  root,
  ruleCounter,
  startCapture,
  tcpProbe,
  withBulkPairs,
} from './plant.js';

const labName = `e2e-enforce-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-enforce-'));
const env = { PICKET_STATE_DIR: join(work, 'state') };
const basePolicy = readFileSync(join(root, 'examples', 'policy.yaml'), 'utf8');
let lab: Lab;

/** Writes a variant of the example policy and returns its path. */
function policyFile(name: string, edit: (text: string) => string = (t) => t): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, edit(basePolicy));
  return file;
}

async function apply(file: string, ...extra: string[]) {
  const r = await picket(lab, ['apply', file, ...extra], env);
  expect(r.code, `picket apply ${file}:\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

async function release(ip: string) {
  await picket(lab, ['quarantine', 'release', ip], env);
}

beforeAll(async () => {
  requireBuild();
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  // The spec's own 5 Hz poller is not needed: each test starts the pollers it watches.
  const hosts = spec.hosts.map((h) => (h.name === 'hmi-a' ? { ...h, services: [] } : h));
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
});

afterAll(async () => {
  await destroyLab(labName);
});

describe('enforcement in the lab', () => {
  it('lets allowed flows pass and drops everything else', async () => {
    await apply(policyFile('base'));
    expect(await tcpProbe(lab, 'hmi-a', lab.ip('plc-a1'), 502)).toBe('open');
    expect(await tcpProbe(lab, 'hist-1', lab.ip('plc-a2'), 502)).toBe('open');
    // Out of profile: a port the rule does not name, and a host no rule names.
    expect(await tcpProbe(lab, 'hmi-a', lab.ip('plc-a1'), 102)).toBe('timeout');
    expect(await tcpProbe(lab, 'attacker', lab.ip('plc-a2'), 502)).toBe('timeout');
    // The maintenance window (Saturday night, Chicago) is closed unless it is that time now.
    expect(await quarantined(lab)).toEqual(expect.arrayContaining(['10.20.0.50', '10.20.0.66']));
    await release('10.20.0.50');
    await release('10.20.0.66');
    expect(await tcpProbe(lab, 'hmi-a', lab.ip('plc-a1'), 502)).toBe('open');
  });

  it('delivers no probe of an nmap SYN scan to any PLC and quarantines the scanner on its first packet', async () => {
    await apply(policyFile('base'));
    await release('10.20.0.66');
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const before = await ruleCounter(lab, 'out-of-profile: quarantine source');
    const captures = await Promise.all(
      ['plc-a1', 'plc-a2'].map((plc) =>
        startCapture(lab, plc, 'src host 10.20.0.66 and not arp', `cap-${plc}`),
      ),
    );
    const scan = await lab.exec(
      'attacker',
      [
        'nmap',
        '-sS',
        '-Pn',
        '-n',
        '-T4',
        '--min-rate',
        '1000',
        '--max-retries',
        '1',
        '-p',
        '1-1024,2404,20000,44818',
        '10.20.1.10-11',
      ],
      { check: false, timeoutMs: 120_000 },
    );
    const delivered = await Promise.all(captures.map((c) => c.stop()));
    const quarantineHits = (await ruleCounter(lab, 'out-of-profile: quarantine source')) - before;
    const droppedAsQuarantined = await ruleCounter(lab, 'quarantined saddr');
    const polls = await hmi.waitFor((s) => s.ok >= 40);
    await hmi.stop();

    expect(scan.stdout).toMatch(/filtered/);
    expect(scan.stdout).not.toMatch(/\d+\/tcp\s+open/);
    expect(delivered).toEqual([0, 0]);
    // The first SYN put the scanner in the kernel's quarantine; the other ~2000 met the quarantine rule.
    expect(quarantineHits).toBe(1);
    expect(droppedAsQuarantined).toBeGreaterThan(1000);
    expect(await quarantined(lab)).toContain('10.20.0.66');
    expect(hmi.stats()?.fail ?? polls.fail).toBe(0);
  });

  it('alerts on a never-list PLC that goes out of profile but never cuts off its allowed traffic', async () => {
    await apply(policyFile('base'));
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const alertsBefore = await ruleCounter(lab, 'never list: drop');
    // plc-a1 (never list) opens connections no rule allows.
    expect(await tcpProbe(lab, 'plc-a1', lab.ip('eng-ws'), 4444)).toBe('timeout');
    expect(await tcpProbe(lab, 'plc-a1', lab.ip('hist-1'), 22)).toBe('timeout');
    expect((await ruleCounter(lab, 'never list: drop')) - alertsBefore).toBeGreaterThanOrEqual(2);
    expect(await quarantined(lab)).not.toContain('10.20.1.10');
    const s = await hmi.waitFor((x) => x.ok >= 40);
    await hmi.stop();
    expect(s.fail).toBe(0);
  });

  it('re-applies the policy 20 times while the HMI polls at 20 Hz without losing a poll', async () => {
    const a = policyFile('reapply-a');
    // A second policy that differs (one more rule), so each apply really replaces the ruleset.
    const b = policyFile('reapply-b', (t) =>
      t.replace(
        '\nenforcement:',
        '  - name: historian-s7\n    from: hist-1\n    to: plc-a2\n    services: [s7]\n\nenforcement:',
      ),
    );
    await apply(a);
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const hashes = new Set<string | null>();
    for (let i = 0; i < 20; i++) {
      await apply(i % 2 === 0 ? b : a);
      hashes.add(await enforcedHash(lab));
    }
    const okAfterApplies = hmi.stats()?.ok ?? 0;
    const s = await hmi.waitFor((x) => x.ok >= okAfterApplies + 10);
    await hmi.stop();
    expect(hashes.size).toBe(2);
    expect(s.fail).toBe(0);
    expect(s.ok).toBeGreaterThan(40);
  });

  it('re-applies policies of 4,096 more pairs (staged, loaded over netlink) while the HMI polls at 20 Hz without losing a poll', async () => {
    const small = policyFile('base');
    const big = (port: number) => policyFile(`bulk-${port}`, (t) => withBulkPairs(t, 64, port));
    // Two large policies that differ (the bulk rule's port), so every apply replaces 4,096 tuples.
    const [a, b] = [big(502), big(503)];
    await apply(small);
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const hashes = new Set<string | null>();
    for (let i = 0; i < 10; i++) {
      await apply(i % 2 === 0 ? a : b);
      hashes.add(await enforcedHash(lab));
    }
    // The kernel holds one staged exact set, whole; the rules refer to it.
    const table = (await lab.exec(lab.spec.node.name, ['nft', '-t', 'list', 'table', 'inet', 'picket']))
      .stdout;
    const staged = [...table.matchAll(/\bset (exact4_s[0-9a-z]+) \{/g)].map((m) => m[1]!);
    expect(staged).toHaveLength(1);
    expect(table).toContain(`@${staged[0]} `);
    const set = await lab.exec(lab.spec.node.name, [
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'picket',
      staged[0]!,
    ]);
    const elements = (JSON.parse(set.stdout) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find(
      (o) => o.set,
    )?.set?.elem;
    expect(elements?.length).toBe(64 * 64 + 4);
    // Out-of-profile traffic is still cut off at its first packet.
    expect(await tcpProbe(lab, 'attacker', lab.ip('plc-a1'), 502)).toBe('timeout');
    expect(await quarantined(lab)).toContain(lab.ip('attacker'));
    await release(lab.ip('attacker'));
    // Back to the small policy: the plain path replaces the staged table whole.
    await apply(small);
    expect(
      (await lab.exec(lab.spec.node.name, ['nft', '-t', 'list', 'table', 'inet', 'picket'])).stdout,
    ).not.toMatch(/exact4_s/);
    const okAfterApplies = hmi.stats()?.ok ?? 0;
    const s = await hmi.waitFor((x) => x.ok >= okAfterApplies + 10);
    await hmi.stop();
    expect(hashes.size).toBe(2);
    expect(s.fail).toBe(0);
  });

  it('refuses an invalid policy and leaves the previous enforcement intact', async () => {
    await apply(policyFile('base'));
    const hash = await enforcedHash(lab);
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const bad = policyFile('bad', (t) => t.replace('to: cell-a-plcs', 'to: cell-a-plc'));
    const r = await picket(lab, ['apply', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: error\[/);
    expect(r.stderr).toMatch(/did you mean group "cell-a-plcs"/);
    expect(await enforcedHash(lab)).toBe(hash);
    expect(await tcpProbe(lab, 'attacker', lab.ip('plc-a1'), 502)).toBe('timeout');
    const s = await hmi.waitFor((x) => x.ok >= 30);
    await hmi.stop();
    expect(s.fail).toBe(0);
  });

  it('rolls back an unconfirmed apply, and the HMI polls again', async () => {
    await apply(policyFile('base'));
    const good = await enforcedHash(lab);
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    // A mistaken policy without the HMI's rule (blocking, not quarantining, so rollback restores polls).
    const broken = policyFile('broken', (t) =>
      t
        .replace('from: operators', 'from: eng-ws')
        .replace('out-of-profile: quarantine', 'out-of-profile: block'),
    );
    await apply(broken, '--confirm-within', '3s');
    expect(await enforcedHash(lab)).not.toBe(good);
    await hmi.waitFor((s) => s.currentGapMs > 500);
    await eventually('the rollback', async () => (await enforcedHash(lab)) === good, 15_000, 200);
    const failsAtRollback = hmi.stats()?.fail ?? 0;
    const s = await hmi.waitFor((x) => x.currentGapMs < 200 && x.ok >= 30, 10_000);
    await hmi.stop();
    expect(failsAtRollback).toBeGreaterThan(0);
    expect(s.ok).toBeGreaterThan(0);
    const status = await picket(lab, ['status'], env);
    expect(status.stdout).toContain(good?.slice(0, 12));
  });
});
