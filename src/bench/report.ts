// Renders dataplane results for people: markdown tables (also printed on the
// terminal) and the whole of docs/BENCHMARKS.md with machine, command, method
// and caveats. DataplaneResults → text. Pure.

import type { ConfigResult, DataplaneResults } from './results.js';
import { median, percentile } from './statistics.js';
import { checkTargets, targetContext } from './targets.js';

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

/** `median (min–max)` of samples. */
export function spread(samples: readonly number[], digits = 0): string {
  if (samples.length === 0) return 'n/a';
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  return `${fmt(median(samples), digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}

/** A ratio of medians as `0.95×`, or n/a. */
export function ratio(a: readonly number[], b: readonly number[]): string {
  const r = median(a) / median(b);
  return Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×` : 'n/a';
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function rateRows(
  r: DataplaneResults,
  pick: (c: ConfigResult) => readonly number[],
  digits: number,
): string[][] {
  const bare = r.configs.find((c) => c.kind === 'bare');
  const ct = r.configs.find((c) => c.kind === 'conntrack');
  return r.configs.map((c) => [
    c.label,
    c.tuples === undefined ? '—' : fmt(c.tuples),
    spread(pick(c), digits),
    bare ? ratio(pick(c), pick(bare)) : 'n/a',
    ct ? ratio(pick(c), pick(ct)) : 'n/a',
  ]);
}

/** Nanoseconds per packet a configuration adds over the bare bridge (1/rate − 1/rate_bare). */
export function addedNsPerPacket(rate: readonly number[], bare: readonly number[]): string {
  const ns = 1e9 / median(rate) - 1e9 / median(bare);
  return Number.isFinite(ns) ? fmt(ns) : 'n/a';
}

/** The forwarding table for one kind of traffic; `withCost` adds the ns/packet column. */
export function renderRateTable(
  r: DataplaneResults,
  unit: string,
  pick: (c: ConfigResult) => readonly number[],
  digits = 0,
  withCost = false,
): string {
  const head = ['configuration', 'tuples', `${unit}, median (min–max)`, '× bare', '× ct-only'];
  const rows = rateRows(r, pick, digits);
  if (!withCost) return table(head, rows);
  const bare = r.configs.find((c) => c.kind === 'bare');
  return table(
    [...head, 'ns/pkt over bare'],
    rows.map((row, i) => {
      const c = r.configs[i];
      return [...row, c && bare ? addedNsPerPacket(pick(c), pick(bare)) : 'n/a'];
    }),
  );
}

/** The apply-time table. */
export function renderApplyTable(r: DataplaneResults): string {
  return table(
    [
      'synthetic tuples',
      'set elements',
      'nft text',
      'compile ms',
      'render ms',
      'whole text through libnftables ms, median (min–max)',
      'of which CPU ms',
      '`picket apply` ms (large sets staged over netlink), median (min–max)',
    ],
    r.applies.map((a) => [
      a.variant === undefined ? fmt(a.pairs) : `${fmt(a.pairs)} (${a.variant})`,
      fmt(a.elements),
      `${fmt(a.textBytes / 1e6, 1)} MB`,
      fmt(a.compileMs),
      fmt(a.renderMs),
      spread(a.applyMs),
      spread(a.applyCpuMs),
      a.picketApplyMs === undefined ? 'n/a' : spread(a.picketApplyMs),
    ]),
  );
}

/** The single-element latency table. */
export function renderElementTable(r: DataplaneResults): string {
  return table(
    ['operation', 'through', 'ops', 'median ms', 'p99 ms', 'max ms', 'CPU median ms', 'CPU p99 ms'],
    r.elements.map((e) => [
      e.op,
      e.backend === 'ffi' ? 'libnftables (koffi)' : 'spawning `nft -f -`',
      fmt(e.samplesMs.length),
      fmt(median(e.samplesMs), 3),
      fmt(percentile(e.samplesMs, 99), 3),
      fmt(Math.max(...e.samplesMs), 3),
      e.backend === 'ffi' ? fmt(median(e.cpuSamplesMs), 3) : '—',
      e.backend === 'ffi' ? fmt(percentile(e.cpuSamplesMs, 99), 3) : '—',
    ]),
  );
}

/** The targets table: each marked met, NOT MET, or not measured. */
export function renderTargetTable(r: DataplaneResults): string {
  return table(
    ['target', 'goal', 'measured', 'verdict'],
    checkTargets(r).map((t) => [
      t.name,
      t.target,
      t.measured,
      t.met === null ? 'not measured' : t.met ? 'met' : '**NOT MET**',
    ]),
  );
}

/** Every table, as printed at the end of a run. */
export function renderTables(r: DataplaneResults): string {
  const notes = r.configs.flatMap((c) => c.notes.map((n) => `- ${c.label}: ${n}`));
  return [
    '#### New-flow UDP (hping3, source port changes every packet; every packet walks the ruleset)',
    renderRateTable(r, 'pkt/s', (c) => c.newFlowPps),
    '',
    '#### New-flow UDP per CPU-second (the same floods: packets received / CPU seconds spent on them)',
    renderRateTable(r, 'pkt per CPU-s', (c) => c.newFlowCpuPps, 0, true),
    '',
    '#### One-flow UDP (iperf3 -u, one established flow: conntrack fast path)',
    renderRateTable(r, 'pkt/s', (c) => c.oneFlowPps),
    '',
    '#### TCP (iperf3, one stream: conntrack fast path)',
    renderRateTable(r, 'Gbit/s', (c) => c.tcpGbps, 2),
    '',
    '#### Full atomic apply of a compiled Picket ruleset',
    renderApplyTable(r),
    '',
    'Two ways to put the same ruleset in force. *Whole text through libnftables*: the rendered',
    'text in one `nft` transaction (what a rollback and a ruleset without large sets use); most of',
    "it is libnftables parsing set elements. *`picket apply`*: Picket's whole apply after compile",
    '(render, carry-over reads, the staged load of sets of 4,096+ tuples over netlink, the one-',
    'transaction switch, the verify and the last-good save), what `picket apply` and the node run.',
    '',
    '#### Single-element transactions',
    renderElementTable(r),
    '',
    '#### Targets',
    renderTargetTable(r),
    ...targetContext(r).map((line) => `\n${line}`),
    ...(notes.length > 0 ? ['', '#### Checks made during the run', ...notes] : []),
  ].join('\n');
}

/** The dataplane section of docs/BENCHMARKS.md (without its markers). */
export function renderDataplaneSection(r: DataplaneResults): string {
  const m = r.machine;
  const k = r.method;
  return `## Dataplane

Generated by \`${r.command}\` on ${r.date} (${fmt(r.durationS)} s); rerun it to refresh this section.

### Machine
| | |
|---|---|
| CPU | ${m.cpu}, ${m.cores} cores |
| memory | ${fmt(m.memoryGiB, 1)} GiB |
| kernel | ${m.kernel} |
| nftables | ${m.nft} |
| Node.js | ${m.node} |
| traffic | ${m.iperf3}; ${m.hping3} |

### Setup
\`examples/bench-lab.yaml\` built by \`src/lab\` with \`wiring: direct\`: \`sender\` cabled (veth) straight
into the node port \`up0\`, \`receiver\` into \`cell0\`, joined only by the node's bridge \`br0\`
(\`br_netfilter\` on, \`bridge-nf-call-iptables=1\`). Every packet crosses one Linux bridge, the node's
(no switch namespaces, whose forwarding would only add a fixed cost to every configuration); only
the node's ruleset changes between configurations. Configurations:

- **bare bridge** — no nftables tables in the node at all.
- **conntrack only** — one \`inet\` forward chain, \`ct state established,related accept\`, policy accept.
- **Picket N** — a synthetic policy (\`src/bench/synthetic-policy.ts\`) with N allowed
  (source . destination . tcp/502) tuples over non-adjacent addresses plus the measured flow's
  tuples, compiled by \`compile()\`, rendered by \`renderNft()\` and applied through the libnftables
  driver (\`createNft()\`): quarantine-set checks, the conntrack fast path, then one lookup in a
  concatenated hash set of exact tuples (\`exact4\`; ranges would go to the interval set \`allow4\`),
  and the quarantine-on-miss tail.
- **naive N** — the same tuples as one \`ip saddr … ip daddr … tcp|udp dport … accept\` rule each
  after \`ct state established,related accept\`, policy drop, with the measured flow's rules **last**.

Traffic runs in ${k.rounds} rounds; each round loads every configuration in turn (\`flush ruleset\`,
then its text) and measures it with ${k.floodsPerRound} new-flow floods, one UDP flow and one TCP stream, so
background load on the machine spreads over all configurations. Tables show the median and the
range of all samples; ratios are ratios of medians. Rate targets are judged on the wall-clock
medians; the per-CPU-second ratio is shown beside them. The 1-minute load average was
${fmt(r.loadAverage.start, 2)} at the start and ${fmt(r.loadAverage.end, 2)} at the end (2 cores). Traffic generators run
at \`nice -n -5\`.

- **New-flow UDP** — \`hping3 --udp --flood\` from sender to receiver port 9, ${k.floodFrameBytes}-byte frames
  (64 on the wire), source port incremented every packet; counted by an nft counter in the
  receiver's namespace that also drops them (no ICMP back). No reply is ever seen, so conntrack
  keeps every packet in state NEW: **every packet walks the node's whole ruleset** (set lookup or
  rule list). Each flood runs ${k.floodSeconds} s (\`timeout\`); wall rate = packets counted / hping3's elapsed
  time. Over veth the whole path (the node's bridge and ruleset, the receiver's drop) runs in
  the sender's context on one CPU, so the same packets are also divided by the CPU time spent on
  them (hping3's user + system time, which includes the softirq work done in its context, plus
  ksoftirqd's): **packets per CPU-second**, which other processes preempting the sender do not
  distort. "ns/pkt over bare" is 1/rate − 1/rate(bare) on that basis: the CPU the configuration
  adds to each packet.
- **One-flow UDP** — \`iperf3 -u -b 0 -l ${k.iperfUdpPayloadBytes}\` for ${k.iperfSeconds} s: one 5-tuple that the
  server answers, so conntrack marks it established and every packet after the first takes the
  **\`ct state established\` fast path**; rate = datagrams the server received / seconds.
- **TCP** — \`iperf3\` one stream for ${k.iperfSeconds} s, Gbit/s received (fast path, large segments).
- **Apply** — wall clock of \`nft.run(text)\` for the whole atomic transaction (add/delete/define both
  Picket tables), replacing a loaded ruleset of the same size, through the libnftables driver in the
  node's namespace; the text is read from a file before the clock starts. Compile and render are JS
  time, listed apart. Sets of 4,096 elements or more are rendered with a \`size\` (a fixed-size kernel
  hash) and without per-element \`comment "policy:LINE rule"\` (most of the text libnftables would
  parse); smaller sets keep them, and every rule keeps its comment. "Of which CPU" is the worker process's user + system
  time over the same call (the kernel's commit runs in its netlink send): the wall clock without the
  time other work on the machine preempted it.
- **Elements** — ${k.elementOps} single-element transactions per operation through the libnftables driver,
  ${k.spawnElementOps} through spawning \`nft -f -\`, with ${k.elementsAgainst} loaded. Quarantine: add/delete of an
  address in \`quarantine4\` (hash set with timeouts). Permit: add/delete of one exact
  \`saddr . daddr . proto . port\` tuple in \`exact4\` (concatenated hash set of 100k elements). Targets
  are judged on the wall-clock p99 of adds and deletes together; CPU columns as for apply.

### Results
${renderTables(r)}

### Caveats
- 2 cores for everything: the sender, the bridge's softirq work and the receiver share them,
  and veth forwarding runs in the sender's context, so a slow ruleset also slows the sender. The
  absolute rates are those of this box, not of a NIC; the ratios between configurations are the
  point. The machine is shared with builds and tests (some send packet floods of their own): see
  the load average above and the min–max ranges; a difference smaller than the ranges is noise.
- ksoftirqd time is system-wide: softirq work from other jobs' traffic that lands in ksoftirqd
  during a flood is charged to it too, which can only lower a per-CPU-second figure.
- hping3's source port wraps after 65,535 packets, so after the first 65k packets of a run a
  "new-flow" packet may find an existing (unreplied) conntrack entry; it is still in state NEW and
  still walks the whole ruleset, but skips conntrack entry creation.
- Bare bridge still has \`br_netfilter\` on (it is the lab's node); it has no tables, so no conntrack.
- The naive list gets the same conntrack fast path, so one-flow UDP and TCP barely separate it from
  Picket: its cost shows on traffic that is not established (new flows, scans, UDP without replies).
- Element latencies are measured in-process around one libnftables call each (command parse,
  netlink round trip, kernel commit). On a busy 2-core machine a few calls in a thousand are
  preempted; the p99 and the max show them, the median does not.
- Range permits (\`flags interval\`, the pipapo set \`allow4\`) are not measured here: the synthetic
  policy only has exact tuples, so that set is empty.
`;
}
