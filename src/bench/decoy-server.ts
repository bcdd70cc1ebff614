// `npm run bench -- decoy-server [--seconds 3] [--rounds 3]`: how much load
// the decoy server takes, against the least a Modbus/TCP server in Node can do
// (src/bench/modbus-responder.ts: fixed replies, no personality, no events),
// both in one network namespace, measured alternately in each round so load
// from elsewhere on the machine hits both alike. A C client
// (src/bench/decoy-client.c) measures Modbus reads/s over 8 connections (one
// request outstanding each) and modbus-discover-style scans/s (a new
// connection per FC17 request, one at a time). Also: the server's resident
// memory after the run, and the touch events it wrote.
// argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PicketError } from '../cli/errors.js';
import { drawIdentity } from '../deceive/personality/index.js';
import { deleteNamespaces, execIn, ipBatch, run } from '../lab/netns.js';
import { eventually } from '../lab/observe.js';
import { buildCProgram } from './c-program.js';
import { replaceSection } from './doc-section.js';
import { median } from './statistics.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const DECOY_IP = '10.77.9.1';
const BASELINE_IP = '10.77.9.2';
/** The decoy server holds 0.0.0.0:502 in the namespace, so the baseline listens elsewhere. */
const BASELINE_PORT = 5020;
const READ_CONNECTIONS = 8;

class DecoyServerBenchError extends PicketError {
  constructor(message: string, hint?: string) {
    super('bench-decoy-server', `decoy-server benchmark: ${message}`, hint === undefined ? {} : { hint });
  }
}

interface Samples {
  reads: number[];
  scans: number[];
}

/** Starts a Node process in the namespace; resolves once `ready(stdout)` holds. */
async function startIn(ns: string, argv: readonly string[], ready: (out: string) => boolean, input?: string) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  if (input !== undefined) child.stdin?.write(input);
  await eventually(`${argv[0]} to start`, () => ready(out), 15_000);
  return { child, output: () => out };
}

async function measure(
  ns: string,
  client: string,
  ip: string,
  port: number,
  mode: 'reads' | 'scan',
  seconds: number,
): Promise<number> {
  const conns = mode === 'reads' ? READ_CONNECTIONS : 1;
  const r = await execIn(ns, [client, ip, String(port), mode, String(seconds), String(conns)], {
    timeoutMs: (seconds + 30) * 1000,
  });
  return Number(r.stdout.trim()) / seconds;
}

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function row(label: string, s: Samples): string {
  const span = (xs: number[]) =>
    `${Math.round(median(xs)).toLocaleString('en')} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
  return `| ${label} | ${span(s.reads)} | ${span(s.scans)} |`;
}

function render(
  decoy: Samples,
  base: Samples,
  rss: number,
  touches: number,
  seconds: number,
  rounds: number,
  load: [number, number],
): string {
  const ratio = (a: number[], b: number[]) => `${((100 * median(a)) / median(b)).toFixed(0)} %`;
  return [
    '## Decoy server (`npm run bench -- decoy-server`)',
    '',
    `One Modicon M340 decoy served by \`dist/deceive/server-main.js\` and, beside it, the least a Modbus/TCP server in Node`,
    `can do (\`src/bench/modbus-responder.ts\`: fixed replies, no personality, no events), both in one network namespace;`,
    `a C client (\`src/bench/decoy-client.c\`) measures, alternately on each, ${rounds} rounds of ${seconds} s:`,
    `Modbus reads/s over ${READ_CONNECTIONS} connections (FC3 of 10 registers, one request outstanding each) and`,
    'modbus-discover-style scans/s (a new connection per FC17 request, one at a time). Median (min–max) over the rounds.',
    '',
    '| server | Modbus reads/s | scan connections/s |',
    '|---|---|---|',
    row('decoy server (personality, register map, touch events)', decoy),
    row('baseline: fixed-reply Node server', base),
    `| decoy / baseline | ${ratio(decoy.reads, base.reads)} | ${ratio(decoy.scans, base.scans)} |`,
    '',
    `The decoy server held ${rss.toFixed(0)} MiB resident after the run and wrote ${touches.toLocaleString('en')} touch events:`,
    'one per connection and per new note, repeats folded per connection, and each source held to 20 events/s (bursts of 100),',
    'so a scan at thousands of connections per second writes a few dozen lines a second, the next one saying how many it held back.',
    `The bench raises the per-connection byte limit so the read connections last the run; a decoy's default is 64 KiB.`,
    '',
    `Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.version};`,
    `load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after (the machine is shared: compare the ratio, not the rates).`,
    `Command: \`npm run bench -- decoy-server --seconds ${seconds} --rounds ${rounds}\`.`,
  ].join('\n');
}

/** Runs the benchmark and writes its section of docs/BENCHMARKS.md. */
export async function runDecoyServer(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' } },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (!(seconds > 0 && Number.isInteger(rounds) && rounds > 0))
    throw new DecoyServerBenchError('--seconds must be positive and --rounds a positive integer');
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-decoy-server-'));
  const ns = `bench-dsrv-${process.pid}`;
  const children: ChildProcess[] = [];
  try {
    const client = buildCProgram('decoy-client', work);
    await run(['ip', 'netns', 'add', ns]);
    await ipBatch(
      ['link set lo up', `addr add ${DECOY_IP}/32 dev lo`, `addr add ${BASELINE_IP}/32 dev lo`],
      ns,
    );
    const loadBefore = loadavg()[0] ?? 0;
    const set = {
      decoys: [
        { id: 'bench', ip: DECOY_IP, identity: drawIdentity('modicon-m340', 'bench-decoy-server', 0) },
      ],
      limits: { connectionsPerSource: 64, bytesPerConnection: 1 << 30 },
    };
    const server = await startIn(
      ns,
      [join(repoRoot, 'dist', 'deceive', 'server-main.js')],
      (out) => out.includes('"type":"ready"'),
      `${JSON.stringify(set)}\n`,
    );
    children.push(server.child);
    const baseline = await startIn(
      ns,
      [join(repoRoot, 'dist', 'bench', 'modbus-responder.js'), BASELINE_IP, String(BASELINE_PORT)],
      (out) => out.includes('listening'),
    );
    children.push(baseline.child);
    const decoy: Samples = { reads: [], scans: [] };
    const base: Samples = { reads: [], scans: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const [ip, port, samples] of [
        [DECOY_IP, 502, decoy],
        [BASELINE_IP, BASELINE_PORT, base],
      ] as const) {
        samples.reads.push(await measure(ns, client, ip, port, 'reads', seconds));
        samples.scans.push(await measure(ns, client, ip, port, 'scan', seconds));
      }
      process.stderr.write(`\rdecoy-server: round ${round}/${rounds}`);
    }
    process.stderr.write('\n');
    const rss = residentMiB(server.child.pid ?? 0);
    const touches = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"type":"touch"')).length;
    const section = render(decoy, base, rss, touches, seconds, rounds, [loadBefore, loadavg()[0] ?? 0]);
    process.stdout.write(`${section}\n`);
    const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
    const text = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
    writeFileSync(docFile, replaceSection(text, 'decoy-server', section));
  } finally {
    for (const child of children) child.stdin?.end();
    await deleteNamespaces([ns]);
    rmSync(work, { recursive: true, force: true });
  }
}
