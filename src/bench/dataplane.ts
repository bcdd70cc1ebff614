// `bench dataplane`: builds the bench lab, then measures the node bridge's
// forwarding (new-flow UDP, one-flow UDP, TCP) with no tables, conntrack only,
// Picket at 1k/10k/100k tuples and a naive rule list at 1k/10k, the atomic
// apply time, and single-element latency; prints the tables and writes
// docs/BENCHMARKS.md. Always tears the lab down (also on SIGINT/SIGTERM).
// argv → report on stdout + docs/BENCHMARKS.md. Shell.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import type { AllowEntry } from '../compile/ruleset.js';
import { createLab, type Lab, loadLabSpec } from '../lab/lab.js';
import { conntrackOnlyRuleset, flowLast, naiveRuleset } from './baseline-rulesets.js';
import { permitOps, quarantineOps } from './element-ops.js';
import { FLOOD_PAYLOAD_BYTES, installUdpSink, newFlowUdpRate } from './hping.js';
import { IPERF_PORT, IPERF_UDP_PAYLOAD_BYTES, oneFlowUdpRate, startIperfServer, tcpGbps } from './iperf.js';
import { describeMachine } from './machine.js';
import { type NftInNetns, startNftInNetns } from './nft-in-netns.js';
import { renderBenchmarksDoc, renderTables } from './report.js';
import type {
  ApplyResult,
  ConfigKind,
  ConfigResult,
  DataplaneResults,
  ElementResult,
  Method,
} from './results.js';
import { type BenchFlow, syntheticPolicy } from './synthetic-policy.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SIZES = [1_000, 10_000, 100_000] as const;
const NAIVE_SIZES = [1_000, 10_000] as const;
const FLOOD_PORT = 9;

const METHOD: Method = {
  repeats: 3,
  floodWarmupMs: 500,
  floodWindowMs: 2000,
  iperfSeconds: 2,
  floodFrameBytes: 14 + 20 + 8 + FLOOD_PAYLOAD_BYTES,
  iperfUdpPayloadBytes: IPERF_UDP_PAYLOAD_BYTES,
  elementOps: 1000,
  spawnElementOps: 50,
  elementsAgainst: 'Picket 100k',
};

/** A configuration of the node, already loaded when it is measured. */
interface Config {
  readonly id: string;
  readonly label: string;
  readonly kind: ConfigKind;
  readonly tuples?: number;
}

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
    return {
      pairs,
      entries: ruleset.entries,
      file,
      compileMs: t1 - t0,
      renderMs: t2 - t1,
      textBytes: Buffer.byteLength(text),
    };
  });
}

async function measure(lab: Lab, flow: BenchFlow, config: Config): Promise<ConfigResult> {
  const newFlowPps: number[] = [];
  const oneFlowPps: number[] = [];
  const tcp: number[] = [];
  for (let i = 0; i < METHOD.repeats; i++) {
    newFlowPps.push(
      await newFlowUdpRate(lab, {
        from: flow.source.name,
        sinkHost: flow.destination.name,
        toIp: flow.destination.ip,
        port: FLOOD_PORT,
        warmupMs: METHOD.floodWarmupMs,
        windowMs: METHOD.floodWindowMs,
      }),
    );
    oneFlowPps.push(await oneFlowUdpRate(lab, flow.source.name, flow.destination.ip, METHOD.iperfSeconds));
    tcp.push(await tcpGbps(lab, flow.source.name, flow.destination.ip, METHOD.iperfSeconds));
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  log(`${config.label}: new-flow ${fmt(newFlowPps)} pkt/s; one-flow ${fmt(oneFlowPps)} pkt/s`);
  return {
    id: config.id,
    label: config.label,
    kind: config.kind,
    ...(config.tuples === undefined ? {} : { tuples: config.tuples }),
    newFlowPps,
    oneFlowPps,
    tcpGbps: tcp,
    notes: [],
  };
}

/** Notes what would make a Picket measurement wrong: a quarantined sender or receiver. */
async function quarantineNotes(nft: NftInNetns): Promise<string[]> {
  const doc = (await nft.listJson('list set inet picket quarantine4')) as {
    nftables: { set?: { elem?: unknown[] } }[];
  };
  const elems = doc.nftables.flatMap((x) => x.set?.elem ?? []);
  return elems.length === 0 ? [] : [`quarantine4 held ${elems.length} element(s) after the run`];
}

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
      const deleted = await nft.elements(backend, del.slice(0, added.length), 30_000);
      out.push({ op: `${name} add`, backend, samplesMs: added });
      out.push({ op: `${name} delete`, backend, samplesMs: deleted });
      log(`${name} ${backend}: ${added.length} adds, ${deleted.length} deletes`);
    }
  }
  return out;
}

