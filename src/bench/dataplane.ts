// `bench dataplane`: builds the bench lab, then measures Picket's full atomic
// apply at 1k/10k/100k tuples and single-element latency, and the node bridge's
// forwarding (new-flow UDP, one-flow UDP, TCP) with no tables, conntrack only,
// Picket at 1k/10k/100k tuples and a naive rule list at 1k/10k, in interleaved
// rounds; prints the tables and rewrites its section of docs/BENCHMARKS.md. Always tears the
// lab down (also on SIGINT/SIGTERM).
// argv → report on stdout + docs/BENCHMARKS.md. Shell.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import type { AllowEntry } from '../compile/ruleset.js';
import { createLab, type Lab, loadLabSpec } from '../lab/lab.js';
import { conntrackOnlyRuleset, flowLast, naiveRuleset } from './baseline-rulesets.js';
import { replaceSection } from './doc-section.js';
import { permitOps, quarantineOps } from './element-ops.js';
import { FLOOD_PAYLOAD_BYTES, installUdpSink } from './hping.js';
import { IPERF_PORT, IPERF_UDP_PAYLOAD_BYTES, startIperfServer } from './iperf.js';
import { describeMachine } from './machine.js';
import { type NftInNetns, startNftInNetns, type Timing } from './nft-in-netns.js';
import { renderDataplaneSection, renderTables } from './report.js';
import type { ApplyResult, DataplaneResults, ElementResult, Method } from './results.js';
import { type ConfigPlan, type RoundTiming, runRounds } from './rounds.js';
import { type BenchFlow, syntheticPolicy } from './synthetic-policy.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SIZES = [1_000, 10_000, 100_000] as const;
const NAIVE_SIZES = [1_000, 10_000] as const;
const APPLY_REPEATS = 3;

const TIMING: RoundTiming = {
  rounds: 4,
  floodsPerRound: 2,
  floodSeconds: 2,
  iperfSeconds: 1.5,
  floodPort: 9,
};

const METHOD: Method = {
  rounds: TIMING.rounds,
  floodsPerRound: TIMING.floodsPerRound,
  floodSeconds: TIMING.floodSeconds,
  iperfSeconds: TIMING.iperfSeconds,
  floodFrameBytes: 14 + 20 + 8 + FLOOD_PAYLOAD_BYTES,
  iperfUdpPayloadBytes: IPERF_UDP_PAYLOAD_BYTES,
  elementOps: 1000,
  spawnElementOps: 50,
  elementsAgainst: 'Picket 100k',
};

