// `npm run bench -- protocol [--rounds R] [--seconds S] [--rate P] [--flows F]`:
// protocol verdicts/s through NFQUEUE. In a fresh namespace an xt rule queues
// (fail-closed, queues 0-1) every TCP segment to 10.99.0.2:502; a C sender
// (modbus-raw.c, raw socket, sendmmsg) writes F flows of consecutive segments
// of one Modbus read ADU each, at up to P packets/s, out of a veth whose peer
// sits in a second namespace; the worker judges each packet with the real
// reassembly and Modbus codec and returns batched verdicts. No TCP stack runs
// on either end, so what is measured is the queue, the judge and the verdicts.
// Counted: verdicts per wall-clock second, the worker's CPU per verdict, and
// what the kernel dropped because the queue was full.
// argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PicketError, UsageError } from '../cli/errors.js';
import { run } from '../lab/netns.js';
import { buildCProgram } from './c-program.js';
import { replaceSection } from './doc-section.js';
import type { ProtocolWorkerStats } from './protocol-worker.js';
import { median } from './statistics.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const workerPath = fileURLToPath(new URL('./protocol-worker.js', import.meta.url));
const TARGET_PER_SECOND = 50_000;

/** The worker or the flooder failed. */
export class ProtocolBenchError extends PicketError {
  constructor(message: string) {
    super('bench-protocol', `protocol benchmark: ${message}`);
  }
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} wants a positive number`);
  return value;
}

async function startWorker(ns: string) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, workerPath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProtocolBenchError('the worker did not answer')), 10_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  await next();
  return {
    stats: async () => {
      const answer = next();
      child.stdin.write('stats\n');
      return (await answer) as unknown as ProtocolWorkerStats;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Kernel queue drops (queue full + failed deliveries) of every queue in the namespace. */
async function queueDrops(inNs: (argv: readonly string[]) => Promise<{ stdout: string }>): Promise<number> {
  const text = (await inNs(['cat', '/proc/net/netfilter/nfnetlink_queue'])).stdout;
  let total = 0;
  for (const line of text.trim().split('\n')) {
    const f = line.trim().split(/\s+/);
    total += Number(f[5] ?? 0) + Number(f[6] ?? 0);
  }
  return total;
}

interface Round {
  readonly perSecond: number;
  readonly usPerVerdict: number;
  readonly sent: number;
  readonly kernelDrops: number;
}

/** Runs the benchmark and records it. */
export async function runProtocol(args: readonly string[]): Promise<void> {
  const rounds = option(args, '--rounds', 3);
  const seconds = option(args, '--seconds', 5);
  const rate = option(args, '--rate', 1_000_000);
  const flows = option(args, '--flows', 16);
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-proto-'));
  const sender = buildCProgram('modbus-raw', work);
  const ns = `pk-bench-proto-${process.pid}`;
  const peer = `${ns}-peer`;
  const inNs = (argv: readonly string[]) =>
    run(['ip', 'netns', 'exec', ns, ...argv], { check: true, timeoutMs: 120_000 });
  await run(['ip', 'netns', 'add', ns], { check: true });
  await run(['ip', 'netns', 'add', peer], { check: true });
  try {
    await inNs(['ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', peer]);
    await inNs(['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'veth0']);
    await inNs(['ip', 'link', 'set', 'veth0', 'up']);
    await run(['ip', 'netns', 'exec', peer, 'ip', 'link', 'set', 'veth1', 'up'], { check: true });
    // No ARP on the way: the peer namespace has no address and answers nothing.
    await inNs(['ip', 'neigh', 'add', '10.99.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'veth0']);
    await inNs([
      'iptables-nft',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '--dport',
      '502',
      '-j',
      'NFQUEUE',
      '--queue-balance',
      '0:1',
    ]);
    const worker = await startWorker(ns);
    try {
      const results: Round[] = [];
      for (let r = 0; r < rounds; r++) {
        const before = await worker.stats();
        const dropsBefore = await queueDrops(inNs);
        const started = performance.now();
        const out = await inNs([sender, '10.99.0.2', String(rate), String(seconds), String(flows)]);
        const after = await worker.stats();
        const elapsed = (performance.now() - started) / 1000;
        const verdicts = after.received - before.received;
        const round: Round = {
          perSecond: verdicts / elapsed,
          usPerVerdict: ((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, verdicts),
          sent: Number(out.stdout.trim()),
          kernelDrops: (await queueDrops(inNs)) - dropsBefore,
        };
        results.push(round);
        process.stdout.write(
          `round ${r + 1}: ${Math.round(round.perSecond)} verdicts/s, ${round.usPerVerdict.toFixed(1)} µs worker CPU/verdict (${(after.systemMs - before.systemMs).toFixed(0)} ms of it in the kernel), ${after.verdictBatches - before.verdictBatches} verdict sends, ${round.kernelDrops} dropped by a full queue\n`,
        );
      }
      report(results, { rounds, seconds, rate, flows });
    } finally {
      await worker.close();
    }
  } finally {
    await run(['ip', 'netns', 'del', ns], { check: false });
    await run(['ip', 'netns', 'del', peer], { check: false });
    rmSync(work, { recursive: true, force: true });
  }
}

function report(
  results: readonly Round[],
  setup: { rounds: number; seconds: number; rate: number; flows: number },
): void {
  const perSecond = median(results.map((r) => r.perSecond));
  const us = median(results.map((r) => r.usPerVerdict));
  const rows = results.map(
    (r, i) =>
      `| ${i + 1} | ${Math.round(r.perSecond).toLocaleString('en')} | ${r.usPerVerdict.toFixed(1)} | ${r.sent.toLocaleString('en')} | ${r.kernelDrops} |`,
  );
  const body = [
    '## Protocol verdicts through NFQUEUE',
    '',
    `\`npm run bench -- protocol --rounds ${setup.rounds} --seconds ${setup.seconds} --rate ${setup.rate} --flows ${setup.flows}\` on ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(1)} before the run, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    'A fresh namespace; an xt rule queues every TCP segment to 10.99.0.2:502 (NFQUEUE 0-1, fail-closed).',
    `A C sender (\`src/bench/modbus-raw.c\`, raw socket, sendmmsg) writes ${setup.flows} flows of consecutive segments,`,
    'one Modbus read-holding-registers ADU each, out of a veth into an empty peer namespace; the worker',
    '(`src/bench/protocol-worker.ts`) judges each packet with the real per-flow reassembly and Modbus codec',
    '(`judgePacket`, a rule allowing FC3) and answers in batched runs (NFQNL_MSG_VERDICT_BATCH). The sender,',
    'the worker and the kernel share the CPUs with whatever else the machine runs.',
    '',
    '| round | verdicts/s | worker CPU µs/verdict | packets sent | dropped by a full queue |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Median: **${Math.round(perSecond).toLocaleString('en')} verdicts/s** (target ≥ ${TARGET_PER_SECOND.toLocaleString('en')}/s: ${perSecond >= TARGET_PER_SECOND ? 'met' : 'not met'}), ${us.toFixed(1)} µs of worker CPU per verdict (user + kernel: a verdict re-injects the packet, and the rest of its path runs in the worker's system call).`,
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
  writeFileSync(
    docFile,
    replaceSection(existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined, 'protocol', body),
  );
}
