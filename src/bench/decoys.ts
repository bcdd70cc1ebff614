// `npm run bench -- decoys [--count 1000] [--trials 20]`: one node hosting
// 1,000 decoys in the lab plant. Measured in one run: the time to bring them
// up (kernel sets + macvlans + routes, then the decoy server listening), the
// memory of the node and of the decoy server, the time to move every decoy
// (a new seed: new addresses and identities), and touch → quarantine: a
// datagram to a decoy followed at once by one to a real PLC from the same
// fresh source — the second dropped by the quarantine set means the first
// quarantined its source inside the kernel within the gap — against the same
// pair with a plain out-of-profile first packet (the baseline); and an ARP
// request for a decoy, which the bridge table logs and the node quarantines
// from userspace (NFLOG → decide → nft), timed until the source is in the set.
// argv → report on stdout + a section of docs/BENCHMARKS.md. Shell.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startDemoNode } from '../cli/demo-node.js';
import { PicketError, UsageError } from '../cli/errors.js';
import { createLab, destroyLab, type Lab, loadLabSpec } from '../lab/lab.js';
import { eventually, ruleCounter } from '../lab/observe.js';
import { buildCProgram } from './c-program.js';
import { replaceSection } from './doc-section.js';
import { startNftInNetns } from './nft-in-netns.js';
import { median, percentile } from './statistics.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'bin', 'picket.js');
const PORT = 9999;
/** A /22 beside the lab's cell: room for 1,016 decoys (no .0/.1/.254/.255). */
const DECOY_NET = '10.20.8.0/22';
const PROFILES = ['s7-300', 'modicon-m340', 'controllogix', 'bacnet-controller'];

class DecoyBenchError extends PicketError {
  constructor(message: string, hint?: string) {
    super('bench-decoys', `decoys benchmark: ${message}`, hint === undefined ? {} : { hint });
  }
}

function policyText(count: number, seed: string): string {
  const base = readFileSync(join(repoRoot, 'examples', 'policy.yaml'), 'utf8');
  const per = Math.ceil(count / PROFILES.length);
  const place = PROFILES.map((p, i) => {
    const n = Math.min(per, count - per * i);
    return n > 0 ? `    - { zone: decoy-net, profile: ${p}, count: ${n} }` : '';
  }).filter((l) => l !== '');
  return [
    base.replace('zones:\n', `zones:\n  decoy-net: { networks: [${DECOY_NET}] }\n`),
    'decoys:',
    `  seed: ${seed}`,
    '  place:',
    ...place,
    '',
  ].join('\n');
}

interface LogLine {
  msg: string;
  time: string;
  [key: string]: unknown;
}

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? Number.NaN) / 1024;
}

/** Waits for the n-th log line matching; returns it. */
async function logged(file: string, what: string, match: (l: LogLine) => boolean, n = 1): Promise<LogLine> {
  return eventually(what, () => logLines(file).filter(match)[n - 1], 120_000, 50);
}

interface PairTrial {
  readonly gapUs: number;
  readonly contained: boolean;
}

async function pairTrial(lab: Lab, sender: string, source: string, first: string): Promise<PairTrial> {
  await lab.exec('attacker', ['ip', 'addr', 'add', `${source}/16`, 'dev', 'eth0']);
  const before = await ruleCounter(lab, 'quarantined saddr');
  const r = await lab.exec('attacker', [sender, 'udp', source, first, lab.ip('plc-a1'), String(PORT)]);
  const sent = JSON.parse(r.stdout) as { gapNs: number };
  const after = await ruleCounter(lab, 'quarantined saddr');
  return { gapUs: sent.gapNs / 1000, contained: after - before >= 1 };
}

async function arpTrial(
  lab: Lab,
  sender: string,
  nft: ReturnType<typeof startNftInNetns>,
  source: string,
  decoy: string,
): Promise<number> {
  const r = await lab.exec('attacker', [sender, 'arp', 'eth0', source, decoy]);
  const t0Ms = (JSON.parse(r.stdout) as { t0Ns: number }).t0Ns / 1e6;
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const doc = (await nft.listJson('list set inet picket quarantine4')) as {
      nftables: { set?: { elem?: (string | { elem: { val: string } })[] } }[];
    };
    const elems = doc.nftables.flatMap((o) => o.set?.elem ?? []);
    if (elems.some((e) => (typeof e === 'string' ? e : e.elem.val) === source)) return Date.now() - t0Ms;
  }
  throw new DecoyBenchError(`${source} was not quarantined within 5 s of its ARP request`);
}

interface Results {
  count: number;
  placeMs: number;
  readyMs: number;
  wallUpMs: number;
  moveMs: number;
  moveReadyMs: number;
  moved: number;
  nodeRssMb: number;
  nodeRssBeforeMb: number;
  serverRssMb: number;
  answered: number;
  sampled: number;
  decoyPairs: PairTrial[];
  basePairs: PairTrial[];
  arpMs: number[];
  load: number[];
}

