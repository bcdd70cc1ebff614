// End-to-end: `picket learn --interface lo --duration 4s` captures live
// (tcpdump) in a network namespace of its own while a Modbus client polls a
// Modbus server there, and proposes the policy for what it saw.
//
//   [ netns pk-learn-<pid>: lo ]
//     client 127.0.0.3 ──tcp──► server 127.0.0.2:5020 (Modbus/TCP, read holding registers)
//     picket learn --interface lo --duration 4s
//
// All traffic stays on the namespace's loopback. Needs root (tcpdump, ip netns).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/parse.js';
import { picketBin, requireBuild } from './plant.js';

const ns = `pk-learn-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-learn-live-'));
let traffic: ChildProcess | undefined;

// A Modbus server answering every request, and a client polling it every 50 ms.
const PLANT = `
const net = require('node:net');
const server = net.createServer((s) => s.on('data', (d) => s.write(Buffer.concat([d.subarray(0, 7), Buffer.from([3, 2, 0, 42])]))));
server.listen(5020, '127.0.0.2', () => {
  const c = net.connect({ host: '127.0.0.2', port: 5020, localAddress: '127.0.0.3' });
  const req = Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 10, 0, 2]);
  setInterval(() => c.write(req), 50);
});
setTimeout(() => process.exit(0), 15000);
`;

afterAll(() => {
  traffic?.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(work, { recursive: true, force: true });
});

it('learns a live Modbus poll on an interface for a duration', () => {
  requireBuild();
  expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
  expect(spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']).status).toBe(0);
  traffic = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', PLANT], { stdio: 'ignore' });
  const out = join(work, 'live.yaml');
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      picketBin,
      'learn',
      '--interface',
      'lo',
      '--duration',
      '4s',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.stderr).toContain('wrote');
  expect(r.status).toBe(0);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain('# Proposed by `picket learn` from live lo');
  const { policy, diagnostics } = parsePolicy(text, out);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(policy?.assets.find((a) => a.ip === '127.0.0.2')?.role).toBe('plc');
  expect(policy?.services).toContainEqual(
    expect.objectContaining({ name: 'modbus-5020', protocol: 'modbus' }),
  );
  expect(policy?.rules[0]?.protocol).toMatchObject({
    kind: 'modbus',
    functions: [3],
    units: [1],
    read: [{ from: 10, to: 11 }],
  });
}, 60_000);
