import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeNft, type FakeNft } from '../apply/nft-fake.js';
import { createStateStore } from '../apply/state-store.js';
import type { Action } from '../decide/decision.js';
import type { PacketEvent } from '../sense/packet-event.js';
import type { NodeConfig } from './config.js';
import { nodeHealth, type RunningNode, startNode } from './daemon.js';
import { QUEUE_CAPACITY } from './decision-loop.js';
import { createLogger } from './log.js';
import type { StartProtocol } from './ports.js';
import {
  createFakeIntake,
  createMemoryJournal,
  createScriptedDecider,
  type FakeIntake,
  type MemoryJournal,
  plainReconcile,
} from './ports-fake.js';

const examplePolicy = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'policy.yaml'), 'utf8');

const scan = (srcIp: string): PacketEvent => ({
  timeMs: 0,
  origin: 'quarantine',
  srcIp,
  dstIp: '10.20.1.10',
  length: 44,
  summary: `${srcIp} → 10.20.1.10:502 tcp S`,
});

const quarantine = (address: string): Action => ({
  type: 'quarantine',
  address,
  durationSeconds: 3600,
  reason: 'test',
  producer: 'test',
});

interface Harness {
  node: RunningNode;
  nft: FakeNft;
  journal: MemoryJournal;
  intake: () => FakeIntake;
  policy: string;
  logs: string[];
  clock: { ms: number };
  dir: string;
}

let running: RunningNode | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(
  options: {
    nft?: FakeNft;
    journal?: MemoryJournal;
    mode?: 'bridge' | 'sensor';
    dir?: string;
    startProtocol?: StartProtocol;
  } = {},
): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'picket-node-'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, examplePolicy);
  const nft = options.nft ?? createFakeNft();
  const journal = options.journal ?? createMemoryJournal();
  const logs: string[] = [];
  const clock = { ms: Date.UTC(2026, 0, 14, 12) };
  let intake: FakeIntake | undefined;
  const config: NodeConfig = {
    name: 'node-a',
    wire:
      options.mode === 'sensor'
        ? { mode: 'sensor', interface: 'eth3' }
        : { mode: 'bridge', bridge: 'br0', interfaces: [] },
    policyFile: policy,
    nflogGroup: 1,
    metrics: { host: '127.0.0.1', port: 0 },
    reconcileIntervalSeconds: 3600,
    logLevel: 'debug',
  };
  const node = await startNode({
    config,
    log: createLogger('debug', (l) => logs.push(l)),
    nft,
    store: createStateStore(join(dir, 'state')),
    journal,
    startIntake: async (onEvents) => {
      intake = createFakeIntake(onEvents);
      return intake;
    },
    // The example's never-list holds the PLCs: the decider tries to quarantine every source anyway.
    createDecider: () => createScriptedDecider((e) => [quarantine(e.srcIp ?? '')]),
    reconcile: plainReconcile,
    setUpWire: () => ({ actions: ['adopted bridge br0'] }),
    ...(options.startProtocol ? { startProtocol: options.startProtocol } : {}),
    afterApply: () => {},
    now: () => clock.ms,
    memory: () => ({ rssBytes: 1, heapUsedBytes: 1 }),
  });
  running = node;
  return { node, nft, journal, intake: () => intake!, policy, logs, clock, dir };
}

