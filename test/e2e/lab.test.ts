// The lab plant itself, end to end, as root in real network namespaces:
//
//   upstream segment (10.20.0.x)                         cell segment (10.20.1.x)
//   hmi-a .50  hist-1 .5  eng-ws .20  attacker .66        plc-a1 .10   plc-a2 .11
//      │eth0       │eth0      │eth0       │eth0              │eth0        │eth0
//   ┌──┴───────────┴──────────┴───────────┴──┐          ┌────┴────────────┴────┐
//   │ pk-<id>-sw-upstream   br0 (switch)     │          │ pk-<id>-sw-cell  br0 │
//   └───────────────────┬────────────────────┘          └──────────┬───────────┘
//                       │ node                               node  │
//                       │ up0 ┌──────────────────────────┐ cell0   │
//                       └─────┤ pk-<id>-node   br0       ├─────────┘
//                             │ bridge-nf-call-iptables=1│
//                             └──────────────────────────┘
//   One flat subnet 10.20.0.0/16 (+ fd20::/64): hosts reach the PLCs only
//   through the node's transparent bridge, with no router anywhere.
//
// Builds examples/lab.yaml under another name, checks that the HMI poller's
// Modbus polls reach the PLC across the node bridge with no Picket ruleset,
// that the bridge really is the path (cell0 counters move; br0 down stops the
// polls, br0 up resumes them), and that teardown leaves no pk-<id>- namespace.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, loadLabSpec } from '../../src/lab/lab.js';
import { isAlive, listNamespaces } from '../../src/lab/netns.js';

const root = join(import.meta.dirname, '..', '..');
const LAB = 'e2e-lab';
let lab: Lab;

function counter(ns: string, iface: string, which: 'rx_packets' | 'tx_packets'): number {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${iface}/statistics/${which}`]);
  return Number(out.toString().trim());
}

beforeAll(async () => {
  // The lab runs the compiled poller (dist/lab/hmi-poller.js); tsc still emits if other modules have errors.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  expect(existsSync(join(root, 'dist', 'lab', 'hmi-poller.js'))).toBe(true);
  const spec = { ...loadLabSpec(join(root, 'examples', 'lab.yaml')), name: LAB };
  lab = await createLab(spec, { replace: true });
});

afterAll(async () => {
  await destroyLab(LAB);
});

describe('lab plant', () => {
  it('puts every host, switch and the node in its own pk-<id>- namespace', async () => {
    const live = await listNamespaces();
    expect(lab.namespaces).toHaveLength(9);
    for (const ns of lab.namespaces) {
      expect(ns.startsWith(`pk-${lab.id}-`)).toBe(true);
      expect(live).toContain(ns);
    }
    expect(lab.ns('plc-a1')).toBe(`pk-${lab.id}-plc-a1`);
    const sysctl = await lab.exec('node', ['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables']);
    expect(sysctl.stdout.trim()).toBe('1');
    const ports = await lab.exec('node', ['ip', '-o', 'link', 'show', 'master', 'br0']);
    expect(ports.stdout).toMatch(/up0@/);
    expect(ports.stdout).toMatch(/cell0@/);
  });

  it('has the PLCs up and the HMI polling them when `lab up` returns', async () => {
    expect(lab.services.filter((s) => s.kind === 'modbus-server').map((s) => s.host)).toEqual([
      'plc-a1',
      'plc-a2',
    ]);
    for (const s of lab.services) expect(isAlive(s.pid), `${s.kind} on ${s.host}`).toBe(true);
  });

  it('carries HMI → PLC Modbus polls across the node bridge with no Picket ruleset', async () => {
    const ruleset = await lab.exec('node', ['nft', 'list', 'ruleset']);
    expect(ruleset.stdout).not.toMatch(/table .* picket/);
    const poller = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    try {
      const stats = await poller.waitFor((s) => s.ok >= 20, 10_000);
      expect(stats.fail).toBe(0);
      expect(stats.lastRegisters).toHaveLength(10);
    } finally {
      await poller.stop();
    }
    const v6 = lab.startPoller('eng-ws', { target: 'fd20::1:11', hz: 20, persistent: true });
    try {
      expect((await v6.waitFor((s) => s.ok >= 10, 10_000)).fail).toBe(0);
    } finally {
      await v6.stop();
    }
  });

  it('sends the traffic through the node: cell0 counts it, br0 down stops it, br0 up resumes it', async () => {
    const before = counter(lab.nodeNs, 'cell0', 'tx_packets');
    const poller = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20, timeoutMs: 200 });
    try {
      await poller.waitFor((s) => s.ok >= 10, 10_000);
      // Each poll is a new TCP connection: SYN, ACK, request, FIN… at least 4 frames towards the PLC.
      expect(counter(lab.nodeNs, 'cell0', 'tx_packets') - before).toBeGreaterThanOrEqual(40);

      await lab.exec('node', ['ip', 'link', 'set', 'br0', 'down']);
      const cut = await poller.waitFor((s) => s.fail >= 3 && s.currentGapMs >= 1000, 10_000);
      expect(cut.lastError).toMatch(/timeout/);

      await lab.exec('node', ['ip', 'link', 'set', 'br0', 'up']);
      const resumed = await poller.waitFor((s) => s.ok >= cut.ok + 10 && s.currentGapMs < 500, 15_000);
      expect(resumed.longestGapMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await lab.exec('node', ['ip', 'link', 'set', 'br0', 'up']);
      await poller.stop();
    }
  });

  it('runs commands in a host through `picket lab exec`', () => {
    const out = spawnSync(
      process.execPath,
      [
        join(root, 'bin', 'picket.js'),
        'lab',
        'exec',
        '--lab',
        LAB,
        'plc-a1',
        '--',
        'ip',
        '-o',
        '-4',
        'addr',
        'show',
        'eth0',
      ],
      { encoding: 'utf8' },
    );
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('10.20.1.10/16');
  });

  it('tears down every pk-<id>- namespace and process, and is idempotent', async () => {
    const pids = lab.services.map((s) => s.pid);
    expect(await destroyLab(LAB)).toBe(true);
    const left = (await listNamespaces()).filter((ns) => ns.startsWith(`pk-${lab.id}-`));
    expect(left).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await destroyLab(LAB)).toBe(false);
  });
});
