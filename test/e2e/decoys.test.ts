// End-to-end: decoys in the lab plant — fake devices on free addresses of the
// cell that real scanners believe, that quarantine whoever touches them, that
// move on a schedule and yield to real devices.
//
//   hmi-a 10.20.0.50   eng-ws 10.20.0.20            plc-a1 10.20.1.10
//   attacker 10.20.0.66                             plc-a2 10.20.1.11
//        └───────[sw-upstream]──up0─[ node: br0 ]─cell0──[sw-cell]──┘
//                                        │ pkd-br0 (veth)
//                        [ decoy netns of the decoy server ]
//                          dcy ─┬─ d0 macvlan 10.20.1.x  (s7-300, Siemens MAC)
//                               └─ d1 macvlan 10.20.1.y  (modicon-m340, Schneider MAC)
//
// `picket node` (the built bin/picket.js) runs in the node's namespace with a
// policy that places decoys in cell-a; the decoys' addresses are read from the
// node's journal. Real peers: ping, nmap modbus-discover / s7-info, an ARP
// probe (arping), the HMI poller. Needs root and `npm run build`; synchronises
// on conditions with deadlines; the lab is always torn down.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../../src/lab/lab.js';
import {
  createTapPair,
  eventually,
  picket,
  quarantined,
  requireBuild,
  root,
  startCapture,
  tcpProbe,
} from './plant.js';