/** Runs the whole dataplane benchmark; see the module header. */
export async function runDataplane(args: readonly string[]): Promise<void> {
  if (args.length > 0) throw new Error(`bench dataplane takes no arguments (got ${args.join(' ')})`);
  const started = performance.now();
  const spec = loadLabSpec(join(repoRoot, 'examples/bench-lab.yaml'));
  const sender = spec.hosts.find((h) => h.name === 'sender');
  const receiver = spec.hosts.find((h) => h.name === 'receiver');
  if (!sender || !receiver) throw new Error('examples/bench-lab.yaml needs hosts "sender" and "receiver"');
  const flow: BenchFlow = {
    source: { name: sender.name, ip: sender.ipv4 },
    destination: { name: receiver.name, ip: receiver.ipv4 },
    tcpPorts: [IPERF_PORT],
    udpPorts: [IPERF_PORT, FLOOD_PORT],
    subnet: { family: 4, address: spec.subnet.ipv4, length: spec.subnet.ipv4Prefix },
  };
  const dir = mkdtempSync(join(tmpdir(), 'picket-bench-'));
  const compiled = compileSizes(flow, dir);

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
    log('building the lab');
    lab = await createLab(spec, { replace: true, services: false });
    nft = startNftInNetns(lab.nodeNs);
    await installUdpSink(lab, receiver.name, FLOOD_PORT);
    const server = await startIperfServer(lab, receiver.name);
    stopServer = () => server.stop();
    const results = await runConfigs(lab, nft, flow, compiled);
    const report: DataplaneResults = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: 'npm run bench -- dataplane',
      durationS: (performance.now() - started) / 1000,
      machine: describeMachine(),
      method: METHOD,
      ...results,
    };
    const docFile = join(repoRoot, 'docs/BENCHMARKS.md');
    writeFileSync(docFile, renderBenchmarksDoc(report));
    process.stdout.write(`${renderTables(report)}\n\nwrote ${docFile}\n`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runConfigs(
  lab: Lab,
  nft: NftInNetns,
  flow: BenchFlow,
  compiled: readonly Compiled[],
): Promise<Pick<DataplaneResults, 'configs' | 'applies' | 'elements'>> {
  const isFlow = (e: AllowEntry) => e.source === flow.source.ip && e.destination === flow.destination.ip;
  const configs: ConfigResult[] = [];
  const applies: ApplyResult[] = [];
  let elements: ElementResult[] = [];
  const load = async (text: string) => {
    await nft.run({ text: 'flush ruleset' });
    if (text !== '') await nft.run({ text });
  };
  await load('');
  configs.push(await measure(lab, flow, { id: 'bare', label: 'bare bridge', kind: 'bare' }));
  await load(conntrackOnlyRuleset());
  configs.push(await measure(lab, flow, { id: 'conntrack', label: 'conntrack only', kind: 'conntrack' }));
  for (const c of compiled) {
    await load('');
    const applyMs: number[] = [];
    // The first apply loads into an empty namespace; the timed ones replace a ruleset of the same size.
    await nft.run({ file: c.file });
    for (let i = 0; i < METHOD.repeats; i++) applyMs.push(await nft.run({ file: c.file }));
    log(`apply ${c.pairs}: ${applyMs.map((x) => x.toFixed(0)).join(' ')} ms`);
    applies.push({
      pairs: c.pairs,
      elements: c.entries.length,
      compileMs: c.compileMs,
      renderMs: c.renderMs,
      textBytes: c.textBytes,
      applyMs,
    });
    const id = `picket-${c.pairs / 1000}k`;
    const result = await measure(lab, flow, {
      id,
      label: `Picket ${c.pairs / 1000}k`,
      kind: 'picket',
      tuples: c.entries.length,
    });
    configs.push({ ...result, notes: await quarantineNotes(nft) });
    if (c.pairs === 100_000) elements = await measureElements(nft, flow);
  }
  for (const size of NAIVE_SIZES) {
    const c = compiled.find((x) => x.pairs === size);
    if (!c) continue;
    const ordered = flowLast(c.entries, isFlow);
    await load(naiveRuleset(ordered));
    configs.push(
      await measure(lab, flow, {
        id: `naive-${size / 1000}k`,
        label: `naive list ${size / 1000}k`,
        kind: 'naive',
        tuples: ordered.length,
      }),
    );
  }
  await load('');
  return { configs, applies, elements };
}