function render(r: Results, trials: number): string {
  const f = (n: number, d = 1) => n.toFixed(d);
  const row = (name: string, xs: readonly number[], d = 1) =>
    `| ${name} | ${f(median(xs), d)} | ${f(percentile(xs, 95), d)} | ${f(Math.max(...xs), d)} |`;
  const gaps = (ps: readonly PairTrial[]) => ps.map((p) => p.gapUs);
  const held = (ps: readonly PairTrial[]) => ps.filter((p) => p.contained).length;
  return [
    `## Decoys (${r.count} on one node: bring-up, memory, moves, touch → quarantine)`,
    '',
    `Command: \`npm run bench -- decoys --count ${r.count} --trials ${trials}\` (root). Lab plant of`,
    '`examples/lab.yaml`, `picket node` enforcing `examples/policy.yaml` plus a zone',
    `\`decoy-net: ${DECOY_NET}\` with ${r.count} decoys (${PROFILES.join(', ')}, equal shares).`,
    '',
    '| measure | value |',
    '|---|---|',
    `| bring-up: kernel sets + ${r.count} macvlans, addresses, routes (one \`ip -batch\`) | ${f(r.placeMs, 0)} ms |`,
    `| bring-up: decoy server listening on every decoy (its own count) | ${f(r.readyMs, 0)} ms |`,
    `| bring-up: SIGHUP with the decoys policy → decoy server ready (wall, includes the policy apply) | ${f(r.wallUpMs, 0)} ms |`,
    `| move all ${r.moved} (new seed: new addresses, MACs, identities): sets + links | ${f(r.moveMs, 0)} ms |`,
    `| move all: decoy server serving the new set | ${f(r.moveReadyMs, 0)} ms |`,
    `| RSS of the decoy server | ${f(r.serverRssMb)} MiB (${f((r.serverRssMb * 1024) / r.count, 1)} KiB per decoy) |`,
    `| RSS of the node: before decoys / with ${r.count} decoys | ${f(r.nodeRssBeforeMb)} / ${f(r.nodeRssMb)} MiB |`,
    `| decoys answering ping, sampled | ${r.answered} of ${r.sampled} |`,
    '',
    '| touch → quarantine | median | p95 | max |',
    '|---|---|---|---|',
    `${row('IP: gap between the datagram to the decoy and the next one (µs)', gaps(r.decoyPairs))}`,
    `${row('baseline, IP: gap after a plain out-of-profile datagram (µs)', gaps(r.basePairs))}`,
    `${row('ARP request for a decoy → source in the kernel set (NFLOG → node → nft) (ms)', r.arpMs)}`,
    '',
    `The datagram to a real PLC right after the one to a decoy was dropped by the quarantine set in`,
    `**${held(r.decoyPairs)} of ${r.decoyPairs.length}** trials (baseline, after an out-of-profile datagram: ${held(r.basePairs)} of ${r.basePairs.length}):`,
    'a touch quarantines its source inside the kernel, in the packet’s own trip through the',
    'forward hook, like a plain out-of-profile packet — no userspace round trip. The gap is an',
    'upper bound measured by the sender: its first send returns only after the packet went',
    'through the bridge, and for a decoy that includes the decoy answering it (an ICMP port',
    'unreachable, with an ARP for the fresh source) — the quarantine element was added before',
    'the decoy even saw the packet.',
    'An ARP request cannot reach the inet table’s quarantine set from the bridge table, so the',
    'node does it: the NFLOG event of an ARP touch makes the decision loop decide at once instead',
    'of at its next 100 ms batch; the time is NFLOG delivery + decide + one nft transaction (and',
    'this bench’s own polling of the set through libnftables).',
    '',
    `Load average before/after: ${r.load.map((l) => l.toFixed(2)).join(' / ')}.`,
  ].join('\n');
}

function decoyRows(journalPath: string): { ip: string; mac: string }[] {
  const db = new Database(journalPath, { readonly: true });
  try {
    return db.prepare('SELECT ip, mac FROM decoys').all() as { ip: string; mac: string }[];
  } finally {
    db.close();
  }
}