/** A compiled synthetic Picket ruleset, rendered to a file. */
interface Compiled {
  readonly pairs: number;
  readonly entries: readonly AllowEntry[];
  readonly file: string;
  readonly compileMs: number;
  readonly renderMs: number;
  readonly textBytes: number;
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const kilo = (n: number) => `${n / 1000}k`;

function compileSizes(flow: BenchFlow, dir: string): Compiled[] {
  return SIZES.map((pairs) => {
    const policy = syntheticPolicy(pairs, flow);
    const t0 = performance.now();
    const ruleset = compile(policy, { nowMs: Date.now() });
    const t1 = performance.now();
    const text = renderNft(ruleset);
    const t2 = performance.now();
    const file = join(dir, `picket-${pairs}.nft`);
    writeFileSync(file, text);
    log(`compiled ${pairs} pairs → ${ruleset.entries.length} elements in ${(t1 - t0).toFixed(0)} ms`);
    const textBytes = Buffer.byteLength(text);
    return { pairs, entries: ruleset.entries, file, compileMs: t1 - t0, renderMs: t2 - t1, textBytes };
  });
}

/** Times APPLY_REPEATS applies of `file`, each replacing the same ruleset (loaded once first). */
async function timeApplies(
  nft: NftInNetns,
  file: string,
): Promise<Pick<ApplyResult, 'applyMs' | 'applyCpuMs'>> {
  await nft.run({ text: 'flush ruleset' });
  await nft.run({ file });
  const timings: Timing[] = [];
  for (let i = 0; i < APPLY_REPEATS; i++) timings.push(await nft.run({ file }));
  log(
    `apply ${file}: ${timings.map((x) => `${x.wallMs.toFixed(0)} (CPU ${x.cpuMs.toFixed(0)})`).join(' ')} ms`,
  );
  return { applyMs: timings.map((x) => x.wallMs), applyCpuMs: timings.map((x) => x.cpuMs) };
}

/**
 * Full applies at each size; leaves the largest loaded. (Sets of thousands are
 * rendered without element comments — see render.ts — so the 100k text is
 * what a real 100k policy applies.)
 */
async function measureApplies(
  nft: NftInNetns,
  compiled: readonly Compiled[],
  flow: BenchFlow,
): Promise<ApplyResult[]> {
  const out: ApplyResult[] = [];
  for (const c of compiled) {
    const { entries, file, ...rest } = c;
    const transaction = await timeApplies(nft, file);
    const whole = await nft.picketApply(c.pairs, flow, APPLY_REPEATS);
    log(`picket apply ${c.pairs} pairs: ${whole.map((x) => x.wallMs.toFixed(0)).join(' ')} ms`);
    // Back to the text-loaded ruleset, whose sets keep their rendered names (`exact4`), for what follows.
    await nft.run({ file });
    out.push({
      ...rest,
      elements: entries.length,
      ...transaction,
      picketApplyMs: whole.map((x) => x.wallMs),
    });
  }
  return out;
}

/** Single-element add/delete latencies against the ruleset currently loaded. */
async function measureElements(nft: NftInNetns, flow: BenchFlow): Promise<ElementResult[]> {
  const out: ElementResult[] = [];
  const kinds = [
    ['quarantine', quarantineOps] as const,
    ['permit', (n: number) => permitOps(n, flow.destination.ip)] as const,
  ];
  for (const backend of ['ffi', 'spawn'] as const) {
    const count = backend === 'ffi' ? METHOD.elementOps : METHOD.spawnElementOps;
    for (const [name, ops] of kinds) {
      const { add, delete: del } = ops(count);
      const added = await nft.elements(backend, add, 15_000);
      const deleted = await nft.elements(backend, del.slice(0, added.length), 15_000);
      for (const [op, samples] of [
        [`${name} add`, added],
        [`${name} delete`, deleted],
      ] as const) {
        out.push({
          op,
          backend,
          samplesMs: samples.map((x) => x.wallMs),
          cpuSamplesMs: samples.map((x) => x.cpuMs),
        });
      }
      log(`${name} via ${backend}: ${added.length} adds, ${deleted.length} deletes`);
    }
  }
  return out;
}

function plans(compiled: readonly Compiled[], flow: BenchFlow): ConfigPlan[] {
  const isFlow = (e: AllowEntry) => e.source === flow.source.ip && e.destination === flow.destination.ip;
  const out: ConfigPlan[] = [
    { id: 'bare', label: 'bare bridge', kind: 'bare' },
    { id: 'conntrack', label: 'conntrack only', kind: 'conntrack', load: { text: conntrackOnlyRuleset() } },
  ];
  for (const c of compiled) {
    const id = kilo(c.pairs);
    out.push({
      id: `picket-${id}`,
      label: `Picket ${id}`,
      kind: 'picket',
      tuples: c.entries.length,
      load: { file: c.file },
    });
  }
  for (const c of compiled.filter((x) => (NAIVE_SIZES as readonly number[]).includes(x.pairs))) {
    const ordered = flowLast(c.entries, isFlow);
    const id = kilo(c.pairs);
    out.push({
      id: `naive-${id}`,
      label: `naive list ${id}`,
      kind: 'naive',
      tuples: ordered.length,
      load: { text: naiveRuleset(ordered) },
    });
  }
  return out;
}

/** Runs the whole dataplane benchmark; see the module header. */
export async function runDataplane(args: readonly string[]): Promise<void> {
  if (args.length > 0) throw new Error(`bench dataplane takes no arguments (got ${args.join(' ')})`);
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const spec = loadLabSpec(join(repoRoot, 'examples/bench-lab.yaml'));
  const sender = spec.hosts.find((h) => h.name === 'sender');
  const receiver = spec.hosts.find((h) => h.name === 'receiver');
  if (!sender || !receiver) throw new Error('examples/bench-lab.yaml needs hosts "sender" and "receiver"');
  const flow: BenchFlow = {
    source: { name: sender.name, ip: sender.ipv4 },
    destination: { name: receiver.name, ip: receiver.ipv4 },
    tcpPorts: [IPERF_PORT],
    udpPorts: [IPERF_PORT, TIMING.floodPort],
    subnet: { family: 4, address: spec.subnet.ipv4, length: spec.subnet.ipv4Prefix },
  };
  const dir = mkdtempSync(join(tmpdir(), 'picket-bench-'));
  let lab: Lab | undefined;
  let nft: NftInNetns | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await stopServer?.().catch(() => {});
      await nft?.close().catch(() => {});
      await lab?.destroy().catch((e: unknown) => log(`teardown failed: ${String(e)}`));
      rmSync(dir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: tearing the lab down`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const compiled = compileSizes(flow, dir);
    log('building the lab');
    lab = await createLab(spec, { replace: true, services: false });
    nft = startNftInNetns(lab.nodeNs);
    const applies = await measureApplies(nft, compiled, flow);
    const elements = await measureElements(nft, flow);
    await installUdpSink(lab, receiver.name, TIMING.floodPort);
    const server = await startIperfServer(lab, receiver.name);
    stopServer = () => server.stop();
    const configs = await runRounds(lab, nft, flow, plans(compiled, flow), TIMING);
    const report: DataplaneResults = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: 'npm run bench -- dataplane',
      durationS: (performance.now() - started) / 1000,
      machine: describeMachine(),
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      method: METHOD,
      configs,
      applies,
      elements,
    };
    const docFile = join(repoRoot, 'docs/BENCHMARKS.md');
    const current = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
    writeFileSync(docFile, replaceSection(current, 'dataplane', renderDataplaneSection(report)));
    process.stdout.write(`${renderTables(report)}\n\nwrote ${docFile}\n`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
