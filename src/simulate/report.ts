// The simulation report as data (what `--json` prints): per rule (packets and
// flows allowed, first packet), per source (allowed, dropped, alerted,
// would-block, quarantined at which packet, the first packet of each),
// protocol findings, totals per outcome and the flow table's use, and whether
// anything would be blocked. Simulation → SimulationReport. Pure.

import { OUTCOME, OUTCOME_NAMES } from './outcome.js';
import { type Simulation, simulationState } from './simulator.js';
import type { FindingTally, PacketRef, SourceTally } from './tally.js';

export interface RuleReport {
  readonly rule: string;
  readonly line: number;
  readonly packets: number;
  readonly flows: number;
  readonly first?: PacketRef;
}

export interface SourceReport {
  readonly address: string;
  readonly allowed: number;
  readonly dropped: number;
  readonly alerted: number;
  readonly wouldBlock: number;
  readonly quarantinedAt?: PacketRef;
  readonly firstAllowed?: PacketRef;
  readonly firstDropped?: PacketRef;
  readonly firstAlerted?: PacketRef;
  readonly firstWouldBlock?: PacketRef;
}

export interface SimulationReport {
  readonly policy: {
    readonly file: string;
    readonly site: string;
    readonly mode: string;
    readonly outOfProfile: string;
  };
  /** Whether a Picket node judged protocol rules (false: `picket apply` alone). */
  readonly node: boolean;
  readonly totals: {
    readonly frames: number;
    /** Accepted by a rule, conntrack, discovery or the L2 table (alerted and would-block packets are counted apart). */
    readonly allowed: number;
    readonly dropped: number;
    /** Accepted with an alert (alert mode), plus never-list drops (dropped and alerted). */
    readonly alerted: number;
    /** Monitor mode: accepted, but enforcement would drop them. */
    readonly wouldBlock: number;
    readonly quarantinedSources: number;
    readonly undecodable: number;
    readonly byOutcome: Readonly<Record<string, number>>;
  };
  readonly flows: { readonly peak: number; readonly cap: number; readonly forgotten: number };
  readonly rules: readonly RuleReport[];
  readonly sources: readonly SourceReport[];
  readonly findings: readonly FindingTally[];
  readonly findingCount: number;
  /** True when any packet would be dropped or quarantined (or, in monitor mode, would be). */
  readonly wouldBlockAnything: boolean;
}

function sourceReport(s: SourceTally): SourceReport {
  return {
    address: s.address,
    allowed: s.allowed,
    dropped: s.dropped,
    alerted: s.alerted,
    wouldBlock: s.wouldBlock,
    ...(s.quarantinedAt === undefined ? {} : { quarantinedAt: s.quarantinedAt }),
    ...(s.firstAllowed === undefined ? {} : { firstAllowed: s.firstAllowed }),
    ...(s.firstDropped === undefined ? {} : { firstDropped: s.firstDropped }),
    ...(s.firstAlerted === undefined ? {} : { firstAlerted: s.firstAlerted }),
    ...(s.firstWouldBlock === undefined ? {} : { firstWouldBlock: s.firstWouldBlock }),
  };
}

function earlier(a: PacketRef | undefined, b: PacketRef | undefined): PacketRef | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.capture < b.capture || (a.capture === b.capture && a.frame <= b.frame) ? a : b;
}

/** The report of a finished simulation. */
export function simulationReport(sim: Simulation): SimulationReport {
  const t = sim.tally;
  const rules = new Map<
    string,
    { rule: string; line: number; packets: number; flows: number; first?: PacketRef }
  >();
  sim.ruleset.entries.forEach((e, i) => {
    const r = rules.get(e.rule) ?? { rule: e.rule, line: e.line, packets: 0, flows: 0 };
    const tally = t.entries[i]!;
    r.packets += tally.packets;
    r.flows += tally.flows;
    const first = earlier(r.first, tally.first);
    if (first !== undefined) r.first = first;
    r.line = Math.min(r.line, e.line);
    rules.set(e.rule, r);
  });
  // Rules with no tuple of their own (every box shared with an earlier rule) still get a row.
  for (const rule of sim.policy.rules) {
    if (!rules.has(rule.name))
      rules.set(rule.name, { rule: rule.name, line: rule.loc.line, packets: 0, flows: 0 });
  }
  const sources = [...t.sources4.values(), ...t.sources.values(), ...(t.other === undefined ? [] : [t.other])]
    .map(sourceReport)
    .sort(
      (a, b) =>
        b.dropped + b.wouldBlock - (a.dropped + a.wouldBlock) ||
        b.allowed - a.allowed ||
        (a.address < b.address ? -1 : 1),
    );
  const byOutcome: Record<string, number> = {};
  OUTCOME_NAMES.forEach((name, i) => {
    if ((t.byOutcome[i] ?? 0) > 0) byOutcome[name] = t.byOutcome[i]!;
  });
  let allowed = 0;
  let dropped = 0;
  for (let i = 0; i < t.byOutcome.length; i++) {
    if (i <= OUTCOME.l2Allowed) allowed += t.byOutcome[i]!;
    else if (i >= OUTCOME.quarantined && i <= OUTCOME.malformed) dropped += t.byOutcome[i]!;
  }
  const state = simulationState(sim);
  const wouldBlock = t.byOutcome[OUTCOME.wouldBlock]!;
  return {
    policy: {
      file: sim.ruleset.policyFile,
      site: sim.ruleset.site,
      mode: sim.ruleset.mode,
      outOfProfile: sim.ruleset.outOfProfile,
    },
    node: sim.node,
    totals: {
      frames: sim.frames,
      allowed,
      dropped,
      alerted: t.byOutcome[OUTCOME.alerted]! + t.byOutcome[OUTCOME.never]!,
      wouldBlock,
      quarantinedSources: [...t.sources4.values(), ...t.sources.values()].filter(
        (s) => s.quarantinedAt !== undefined,
      ).length,
      undecodable: t.byOutcome[OUTCOME.undecodable]!,
      byOutcome,
    },
    flows: { peak: state.flowsPeak, cap: state.flowCap, forgotten: state.flowsEvicted },
    rules: [...rules.values()].sort((a, b) => a.line - b.line),
    sources,
    findings: t.findings,
    findingCount: t.findingCount,
    wouldBlockAnything: dropped > 0 || wouldBlock > 0,
  };
}
