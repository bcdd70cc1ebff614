// `npm run bench -- learn [--packets N] [--rounds R] [--tshark-packets T]`: packets/s of
// `picket learn`'s library path (capture-scan + the learner, up to the
// proposal; the YAML emit is excluded) on a large synthetic plant capture
// (learn-capture.ts: HMIs polling 40 Modbus PLCs, S7 reads, an engineering
// write, DNS, a 1,000-port SYN scan), side by side in the same run with
// `tshark -q -z conv,tcp -r <file>` on the same file as the baseline: once,
// on its first T packets (`-c T`, default 500,000) — tshark's TCP sequence
// analysis (on by default) costs more the longer the flows run (measured on
// this file: 30k packets/s over the first 100,000 packets, 15k over 300,000,
// 2.5k on average over 1.9 M; with the analysis off, 300,000 take half the time).
// argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PicketError, UsageError } from '../cli/errors.js';
import { createLearner } from '../learn/learner.js';
import { scanCaptureFile } from '../sense/capture-scan.js';
import { replaceSection } from './doc-section.js';
import { writeSyntheticCapture } from './learn-capture.js';
import { median } from './statistics.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const TARGET_PER_SECOND = 1_000_000;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} wants a positive number`);
  return value;
}

interface Round {
  readonly learnPerSecond: number;
  readonly tsharkPerSecond: number;
  readonly proposeMs: number;
  readonly rules: number;
  readonly recon: number;
  readonly heapMiB: number;
}

function learnOnce(path: string, packets: number): Omit<Round, 'tsharkPerSecond'> {
  const learner = createLearner();
  const started = performance.now();
  const summary = scanCaptureFile(path, (b, s, e, t, lt) => learner.observe(t, lt, b, s, e));
  const proposeStart = performance.now();
  const proposal = learner.propose({ site: 'bench' });
  const done = performance.now();
  if (summary.frames !== packets)
    throw new PicketError('bench-learn', `read ${summary.frames} of ${packets} frames`);
  return {
    learnPerSecond: packets / ((done - started) / 1000),
    proposeMs: done - proposeStart,
    rules: proposal.rules.length,
    recon: proposal.recon.length,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

function tsharkOnce(path: string, packets: number): number {
  const started = performance.now();
  const r = spawnSync('tshark', ['-q', '-c', String(packets), '-z', 'conv,tcp', '-r', path], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new PicketError('bench-learn', `tshark failed: ${r.stderr || r.error?.message}`);
  return packets / seconds;
}

/** Runs the benchmark and records it. */
export async function runLearn(args: readonly string[]): Promise<void> {
  const packets = Math.floor(option(args, '--packets', 5_000_000));
  const rounds = option(args, '--rounds', 3);
  const tsharkPackets = Math.min(packets, Math.floor(option(args, '--tshark-packets', 500_000)));
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-learn-'));
  const path = join(work, 'plant.pcap');
  try {
    process.stdout.write(`writing ${packets.toLocaleString('en')} packets to ${path}…\n`);
    writeSyntheticCapture(path, packets);
    const mb = statSync(path).size / 1e6;
    const results: Round[] = [];
    process.stdout.write(`tshark -q -c ${tsharkPackets} -z conv,tcp on the same file…\n`);
    const tshark = tsharkOnce(path, tsharkPackets);
    for (let r = 0; r < rounds; r++) {
      const round = { ...learnOnce(path, packets), tsharkPerSecond: tshark };
      results.push(round);
      process.stdout.write(
        `round ${r + 1}: learn ${Math.round(round.learnPerSecond).toLocaleString('en')} packets/s (propose ${round.proposeMs.toFixed(0)} ms, ${round.rules} rules, ${round.recon} recon left out); tshark ${Math.round(tshark).toLocaleString('en')} packets/s\n`,
      );
    }
    report(results, { packets, rounds, mb, tsharkPackets });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function report(
  results: readonly Round[],
  setup: { packets: number; rounds: number; mb: number; tsharkPackets: number },
): void {
  const learn = median(results.map((r) => r.learnPerSecond));
  const tshark = median(results.map((r) => r.tsharkPerSecond));
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const tsharkVersion = (
    spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'tshark'
  ).replace(/\.$/, '');
  const rows = results.map(
    (r, i) =>
      `| ${i + 1} | ${fmt(r.learnPerSecond)} | ${fmt(r.tsharkPerSecond)} | ${(r.learnPerSecond / r.tsharkPerSecond).toFixed(1)}× | ${r.proposeMs.toFixed(0)} | ${r.heapMiB.toFixed(0)} |`,
  );
  const body = [
    '## Learning a policy from a capture',
    '',
    `\`npm run bench -- learn --packets ${setup.packets} --rounds ${setup.rounds} --tshark-packets ${setup.tsharkPackets}\` on ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(1)} before the run, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${tsharkVersion}.`,
    '',
    `A synthetic plant capture of ${fmt(setup.packets)} packets (${setup.mb.toFixed(0)} MB classic pcap, \`src/bench/learn-capture.ts\`):`,
    'four HMIs polling 40 Modbus/TCP PLCs with replies, an S7 client reading 8 PLCs, an engineering station',
    'writing a register, DNS, and a 1,000-port SYN scan. **learn** is the library path of `picket learn`:',
    '`scanCaptureFile` (`src/sense/capture-scan.ts`) → `createLearner().observe` → `propose` (the YAML emit',
    'excluded), one process, from the page cache. **tshark** is `tshark -q -c T -z conv,tcp -r <file>` on the',
    `same file in the same run, once, over its first ${fmt(setup.tsharkPackets)} packets: tshark dissects every packet and`,
    'its TCP sequence analysis (on by default) costs more the longer the flows run: about 30,000 packets/s over',
    'the first 100,000 packets of this file, 15,000/s over 300,000, 2,500/s on average over 1.9 million. The',
    'prefix is the fair side of that comparison for tshark.',
    '',
    '| round | learn packets/s | tshark packets/s (one run) | learn ÷ tshark | propose ms | heap MiB |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Median: **${fmt(learn)} packets/s** learned (target ≥ ${fmt(TARGET_PER_SECOND)}/s: ${learn >= TARGET_PER_SECOND ? 'met' : 'not met'}), ${(learn / tshark).toFixed(1)}× tshark's conversation table (${fmt(tshark)} packets/s).`,
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
  writeFileSync(
    docFile,
    replaceSection(existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined, 'learn', body),
  );
}