export async function runDecoys(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { count: { type: 'string', default: '1000' }, trials: { type: 'string', default: '20' } },
  });
  const count = Number(values.count);
  const trials = Number(values.trials);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new UsageError(`--count must be an integer 1..1000, not "${values.count}"`);
  if (!Number.isInteger(trials) || trials < 1 || trials > 50)
    throw new UsageError(`--trials must be an integer 1..50, not "${values.trials}"`);
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-decoys-'));
  const labName = `bench-decoys-${process.pid}`;
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const sender = buildCProgram('decoy-sender', work);
    const spec = loadLabSpec(join(repoRoot, 'examples', 'lab.yaml'));
    const lab = await createLab({ ...spec, name: labName }, { replace: true });
    const policyFile = join(work, 'policy.yaml');
    writeFileSync(policyFile, readFileSync(join(repoRoot, 'examples', 'policy.yaml'), 'utf8'));
    const node = await startDemoNode(lab, bin, policyFile, work);
    const r: Partial<Results> = { count };
    try {
      const log = node.process.logFile;
      r.nodeRssBeforeMb = rssMb(node.process.pid);
      // Decoys arrive with a policy change, so the bring-up is measured from the node's SIGHUP.
      writeFileSync(policyFile, policyText(count, 'bench-1'));
      const startedMs = Date.now();
      process.kill(node.process.pid, 'SIGHUP');
      const placed = await logged(
        log,
        'decoys placed',
        (l) => l.msg === 'decoys moved' && l.hosted === count,
      );
      const ready = await logged(
        log,
        'decoy server ready',
        (l) => l.msg === 'decoy server ready' && l.decoys === count,
      );
      r.wallUpMs = Date.parse(ready.time) - startedMs;
      r.placeMs = Number(placed.ms);
      r.readyMs = Number(ready.ms);
      const serverPid = Number(
        logLines(log).find((l) => l.msg === 'decoy namespace joined to the bridge')?.pid,
      );
      r.serverRssMb = rssMb(serverPid);
      r.nodeRssMb = rssMb(node.process.pid);
      const decoys = decoyRows(node.journalPath);
      if (decoys.length !== count)
        throw new DecoyBenchError(`${decoys.length} decoys in the journal, not ${count}`);

      // Every decoy answers like a device: a sample, pinged from the historian.
      const sample = decoys.filter((_, i) => i % Math.max(1, Math.floor(count / 10)) === 0).slice(0, 10);
      let answered = 0;
      for (const d of sample) {
        const p = await lab.exec('hist-1', ['ping', '-c', '1', '-W', '1', d.ip], { check: false });
        if (p.code === 0) answered++;
      }
      r.answered = answered;
      r.sampled = sample.length;

      // Touch → quarantine, IP (decoy first) against the plain out-of-profile baseline, interleaved.
      const plcMac = (await lab.exec('plc-a1', ['cat', '/sys/class/net/eth0/address'])).stdout.trim();
      await lab.exec('attacker', [
        'ip',
        'neigh',
        'replace',
        lab.ip('plc-a1'),
        'lladdr',
        plcMac,
        'dev',
        'eth0',
      ]);
      r.decoyPairs = [];
      r.basePairs = [];
      for (let i = 0; i < trials; i++) {
        const d = decoys[(i * 37) % decoys.length] as { ip: string; mac: string };
        await lab.exec('attacker', ['ip', 'neigh', 'replace', d.ip, 'lladdr', d.mac, 'dev', 'eth0']);
        r.decoyPairs.push(await pairTrial(lab, sender, `10.20.2.${10 + i}`, d.ip));
        r.basePairs.push(await pairTrial(lab, sender, `10.20.3.${10 + i}`, lab.ip('plc-a1')));
        process.stderr.write(`\rdecoys: IP trial ${i + 1}/${trials}`);
      }
      const nft = startNftInNetns(lab.ns(lab.spec.node.name));
      r.arpMs = [];
      try {
        for (let i = 0; i < trials; i++) {
          const d = decoys[(i * 53) % decoys.length] as { ip: string };
          r.arpMs.push(await arpTrial(lab, sender, nft, `10.20.4.${10 + i}`, d.ip));
          process.stderr.write(`\rdecoys: ARP trial ${i + 1}/${trials}`);
        }
      } finally {
        await nft.close();
      }
      process.stderr.write('\n');

      // Move them all: a new seed gives every decoy a new address, MAC and identity.
      writeFileSync(policyFile, policyText(count, 'bench-2'));
      process.kill(node.process.pid, 'SIGHUP');
      const moved = await logged(
        log,
        'decoys moved',
        (l) => l.msg === 'decoys moved' && l.reason === 'policy',
      );
      const movedReady = await logged(
        log,
        'decoy server ready after the move',
        (l) => l.msg === 'decoy server ready' && l.decoys === count,
        2,
      );
      r.moveMs = Number(moved.ms);
      r.moved = Number(moved.moves);
      r.moveReadyMs = Number(movedReady.ms);
    } finally {
      await node.stop();
    }
    r.load = [loadBefore, loadavg()[0] ?? 0];
    const section = render(r as Results, trials);
    process.stdout.write(`${section}\n`);
    const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
    const text = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
    writeFileSync(docFile, replaceSection(text, 'decoys', section));
  } finally {
    await destroyLab(labName);
    rmSync(work, { recursive: true, force: true });
  }
}
