// `npm run bench -- portal [--logins N] [--seconds S] [--concurrency C]`: the
// identity portal under load. In the lab plant, `picket node` runs a portal
// policy; the attacker host plays the laptop. For two backends — a fast HTTP
// API peer and a real slapd, both in the node's namespace — it measures the
// time from sending the login POST to the first permitted packet getting
// through to the PLC (median/p95 over N logins), and full logins per second
// (form + POST, C at once). Baselines in the same run: bare HTTPS requests for
// the portal page per second, and bare LDAP binds per second against the same
// slapd. argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PicketError, UsageError } from '../cli/errors.js';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../lab/lab.js';
import { BENCH_LDAP, startBenchSlapd } from './bench-slapd.js';
import { replaceSection } from './doc-section.js';
import { median, percentile } from './statistics.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'bin', 'picket.js');
const worker = join(repoRoot, 'dist', 'bench', 'portal-worker.js');
const PORTAL = 'https://10.20.0.2:8443';
const API_PORT = 18_080;
const LDAP_PORT = 13_890;

class PortalBenchError extends PicketError {
  constructor(message: string) {
    super('bench-portal', `portal benchmark: ${message}`);
  }
}

type Backend = 'http' | 'ldap';

function policy(backend: Backend): string {
  const backends =
    backend === 'http'
      ? `    - name: api\n      http: { url: "http://127.0.0.1:${API_PORT}/authorize" }\n`
      : `    - name: ldap\n      ldap:\n        url: ldap://127.0.0.1:${LDAP_PORT}\n        user-dn: "${BENCH_LDAP.userDn}"\n        group-base: "${BENCH_LDAP.groupBase}"\n        roles: { vendor-siemens: vendor-engineer }\n`;
  return `version: 1
site: bench-portal
zones:
  cell-a: { networks: [10.20.1.0/24] }
  scada: { networks: [10.20.0.0/24] }
assets:
  plc-a1: { ip: 10.20.1.10, zone: cell-a }
  plc-a2: { ip: 10.20.1.11, zone: cell-a }
  hmi-a: { ip: 10.20.0.50, zone: scada }
services:
  modbus: { tcp: [502] }
rules:
  - { name: hmi-reads-plcs, from: hmi-a, to: plc-a1, services: [modbus] }
enforcement: { mode: enforce, unrecognized: portal }
portal:
  backends:
${backends}  roles:
    vendor-engineer: { to: [plc-a1], services: [modbus] }
`;
}

