// `npm run bench -- simulate [--packets N] [--rounds R]`: packets/s of
// `picket simulate`'s work (reading the capture, decoding, judging every
// packet; the report excluded) on a large synthetic plant capture written
// to a temporary directory, side by side with `tshark -q -z conv,tcp` on the
// same file in the same run; also reading alone and reading + decoding, to
// show where the time goes. Writes its section of docs/BENCHMARKS.md. Shell.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../cli/errors.js';
import { parsePolicy } from '../policy/parse.js';
import { scanCaptureFile } from '../sense/capture-scan.js';
import { createVerdictFields, decodeVerdictFields } from '../sense/decode-verdict.js';
import { simulationReport } from '../simulate/report.js';
import { createSimulation, type Simulation, simulateFrame } from '../simulate/simulator.js';
import { replaceSection } from './doc-section.js';
import { median } from './statistics.js';
import { writeSyntheticCapture } from './synthetic-capture.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const TARGET_PER_SECOND = 1_000_000;

/** The policy the synthetic plant's normal traffic fits (its SYN scan does not). */
const POLICY = `version: 1
site: bench
zones:
  scada: { networks: [10.20.0.0/24] }
  cell: { networks: [10.20.1.0/24, 10.20.2.0/24] }
assets:
  hist: { ip: 10.20.0.5, zone: scada }
  s7client: { ip: 10.20.0.60, zone: scada }
services:
  modbus: { tcp: [502] }
  s7: { tcp: [102] }
  dns: { udp: [53] }
rules:
  - name: scada-polls-cell
    from: scada
    to: cell
    services: [modbus]
  - name: s7-reads
    from: s7client
    to: cell
    services: [s7]
  - name: dns
    from: scada
    to: hist
    services: [dns]
enforcement:
  out-of-profile: quarantine
`;

interface Options {
  readonly packets: number;
  readonly rounds: number;
}

function parseOptions(args: readonly string[]): Options {
  let packets = 5_000_000;
  let rounds = 3;
  for (let i = 0; i < args.length; i++) {
    const value = Number(args[i + 1]);
    if (args[i] === '--packets' && Number.isInteger(value) && value > 0) packets = value;
    else if (args[i] === '--rounds' && Number.isInteger(value) && value > 0) rounds = value;
    else
      throw new UsageError(
        `unexpected argument "${args[i]}"`,
        'npm run bench -- simulate [--packets N] [--rounds R]',
      );
    i++;
  }
  return { packets, rounds };
}

function timed(work: () => number): { seconds: number; packets: number } {
  const t0 = performance.now();
  const packets = work();
  return { seconds: (performance.now() - t0) / 1000, packets };
}

/** Runs the benchmark. */
export async function runSimulate(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-simulate-'));
  try {
    const capture = join(work, 'plant.pcap');
    process.stdout.write(`writing ${options.packets.toLocaleString('en')} packets to ${capture}…\n`);
    writeSyntheticCapture(capture, options.packets);
    const bytes = statSync(capture).size;
    const { policy } = parsePolicy(POLICY, 'policy.yaml');
    if (policy === undefined) throw new Error('the benchmark policy does not parse');
    const read = () => timed(() => scanCaptureFile(capture, () => {}).frames);
    const fields = createVerdictFields();
    const decode = () =>
      timed(
        () => scanCaptureFile(capture, (b, s, e, _t, l) => decodeVerdictFields(fields, l, b, s, e)).frames,
      );
    let last: Simulation | undefined;
    const simulate = () =>
      timed(() => {
        let sim: Simulation | undefined;
        const n = scanCaptureFile(capture, (b, s, e, t, l) => {
          sim ??= createSimulation(policy, t);
          simulateFrame(sim, l, b, s, e, t);
        }).frames;
        last = sim;
        return n;
      });
    const rounds: { read: number; decode: number; simulate: number }[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const a = read();
      const b = decode();
      const c = simulate();
      rounds.push({
        read: a.packets / a.seconds,
        decode: b.packets / b.seconds,
        simulate: c.packets / c.seconds,
      });
      process.stdout.write(
        `round ${r + 1}: simulate ${Math.round(c.packets / c.seconds).toLocaleString('en')} packets/s\n`,
      );
    }
    const t0 = performance.now();
    const tshark = spawnSync('tshark', ['-q', '-z', 'conv,tcp', '-r', capture], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const tsharkSeconds = (performance.now() - t0) / 1000;
    if (tshark.status !== 0) throw new Error(`tshark failed: ${tshark.stderr}`);
    const report = last === undefined ? undefined : simulationReport(last);
    writeReport(
      options,
      bytes,
      rounds,
      options.packets / tsharkSeconds,
      tsharkSeconds,
      report?.totals.byOutcome ?? {},
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function writeReport(
  options: Options,
  bytes: number,
  rounds: readonly { read: number; decode: number; simulate: number }[],
  tsharkPerSecond: number,
  tsharkSeconds: number,
  byOutcome: Readonly<Record<string, number>>,
): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const sim = median(rounds.map((r) => r.simulate));
  const rows = rounds.map((r, i) => `| ${i + 1} | ${fmt(r.read)} | ${fmt(r.decode)} | ${fmt(r.simulate)} |`);
  const body = [
    '## Simulate: packets/s judged from a capture',
    '',
    `\`npm run bench -- simulate --packets ${options.packets} --rounds ${options.rounds}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(1)} at the end, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `A synthetic plant capture (\`src/bench/synthetic-capture.ts\`: 8 HMIs opening Modbus/TCP sessions to 64 PLCs — handshake, 20 reads with replies, FIN both ways — 256 sessions interleaved, DNS, and an attacker's probe every 10,000 packets) of ${options.packets.toLocaleString('en')} packets (${(bytes / 1e6).toFixed(0)} MB, classic pcap) in a temporary directory, judged under a three-rule policy with quarantine. Simulate = reading (\`capture-scan.ts\`) + decoding (\`decode-verdict.ts\`) + judging (\`simulateFrame\`: bridge table, conntrack, forward chain, tallies); building and printing the report is excluded. Outcomes: ${Object.entries(
      byOutcome,
    )
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ')}.`,
    '',
    '| round | read only (frames/s) | read + decode | simulate (packets/s) |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Median: **${fmt(sim)} packets/s** (target ≥ ${fmt(TARGET_PER_SECOND)}/s: ${sim >= TARGET_PER_SECOND ? 'met' : 'not met'}). Baseline in the same run: \`tshark -q -z conv,tcp -r <file>\` took ${tsharkSeconds.toFixed(1)} s, ${fmt(tsharkPerSecond)} packets/s; simulate is **${(sim / tsharkPerSecond).toFixed(1)}×** tshark's rate.`,
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
  writeFileSync(
    docFile,
    replaceSection(existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined, 'simulate', body),
  );
}