const labName = `e2e-decoys-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-decoys-'));
const stateDir = join(work, 'state');
const journalFile = join(stateDir, 'journal.db');
const policyPath = join(work, 'policy.yaml');
const configPath = join(work, 'node.yaml');
const env = { PICKET_STATE_DIR: stateDir };
const basePolicy = readFileSync(join(root, 'examples', 'policy.yaml'), 'utf8');
const decoysSection = (rotate: string, deceive = false) =>
  [
    'decoys:',
    '  seed: e2e-riverside',
    ...(deceive ? ['  deceive: true'] : []),
    ...(rotate === '' ? [] : [`  rotate: { every: ${rotate} }`]),
    '  place:',
    '    - { zone: cell-a, profile: s7-300, count: 1 }',
    '    - { zone: cell-a, profile: modicon-m340, count: 1 }',
    '',
  ].join('\n');
const LIVE = ['10.20.0.50', '10.20.0.5', '10.20.0.20', '10.20.0.66', '10.20.1.10', '10.20.1.11'];

let lab: Lab;
let node: LabProcess | undefined;

interface DecoyRow {
  id: string;
  profile: string;
  ip: string;
  mac: string;
  identity: string;
}
interface MoveRow {
  decoy_id: string;
  from_ip: string | null;
  to_ip: string | null;
  reason: string;
}

function journal<T>(sql: string): T[] {
  const db = new Database(journalFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

async function decoysInPlace(count: number): Promise<DecoyRow[]> {
  return eventually(
    `${count} decoys in the journal`,
    () => {
      try {
        const rows = journal<DecoyRow>('SELECT * FROM decoys ORDER BY id');
        return rows.length === count ? rows : undefined;
      } catch {
        return undefined;
      }
    },
    15_000,
  );
}

async function detections(): Promise<{ kind: string; source: string; target?: string; evidence: string }[]> {
  const r = await picket(lab, ['detections', '--json', '--journal', journalFile], env);
  return r.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

async function release(address: string) {
  await picket(lab, ['quarantine', 'release', address], env);
  await eventually(`${address} released`, async () => !(await quarantined(lab)).includes(address));
}

function startNode(): LabProcess {
  node = lab.spawn(
    lab.spec.node.name,
    [process.execPath, join(root, 'bin', 'picket.js'), 'node', '--config', configPath],
    `node-${Date.now()}`,
  );
  return node;
}

async function nodeLinks(): Promise<string> {
  return (await lab.exec(lab.spec.node.name, ['ip', '-o', 'link'])).stdout;
}

beforeAll(async () => {
  requireBuild();
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  const hosts = spec.hosts.map((h) => (h.name === 'hmi-a' ? { ...h, services: [] } : h));
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
  writeFileSync(policyPath, `${basePolicy}\n${decoysSection('')}`);
  writeFileSync(
    configPath,
    lab.nodeConfig('lab-node', { policy: 'policy.yaml', 'state-dir': stateDir, 'log-level': 'debug' }),
  );
}, 60_000);

afterEach(async (context) => {
  if (node && context.task.result?.state === 'fail') {
    console.log(readFileSync(node.logFile, 'utf8').split('\n').slice(-40).join('\n'));
  }
});

afterAll(async () => {
  await node?.stop(5000);
  await destroyLab(labName);
});

describe('decoys in the lab', () => {
  let decoys: DecoyRow[] = [];
  const ipOf = (profile: string) => decoys.find((d) => d.profile === profile)?.ip ?? '';

  it('places the decoys on free cell addresses with their own MACs', async () => {
    startNode();
    decoys = await decoysInPlace(2);
    for (const d of decoys) {
      expect(d.ip).toMatch(/^10\.20\.1\.\d+$/);
      expect(LIVE).not.toContain(d.ip);
    }
    expect(decoys.find((d) => d.profile === 's7-300')?.mac.slice(0, 8)).toMatch(/^[0-9a-f:]+$/);
    expect(await nodeLinks()).toContain('pkd-br0');
  });

  it('a re-apply by hand keeps the decoy sets filled', async () => {
    const setOf = async () =>
      (await lab.exec(lab.spec.node.name, ['nft', 'list', 'set', 'inet', 'picket', 'decoys4'])).stdout;
    for (const d of decoys) expect(await setOf()).toContain(d.ip);
    const other = join(work, 'by-hand.yaml');
    const changed = basePolicy.replace(
      '\nenforcement:',
      '  - name: historian-s7\n    from: hist-1\n    to: plc-a2\n    services: [s7]\n\nenforcement:',
    );
    writeFileSync(other, `${changed}\n${decoysSection('')}`);
    const r = await picket(lab, ['apply', other], env);
    expect(r.code, r.stderr).toBe(0);
    for (const d of decoys) expect(await setOf()).toContain(d.ip);
  });

  it('answers ping, and the first packet quarantines the pinger in the kernel; the HMI keeps polling', async () => {
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const ping = await lab.exec('attacker', ['ping', '-c', '1', '-W', '2', ipOf('s7-300')], { check: false });
    expect(ping.code, ping.stdout).toBe(0);
    expect(await quarantined(lab)).toContain(lab.ip('attacker'));
    // Quarantined: real assets are out of reach, the decoys still answer.
    expect(await tcpProbe(lab, 'attacker', lab.ip('plc-a2'), 502)).toBe('timeout');
    expect(await tcpProbe(lab, 'attacker', ipOf('modicon-m340'), 502)).toBe('open');
    const s = await hmi.waitFor((x) => x.ok >= 60);
    await hmi.stop();
    expect(s.fail).toBe(0);
  });

  it('nmap modbus-discover and s7-info report the decoys as devices; detections say what was tried', async () => {
    const identity = (profile: string) =>
      JSON.parse(decoys.find((d) => d.profile === profile)?.identity ?? '{}');
    const modbus = await lab.exec(
      'attacker',
      ['nmap', '-Pn', '-n', '-p', '502', '--script', 'modbus-discover', ipOf('modicon-m340')],
      { timeoutMs: 60_000 },
    );
    expect(modbus.stdout).toContain(identity('modicon-m340').vendor.split(' ')[0]);
    const s7 = await lab.exec(
      'attacker',
      ['nmap', '-Pn', '-n', '-p', '102', '--script', 's7-info', ipOf('s7-300')],
      {
        timeoutMs: 60_000,
      },
    );
    expect(s7.stdout).toContain(identity('s7-300').serial);
    // Each decoy is open only on its own profile's ports, like the device it plays.
    const ports = await lab.exec('attacker', ['nmap', '-Pn', '-n', '-sS', '-p', '102,502', ipOf('s7-300')], {
      timeoutMs: 60_000,
    });
    expect(ports.stdout).toMatch(/102\/tcp\s+open/);
    expect(ports.stdout).toMatch(/502\/tcp\s+closed/);
    const rows = await eventually('decoy-touch detections with protocol evidence', async () => {
      const found = (await detections()).filter(
        (d) => d.kind === 'decoy-touch' && d.source === lab.ip('attacker'),
      );
      return found.some((d) => /modbus|s7/i.test(d.evidence)) ? found : undefined;
    });
    expect(rows.map((d) => d.evidence).join('\n')).toMatch(/S7|Modbus/);
  });

  it('an ARP request alone quarantines the sender', async () => {
    const before = await quarantined(lab);
    expect(before).not.toContain(lab.ip('eng-ws'));
    await lab.exec('eng-ws', ['arping', '-c', '1', '-w', '2', '-I', 'eth0', ipOf('modicon-m340')], {
      check: false,
    });
    await eventually('eng-ws quarantined after its ARP request', async () =>
      (await quarantined(lab)).includes(lab.ip('eng-ws')),
    );
    await release(lab.ip('eng-ws'));
  });

  it('with deceive, the quarantined attacker reaching for a real PLC meets a decoy; the PLC never sees it', async () => {
    // Loose reverse-path filtering (a common default) would lose the redirected packets: the node turns it off.
    await lab.exec(lab.spec.node.name, [
      'sysctl',
      '-qw',
      `net.ipv4.conf.${lab.spec.node.bridge}.rp_filter=2`,
    ]);
    writeFileSync(policyPath, `${basePolicy}\n${decoysSection('', true)}`);
    process.kill(node!.pid, 'SIGHUP');
    const plc = lab.ip('plc-a2');
    const mapped = await eventually('plc-a2 in the deceive map', async () => {
      const r = await lab.exec(
        lab.spec.node.name,
        ['nft', '-j', 'list', 'map', 'inet', 'picket', 'deceive4'],
        {
          check: false,
        },
      );
      if (r.code !== 0) return undefined;
      const doc = JSON.parse(r.stdout) as { nftables: { map?: { elem?: [string, string][] } }[] };
      return doc.nftables.flatMap((o) => o.map?.elem ?? []).find(([asset]) => asset === plc)?.[1];
    });
    const decoy = decoys.find((d) => d.ip === mapped);
    expect(decoy).toBeDefined();
    const port = decoy?.profile === 's7-300' ? 102 : 502;
    expect(await quarantined(lab)).toContain(lab.ip('attacker'));
    const hmi = lab.startPoller('hmi-a', { target: 'plc-a1', hz: 20 });
    await hmi.waitFor((s) => s.ok >= 10);
    const capture = await startCapture(
      lab,
      'plc-a2',
      `ip and src host ${lab.ip('attacker')}`,
      'plc-a2-deceive',
    );
    expect(await tcpProbe(lab, 'attacker', plc, port)).toBe('open');
    const script = port === 102 ? 's7-info' : 'modbus-discover';
    const scan = await lab.exec(
      'attacker',
      ['nmap', '-Pn', '-n', '-p', String(port), '--script', script, plc],
      {
        timeoutMs: 60_000,
      },
    );
    const identity = JSON.parse(decoy?.identity ?? '{}') as { serial: string; vendor: string };
    expect(scan.stdout).toContain(port === 102 ? identity.serial : identity.vendor.split(' ')[0]);
    expect(await capture.stop()).toBe(0);
    const s = await hmi.waitFor((x) => x.ok >= 40);
    await hmi.stop();
    expect(s.fail).toBe(0);
  });

  it('a real host on a decoy address makes the decoy yield at once', async () => {
    const taken = ipOf('s7-300');
    await lab.exec('plc-a2', ['ip', 'addr', 'add', `${taken}/16`, 'dev', 'eth0']);
    try {
      await lab.exec('plc-a2', ['arping', '-U', '-c', '1', '-I', 'eth0', '-s', taken, taken], {
        check: false,
      });
      const moved = await eventually('the decoy to yield', () => {
        const rows = journal<MoveRow>(`SELECT * FROM decoy_moves WHERE reason = 'yielded'`);
        return rows.find((m) => m.from_ip === taken);
      });
      expect(moved.to_ip).not.toBe(taken);
      decoys = await decoysInPlace(2);
      expect(decoys.map((d) => d.ip)).not.toContain(taken);
    } finally {
      await lab.exec('plc-a2', ['ip', 'addr', 'del', `${taken}/16`, 'dev', 'eth0'], { check: false });
    }
  });

  it('rotation moves every decoy to a fresh address, never onto a live one, each move journaled', async () => {
    const old = new Set(decoys.map((d) => d.ip));
    writeFileSync(policyPath, `${basePolicy}\n${decoysSection('10s')}`);
    process.kill(node!.pid, 'SIGHUP');
    const rotated = await eventually(
      'a rotation',
      () => {
        const rows = journal<MoveRow>(`SELECT * FROM decoy_moves WHERE reason = 'rotated'`);
        return rows.length >= 2 ? rows : undefined;
      },
      30_000,
      250,
    );
    for (const m of rotated) {
      expect(LIVE).not.toContain(m.to_ip);
      expect(m.to_ip).not.toBe(m.from_ip);
    }
    const now = await decoysInPlace(2);
    expect(now.some((d) => !old.has(d.ip))).toBe(true);
    // The moved decoy answers at its new address (even the quarantined attacker: decoys keep talking).
    const ping = await lab.exec('attacker', ['ping', '-c', '1', '-W', '2', now[0]?.ip ?? ''], {
      check: false,
    });
    expect(ping.code).toBe(0);
  });

  it('a decoy server that dies is restarted and the decoys come back', async () => {
    const joined = () =>
      readFileSync(node?.logFile ?? '', 'utf8')
        .split('\n')
        .filter((line) => line.includes('decoy namespace joined'))
        .map((line) => JSON.parse(line) as { pid: number });
    const placed = () => journal<MoveRow>(`SELECT * FROM decoy_moves WHERE reason = 'placed'`).length;
    const first = joined();
    const placedBefore = placed();
    process.kill(first.at(-1)?.pid ?? 0, 'SIGKILL');
    await eventually('a new decoy server', () => joined().length > first.length, 15_000);
    await eventually('the decoys placed again', () => placed() >= placedBefore + 2, 15_000);
    const back = await decoysInPlace(2);
    const ping = await lab.exec('attacker', ['ping', '-c', '1', '-W', '2', back[0]?.ip ?? ''], {
      check: false,
    });
    expect(ping.code).toBe(0);
  });

  it('a clean stop leaves no decoy namespace, veth or server behind', async () => {
    const logged = readFileSync(node?.logFile ?? '', 'utf8')
      .split('\n')
      .filter((line) => line.includes('decoy namespace joined'))
      .map((line) => JSON.parse(line) as { pid: number });
    const serverPid = logged.at(-1)?.pid;
    expect(serverPid).toBeGreaterThan(0);
    await node?.stop(5000);
    node = undefined;
    expect(await nodeLinks()).not.toContain('pkd-br0');
    // The namespace lives exactly as long as the server process.
    expect(existsSync(`/proc/${serverPid}`)).toBe(false);
  });
});

// Sensor mode, in a namespace of its own: a decoys policy creates nothing.
//
//   [ wire: tap0 ]──veth──[ sensor: mon0 + picket node, mode sensor ]
describe('decoys in sensor mode', () => {
  const wireNs = `pk-dc${process.pid}-wire`;
  const sensorNs = `pk-dc${process.pid}-sensor`;

  afterAll(() => {
    for (const ns of [wireNs, sensorNs]) spawnSync('ip', ['netns', 'del', ns]);
  });

  it('creates no decoys, no veth and no decoy server', async () => {
    createTapPair(wireNs, sensorNs);
    const dir = mkdtempSync(join(tmpdir(), 'picket-decoys-sensor-'));
    writeFileSync(join(dir, 'policy.yaml'), `${basePolicy}\n${decoysSection('')}`);
    const config = join(dir, 'node.yaml');
    writeFileSync(
      config,
      `name: tap-1\nmode: sensor\nsensor: { interface: mon0 }\npolicy: policy.yaml\nstate-dir: ${join(dir, 'state')}\n`,
    );
    const log = join(dir, 'node.log');
    const sensor = spawn(
      'sh',
      [
        '-c',
        `exec ip netns exec ${sensorNs} ${process.execPath} ${join(root, 'bin', 'picket.js')} node --config ${config} 2>${log}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await eventually(
        'the sensor to load the policy',
        () => existsSync(log) && readFileSync(log, 'utf8').includes('policy loaded for detection'),
      );
      const links = execFileSync('ip', ['-n', sensorNs, '-o', 'link'], { encoding: 'utf8' });
      expect(links).not.toContain('pkd-');
      const text = readFileSync(log, 'utf8');
      expect(text).not.toContain('decoy namespace');
      expect(text).not.toContain('decoys moved');
    } finally {
      sensor.kill('SIGTERM');
      await new Promise((resolve) => sensor.once('exit', resolve));
    }
  });
});