async function runWorker(lab: Lab, host: string, args: readonly string[]): Promise<unknown> {
  const r = await lab.exec(host, [process.execPath, worker, ...args], { check: false, timeoutMs: 120_000 });
  if (r.code !== 0)
    throw new PortalBenchError(`worker ${args[0]} failed (exit ${r.code}): ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
}

async function startNode(lab: Lab, work: string, backend: Backend): Promise<LabProcess> {
  writeFileSync(join(work, 'policy.yaml'), policy(backend));
  writeFileSync(
    join(work, 'node.yaml'),
    lab.nodeConfig('bench-node', {
      policy: 'policy.yaml',
      'state-dir': join(work, `state-${backend}`),
      'portal-address': '10.20.0.2/16',
      'log-level': 'warn',
    }),
  );
  const node = lab.spawn(
    lab.spec.node.name,
    [process.execPath, bin, 'node', '--config', join(work, 'node.yaml')],
    `node-${backend}`,
  );
  for (let i = 0; i < 200; i++) {
    const r = await lab.exec('attacker', ['curl', '-sk', '--max-time', '1', `${PORTAL}/`], { check: false });
    if (r.stdout.includes('Sign in')) return node;
    await new Promise((r) => setTimeout(r, 100));
  }
  await node.stop();
  throw new PortalBenchError(`the portal did not answer within 20 s (see ${node.logFile})`);
}

interface Measured {
  readonly backend: Backend;
  readonly loginToPacketMs: number[];
  readonly loginResponseMs: number[];
  readonly loginsPerSecond: number;
  readonly loginFailures: number;
  readonly httpsPerSecond: number;
}

async function measure(lab: Lab, work: string, backend: Backend, o: Options): Promise<Measured> {
  const node = await startNode(lab, work, backend);
  try {
    const user = backend === 'http' ? 'bench' : BENCH_LDAP.user;
    const password = backend === 'http' ? 'bench-pass' : BENCH_LDAP.password;
    const plc = `${lab.ip('plc-a1')}:502`;
    const lat = (await runWorker(lab, 'attacker', [
      'latency',
      PORTAL,
      plc,
      String(o.logins),
      user,
      password,
    ])) as {
      loginToPacketMs: number[];
      loginResponseMs: number[];
    };
    const logins = (await runWorker(lab, 'attacker', [
      'logins',
      PORTAL,
      String(o.seconds),
      String(o.concurrency),
      user,
      password,
    ])) as {
      perSecond: number;
      failed: number;
    };
    const https = (await runWorker(lab, 'attacker', [
      'https',
      PORTAL,
      String(o.seconds),
      String(o.concurrency),
    ])) as {
      perSecond: number;
    };
    return {
      backend,
      ...lat,
      loginsPerSecond: logins.perSecond,
      loginFailures: logins.failed,
      httpsPerSecond: https.perSecond,
    };
  } finally {
    await node.stop(3000);
  }
}

interface Options {
  readonly logins: number;
  readonly seconds: number;
  readonly concurrency: number;
}

function render(
  o: Options,
  runs: readonly Measured[],
  bindsPerSecond: number,
  load: readonly number[],
): string {
  const f = (n: number, d = 1) => n.toFixed(d);
  const rows = runs.map((m) => {
    const p = m.loginToPacketMs;
    return `| ${m.backend === 'http' ? 'HTTP API peer (loopback)' : 'slapd (LDAP bind + group search)'} | ${f(median(p))} | ${f(percentile(p, 95))} | ${f(median(m.loginResponseMs))} | ${f(m.loginsPerSecond, 0)} | ${f(m.httpsPerSecond, 0)} | ${f(m.loginsPerSecond / m.httpsPerSecond, 2)}× |`;
  });
  const ldap = runs.find((m) => m.backend === 'ldap');
  return [
    '## Portal (login → first permitted packet, logins/s)',
    '',
    `Command: \`npm run bench -- portal --logins ${o.logins} --seconds ${o.seconds} --concurrency ${o.concurrency}\` (root).`,
    'Lab plant of `examples/lab.yaml`; `picket node` with a portal policy (portal address',
    '10.20.0.2 on the bridge); the attacker host is the laptop. Login → packet: from sending the',
    'login POST until the first TCP connection to plc-a1:502 gets through (a new attempt every',
    `1 ms while the login runs), ${o.logins} logins each followed by a logout. Logins/s: full logins`,
    `(form GET + POST) by ${o.concurrency} concurrent clients for ${o.seconds} s, each one replacing the`,
    'previous permit (kernel element + journal row). Baseline: bare HTTPS GETs of the portal page by',
    'the same clients.',
    '',
    '| backend | login → packet median (ms) | p95 (ms) | login response median (ms) | logins/s | baseline HTTPS GETs/s | logins / GETs |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Baseline for slapd: bare LDAP binds, ${o.concurrency} clients, ${f(bindsPerSecond, 0)}/s; portal logins via slapd`,
    `reach ${ldap ? f(ldap.loginsPerSecond / bindsPerSecond, 2) : '?'}× that (each login is a bind, a group search and`,
    'the TLS and form work of two requests). The first permitted packet passes as soon as the',
    'portal has answered: the kernel element is added before the page is sent.',
    `Failed logins during the throughput runs: ${runs.map((m) => `${m.backend} ${m.loginFailures}`).join(', ')}.`,
    '',
    `Load average before/after: ${load.map((l) => l.toFixed(2)).join(' / ')}.`,
  ].join('\n');
}

export async function runPortal(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      logins: { type: 'string', default: '30' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const o: Options = {
    logins: Number(values.logins),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
  };
  if (!Number.isInteger(o.logins) || o.logins < 1 || o.logins > 500)
    throw new UsageError('--logins must be 1..500');
  if (!(o.seconds > 0 && o.seconds <= 60)) throw new UsageError('--seconds must be in (0, 60]');
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64)
    throw new UsageError('--concurrency must be 1..64');
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-portal-'));
  const labName = `bench-portal-${process.pid}`;
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const spec = loadLabSpec(join(repoRoot, 'examples', 'lab.yaml'));
    const hosts = spec.hosts.map((h) => (h.name === 'hmi-a' ? { ...h, services: [] } : h));
    const lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
    const peer = lab.spawn(
      lab.spec.node.name,
      [process.execPath, worker, 'api-peer', String(API_PORT)],
      'api-peer',
    );
    const slapd = await startBenchSlapd(lab, join(work, 'slapd'), LDAP_PORT);
    try {
      const runs: Measured[] = [];
      for (const backend of ['http', 'ldap'] as const) {
        runs.push(await measure(lab, work, backend, o));
        process.stderr.write(`portal: ${backend} done\n`);
      }
      const dn = BENCH_LDAP.userDn.replace('{user}', BENCH_LDAP.user);
      const binds = (await runWorker(lab, lab.spec.node.name, [
        'bind',
        `ldap://127.0.0.1:${LDAP_PORT}`,
        dn,
        BENCH_LDAP.password,
        String(o.seconds),
        String(o.concurrency),
      ])) as { perSecond: number };
      const section = render(o, runs, binds.perSecond, [loadBefore, loadavg()[0] ?? 0]);
      process.stdout.write(`${section}\n`);
      const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
      const text = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
      writeFileSync(docFile, replaceSection(text, 'portal', section));
    } finally {
      await slapd.stop();
      await peer.stop();
    }
  } finally {
    await destroyLab(labName);
    rmSync(work, { recursive: true, force: true });
  }
}