describe('the node daemon', () => {
  it('applies the policy at start and reports ok', async () => {
    const { node, nft } = await start();
    expect(nft.tables()).toMatch(/table inet picket \{/);
    const health = nodeHealth(node, Date.UTC(2026, 0, 14, 12, 1));
    expect(health).toMatchObject({ status: 'ok', lastApply: { ok: true }, uptimeSeconds: 60 });
    expect(health.policyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not replace a ruleset the kernel already enforces (restart)', async () => {
    const first = await start();
    const committed = first.nft.committed.length;
    await first.node.stop();
    running = undefined;
    const again = await start({ nft: first.nft, dir: first.dir });
    expect(first.nft.committed.length).toBe(committed);
    expect(again.logs.join('')).toContain('policy already in force');
  });

  it('executes a batch of quarantines as one transaction and journals every action', async () => {
    const { node, nft, journal, intake } = await start();
    const before = nft.committed.length;
    intake().emit([scan('10.20.0.66'), scan('10.20.0.67'), scan('10.20.0.66')]);
    expect(node.tick()).toBe(3);
    expect(nft.committed.length).toBe(before + 1);
    expect([...nft.quarantine.keys()].sort()).toEqual(['10.20.0.66', '10.20.0.67']);
    expect(journal.batches.at(-1)).toHaveLength(3);
    expect(node.metrics()).toContain('picket_actions_total{node="node-a",type="quarantine"} 3');
  });

  it('never quarantines a never-list asset', async () => {
    const { node, nft, logs, intake } = await start();
    intake().emit([scan('10.20.1.10')]);
    node.tick();
    expect(nft.quarantine.has('10.20.1.10')).toBe(false);
    expect(logs.join('')).toContain('never-list asset not quarantined');
  });

  it('keeps the last good ruleset when a changed policy is bad, and says so in health', async () => {
    const { node, nft, policy } = await start();
    const good = nft.tables();
    const goodHash = node.status().policyHash;
    writeFileSync(policy, `${examplePolicy}\nrules-typo: []\n`);
    node.reload('test');
    expect(nft.tables()).toBe(good);
    const health = nodeHealth(node, Date.now());
    expect(health.status).toBe('degraded');
    expect(health.policyHash).toBe(goodHash);
    expect(health.lastError?.code).toBe('policy-refused');
    writeFileSync(policy, examplePolicy.replace('duration: 1h', 'duration: 2h'));
    node.reload('test');
    expect(nodeHealth(node, Date.now()).status).toBe('ok');
    expect(node.status().policyHash).not.toBe(goodHash);
  });

  it('restores quarantines the kernel lost and adopts kernel-only ones', async () => {
    const journal = createMemoryJournal();
    journal.writeBatch([quarantine('10.20.0.99')], Date.UTC(2026, 0, 14, 11, 30));
    const nft = createFakeNft();
    const { node } = await start({ nft, journal });
    expect(nft.quarantine.get('10.20.0.99')?.expiresSeconds).toBe(1800);
    nft.quarantine.set('10.20.0.77', { timeoutSeconds: 3600, expiresSeconds: 3500 });
    node.reconcileNow();
    expect(journal.activeQuarantine(Date.UTC(2026, 0, 14, 12)).map((q) => q.address)).toContain('10.20.0.77');
    expect(node.metrics()).toContain('picket_drift_total{node="node-a"} 2');
  });

  it('puts back a ruleset the kernel lost, and reports one applied by someone else', async () => {
    const { node, nft } = await start();
    const hash = node.status().policyHash;
    nft.run('add table inet picket\ndelete table inet picket\n');
    expect(nft.tables()).toBeUndefined();
    node.reconcileNow();
    expect(nft.tables()).toContain(`hash=${hash}`);
    nft.run(nft.tables()!.replace(`hash=${hash}`, `hash=${'0'.repeat(64)}`));
    node.reconcileNow();
    const health = nodeHealth(node, Date.now());
    expect(health.status).toBe('degraded');
    expect(health.lastError?.code).toBe('ruleset-drift');
  });

  it('binds protocol enforcement only for protocol rules, rebinds on change, counts verdicts', async () => {
    const binds: string[] = [];
    let closed = 0;
    const h = await start({
      startProtocol: async (policy) => {
        binds.push(policy.rules.map((r) => r.name).join(','));
        return { verdicts: () => ({ accept: 5, drop: 1 }), close: async () => void closed++ };
      },
    });
    expect(binds).toEqual([]);
    const withFunctions = (extra: string) =>
      examplePolicy.replace(
        '    services: [modbus]\n  - name: historian-collects',
        `    services: [modbus]\n    modbus: { functions: [read-holding-registers${extra}] }\n  - name: historian-collects`,
      );
    writeFileSync(h.policy, withFunctions(''));
    h.node.reload('test');
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.node.metrics()).toContain('picket_queue_verdicts_total{node="node-a",verdict="drop"} 1');
    await h.node.stop();
    running = undefined;
    expect(binds).toHaveLength(1);
    expect(closed).toBe(1);
  });

  it('drops and counts events when the loop falls behind', async () => {
    const { node, intake } = await start();
    const events = Array.from({ length: QUEUE_CAPACITY + 10 }, () => scan('10.20.0.66'));
    intake().emit(events);
    expect(node.metrics()).toContain('picket_events_dropped_total{node="node-a"} 10');
  });

  it('in sensor mode never touches the kernel', async () => {
    const { node, nft, intake } = await start({ mode: 'sensor' });
    intake().emit([scan('10.20.0.66')]);
    node.tick();
    expect(nft.committed).toEqual([]);
  });

  it('on stop flushes what is queued, closes intake and journal, and leaves the ruleset', async () => {
    const { node, nft, journal, intake } = await start();
    intake().emit([scan('10.20.0.66')]);
    await node.stop();
    running = undefined;
    expect(journal.batches.flat().length).toBe(1);
    expect(intake().closed).toBe(true);
    expect(journal.closed).toBe(true);
    expect(nft.tables()).toMatch(/table inet picket \{/);
  });
});
