// `npm run bench -- intake [--packets N] [--rounds R]`: how many events/s
// Picket's NFLOG intake takes in, and whether the kernel lost any. In a fresh
// namespace an output-hook rule logs (no rate limit) every UDP datagram to
// 127.0.0.1:9 to a log group, a raw-prerouting rule drops it, a C sender
// (udp-burst.c, sendmmsg) sends bounded bursts, and the intake worker counts.
// The rule's nft counter is the truth of what the kernel logged.
// argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PicketError, UsageError } from '../cli/errors.js';
import { run } from '../lab/netns.js';
import { buildCProgram } from './c-program.js';
import { replaceSection } from './doc-section.js';
import type { WorkerStats } from './intake-worker.js';
import { median } from './statistics.js';

const GROUP = 9;
const TABLE = 'picketintakebench';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const workerPath = fileURLToPath(new URL('./intake-worker.js', import.meta.url));

/** The intake worker did not answer or the sender failed. */
export class IntakeBenchError extends PicketError {
  constructor(message: string, hint?: string) {
    super('bench-intake', `intake benchmark: ${message}`, hint === undefined ? {} : { hint });
  }
}

interface Round {
  readonly logged: number;
  readonly decoded: number;
  readonly lost: number;
  readonly overruns: number;
  readonly senderPerSecond: number;
  readonly intakePerSecond: number;
  readonly perCpuSecond: number;
}

interface Worker {
  stats(): Promise<WorkerStats>;
  mark(): void;
  close(): Promise<void>;
}

async function startWorker(ns: string): Promise<Worker> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, workerPath, String(GROUP)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new IntakeBenchError('the intake worker did not answer')),
        10_000,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  await next(); // {"ready":true}
  return {
    stats: async () => {
      const reply = next();
      child.stdin.write('stats\n');
      return (await reply).stats as WorkerStats;
    },
    mark: () => child.stdin.write('mark\n'),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end('close\n');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

async function loggedPackets(ns: string): Promise<number> {
  const { stdout } = await run([
    'ip',
    'netns',
    'exec',
    ns,
    'nft',
    '-j',
    'list',
    'chain',
    'inet',
    TABLE,
    'out',
  ]);
  const doc = JSON.parse(stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
  for (const item of doc.nftables)
    for (const e of item.rule?.expr ?? []) if (e.counter) return e.counter.packets;
  throw new IntakeBenchError('no counter on the log rule');
}

async function burst(
  ns: string,
  sender: string,
  packets: number,
): Promise<{ sent: number; seconds: number }> {
  const { stdout } = await run(['ip', 'netns', 'exec', ns, sender, String(packets)], { timeoutMs: 120_000 });
  return JSON.parse(stdout) as { sent: number; seconds: number };
}

/** Polls until the intake has accounted for `target` events or stops making progress. */
async function drained(worker: Worker, base: WorkerStats, target: number): Promise<WorkerStats> {
  let last = await worker.stats();
  for (let idle = 0; idle < 10; ) {
    if (last.decoded + last.malformed + last.lost - (base.decoded + base.malformed + base.lost) >= target)
      break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await worker.stats();
    idle = now.received === last.received ? idle + 1 : 0;
    last = now;
  }
  return last;
}

function parseArgs(args: readonly string[]): { packets: number; rounds: number } {
  const value = (flag: string, fallback: number): number => {
    const i = args.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(args[i + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer`);
    return n;
  };
  return { packets: value('--packets', 500_000), rounds: value('--rounds', 3) };
}

async function measure(
  ns: string,
  sender: string,
  packets: number,
  rounds: number,
): Promise<{ alone: number; rounds: Round[] }> {
  // The sender with nobody bound to the group: the kernel builds no log messages, so this is its ceiling.
  const solo = await burst(ns, sender, packets);
  const worker = await startWorker(ns);
  try {
    // Warm-up (JIT, socket buffers), drained to the last event so none spills into round 1.
    const warmBase = await worker.stats();
    const warmLogged = await loggedPackets(ns);
    await burst(ns, sender, 50_000);
    await drained(worker, warmBase, (await loggedPackets(ns)) - warmLogged);
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      const loggedBefore = await loggedPackets(ns);
      worker.mark();
      const before = await worker.stats();
      const sent = await burst(ns, sender, packets);
      const logged = (await loggedPackets(ns)) - loggedBefore;
      const after = await drained(worker, before, logged);
      const decoded = after.decoded - before.decoded;
      results.push({
        logged,
        decoded,
        lost: after.lost - before.lost,
        overruns: after.overruns - before.overruns,
        senderPerSecond: sent.sent / sent.seconds,
        intakePerSecond: decoded / ((after.lastEventMs - after.firstEventMs) / 1000),
        perCpuSecond: decoded / ((after.cpuMs - before.cpuMs) / 1000),
      });
      process.stderr.write(`round ${r + 1}/${rounds}: ${decoded}/${logged} events\n`);
    }
    return { alone: solo.sent / solo.seconds, rounds: results };
  } finally {
    await worker.close();
  }
}

const k = (n: number): string => `${Math.round(n / 1000)}k`;

function render(
  packets: number,
  alone: number,
  rounds: readonly Round[],
  load: readonly [number, number],
): string {
  const rows = rounds.map(
    (r, i) =>
      `| ${i + 1} | ${r.logged} | ${r.decoded} | ${r.lost} | ${r.overruns} | ${k(r.senderPerSecond)} | ${k(r.intakePerSecond)} | ${k(r.perCpuSecond)} |`,
  );
  const allIn = rounds.every((r) => r.decoded === r.logged && r.lost === 0);
  return [
    '## Intake (NFLOG)',
    '',
    `Generated by \`npm run bench -- intake --packets ${packets} --rounds ${rounds.length}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; rerun to refresh this section.`,
    '',
    'A fresh namespace: `udp dport 9 counter log prefix "picket:block:" group 9` in an output-hook chain',
    '(no rate limit), a raw-prerouting drop, `src/bench/udp-burst.c` sending bounded bursts of 18-byte',
    'datagrams to 127.0.0.1:9 with `sendmmsg`, and `createNflogIntake()` in a worker in the namespace',
    '(its defaults: copy range 256 bytes, 64 KiB kernel batches, 10 ms flush, a 32 MiB receive buffer',
    "through SO_RCVBUFFORCE). *logged* is the rule's counter, *lost* the events missing from NFLOG sequence numbers,",
    '*overruns* the gaps they came in; rates are events decoded per wall-clock second (first',
    'to last event of the burst) and per CPU-second of the intake process. The 1-minute load average',
    `was ${load[0].toFixed(2)} at the start and ${load[1].toFixed(2)} at the end (2 cores).`,
    '',
    '| round | logged | decoded | lost | overruns | sender pkts/s | intake events/s | events per CPU-s |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Median intake rate ${k(median(rounds.map((r) => r.intakePerSecond)))} events/s,` +
      ` ${allIn ? 'every logged event decoded' : 'with losses (see the table)'};` +
      ` the sender alone (no listener, so no log messages built) does ${k(alone)} packets/s.` +
      " The kernel builds each log message in the sender's context, so the sender slows down as soon" +
      ' as the intake listens: on 2 cores the sender and the intake each hold one, and the intake rate' +
      " is bounded by how fast the sender can log; *events per CPU-s* is the intake's own ceiling.",
  ].join('\n');
}

/** Runs the intake benchmark in its own namespace and always tears it down. */
export async function runIntake(args: readonly string[]): Promise<void> {
  const { packets, rounds } = parseArgs(args);
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-intake-'));
  const ns = `pk-b-${randomBytes(3).toString('hex')}`;
  try {
    const sender = buildCProgram('udp-burst', work);
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    const table = [
      `table inet ${TABLE} {`,
      `\tchain out { type filter hook output priority filter; udp dport 9 counter log prefix "picket:block:" group ${GROUP}; }`,
      '\tchain pre { type filter hook prerouting priority raw; udp dport 9 drop; }',
      '}',
      '',
    ].join('\n');
    await run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], { input: table });
    const loadBefore = loadavg()[0] ?? 0;
    const result = await measure(ns, sender, packets, rounds);
    const section = render(packets, result.alone, result.rounds, [loadBefore, loadavg()[0] ?? 0]);
    process.stdout.write(`${section}\n`);
    const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
    writeFileSync(
      docFile,
      replaceSection(existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined, 'intake', section),
    );
  } finally {
    await run(['ip', 'netns', 'del', ns], { check: false });
    rmSync(work, { recursive: true, force: true });
  }
}
