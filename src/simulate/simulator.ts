// The simulator: judges every frame of a capture exactly as the node would
// and counts what happened — the state of one simulation (compiled ruleset,
// tuple sets, flow table, quarantine, protocol judge, tallies), created from
// a Policy and the first packet's time, fed frame by frame. The packet's path
// is in packet-path.ts (bridge, conntrack, protocol judge in queue-judge.ts,
// forward chain in forward-chain.ts); the report in report.ts.
// (Policy, frames) → outcomes + Tally. Pure (mutates only its own state).

import { compile } from '../compile/compile.js';
import { protocolFlows } from '../compile/protocol-flows.js';
import type { Ruleset, UtcWindow } from '../compile/ruleset.js';
import { createProtocolJudge, type ProtocolJudge } from '../decide/protocol-judge.js';
import { formatAddress, parseAddress } from '../net/address.js';
import type { Policy } from '../policy/types.js';
import { createVerdictFields, decodeVerdictFields, type VerdictFields } from '../sense/decode-verdict.js';
import { cite, l2Source } from './citation.js';
import { createFlowTable, type Flow, type FlowTable, type Found } from './conntrack.js';
import { OUTCOME } from './outcome.js';
import { judgeFrame } from './packet-path.js';
import {
  countSource,
  createTally,
  needsFirst,
  type PacketRef,
  type SourceTally,
  sourceTally,
  type Tally,
} from './tally.js';
import { buildTupleSets, type TupleElement, type TupleSets } from './tuple-sets.js';

/** How to simulate. */
export interface SimulateOptions {
  /** A Picket node runs and judges queued protocol flows (default true); false: `picket apply` alone. */
  readonly node?: boolean;
  /** Most flows tracked at once (least recently used forgotten first). */
  readonly maxFlows?: number;
  /** Most source addresses reported one by one. */
  readonly maxSources?: number;
  /** Describes a frame for the report (time, summary); called only for packets the report cites. */
  readonly describe?: (
    linktype: number,
    bytes: Uint8Array,
    at: number,
    end: number,
    timeMs: number,
  ) => string;
}

/** The state of one simulation. */
export interface Simulation {
  readonly policy: Policy;
  ruleset: Ruleset;
  readonly sets: TupleSets;
  readonly hasQueues: boolean;
  readonly node: boolean;
  readonly monitor: boolean;
  windows: readonly UtcWindow[];
  readonly scheduled: boolean;
  compiledAtMs: number;
  recompileByMs: number;
  readonly flows: FlowTable;
  readonly quarantine4: Map<number, number>;
  readonly quarantine6: Map<string, number>;
  readonly never4: Set<number>;
  readonly never6: Set<string>;
  /** With the portal redirecting: the asset addresses (`known4`/`known6`); others are unrecognized. */
  readonly known4: Set<number> | undefined;
  readonly known6: Set<string>;
  readonly judge: ProtocolJudge;
  /** Outcome of the last first fragment per (source, destination, id), for the fragments that follow it. */
  readonly fragments: Map<string, number>;
  readonly tally: Tally;
  readonly fields: VerdictFields;
  readonly found: Found;
  readonly describe: NonNullable<SimulateOptions['describe']>;
  capture: number;
  frame: number;
  frames: number;
  /** Why the current packet got its outcome (set only on the paths the report cites). */
  why: string;
  matched: TupleElement | undefined;
  /** The flow of the current packet and its direction on it (0 original, 1 reply), when conntrack has one. */
  flow: Flow | undefined;
  direction: number;
  /** The current packet quarantined its source (the tail, or the node after a protocol violation). */
  quarantinedNow: boolean;
  /** The frame being judged (kept only for citing it). */
  linktype: number;
  bytes: Uint8Array;
  at: number;
  end: number;
}

function addressSets(texts: readonly string[]): { v4: Set<number>; v6: Set<string> } {
  const v4 = new Set<number>();
  const v6 = new Set<string>();
  for (const text of texts) {
    const a = parseAddress(text);
    if (a === undefined) continue;
    if (a.family === 4) v4.add(Number(a.value));
    else v6.add(formatAddress(a));
  }
  return { v4, v6 };
}

/** Starts a simulation of `policy`; `startMs` is the time of the first packet (windows are compiled for it). */
export function createSimulation(policy: Policy, startMs: number, options: SimulateOptions = {}): Simulation {
  const ruleset = compile(policy, { nowMs: startMs });
  const { v4, v6 } = addressSets(ruleset.never);
  const known = ruleset.portal?.redirect
    ? addressSets(ruleset.portal.known.map((k) => k.address))
    : undefined;
  return {
    policy,
    ruleset,
    sets: buildTupleSets(ruleset),
    hasQueues: (ruleset.queues ?? []).length > 0,
    node: options.node ?? true,
    monitor: ruleset.mode === 'monitor',
    windows: ruleset.windows,
    scheduled: ruleset.entries.some((e) => e.schedule !== undefined),
    compiledAtMs: startMs,
    recompileByMs: ruleset.recompileByMs ?? Number.POSITIVE_INFINITY,
    flows: createFlowTable(options.maxFlows ?? 1 << 20),
    quarantine4: new Map(),
    quarantine6: new Map(),
    never4: v4,
    never6: v6,
    known4: known?.v4,
    known6: known?.v6 ?? new Set(),
    judge: createProtocolJudge(protocolFlows(policy)),
    fragments: new Map(),
    tally: createTally(ruleset.entries.length, options.maxSources),
    fields: createVerdictFields(),
    found: { flow: undefined, direction: -1 },
    describe: options.describe ?? (() => ''),
    capture: 0,
    frame: 0,
    frames: 0,
    why: '',
    matched: undefined,
    quarantinedNow: false,
    flow: undefined,
    direction: 0,
    linktype: 0,
    bytes: new Uint8Array(0),
    at: 0,
    end: 0,
  };
}

/** Marks the start of the next capture file: frame numbers restart at 1. */
export function beginCapture(sim: Simulation, index: number): void {
  sim.capture = index;
  sim.frame = 0;
}

/**
 * Judges one frame (`bytes[at, end)`, pcap link type `linktype`, captured at
 * `timeMs`) and counts it; returns its OUTCOME.
 */
export function simulateFrame(
  sim: Simulation,
  linktype: number,
  bytes: Uint8Array,
  at: number,
  end: number,
  timeMs: number,
): number {
  sim.frame++;
  sim.frames++;
  sim.linktype = linktype;
  sim.bytes = bytes;
  sim.at = at;
  sim.end = end;
  const f = sim.fields;
  decodeVerdictFields(f, linktype, bytes, at, end);
  sim.matched = undefined;
  sim.why = '';
  sim.quarantinedNow = false;
  sim.flow = undefined;
  const outcome = judgeFrame(sim, f, bytes, timeMs);
  sim.tally.byOutcome[outcome]!++;
  if (outcome === OUTCOME.undecodable) return outcome;
  const s = tallyOf(sim, f, bytes, at);
  let ref: PacketRef | undefined;
  if (needsFirst(s, outcome)) ref = cite(sim, timeMs, outcome);
  countSource(s, outcome, ref);
  if (sim.quarantinedNow && s.quarantinedAt === undefined)
    s.quarantinedAt = ref ?? cite(sim, timeMs, outcome);
  return outcome;
}

/** The tally of the packet's source, cached on its flow. */
function tallyOf(sim: Simulation, f: VerdictFields, bytes: Uint8Array, at: number): SourceTally {
  const flow = sim.flow;
  if (flow !== undefined) {
    const cached = (sim.direction === 0 ? flow.tallyA : flow.tallyB) as SourceTally | undefined;
    if (cached !== undefined) return cached;
    const s = sourceTally(sim.tally, f.family === 4 ? f.src4 : f.src6);
    if (sim.direction === 0) flow.tallyA = s;
    else flow.tallyB = s;
    return s;
  }
  return sourceTally(sim.tally, f.kind === 1 ? l2Source(bytes, at, f) : f.family === 4 ? f.src4 : f.src6);
}

/** The final state of a simulation, for the report. */
export function simulationState(sim: Simulation): {
  readonly quarantined: number;
  readonly flowsEvicted: number;
  readonly flowsPeak: number;
  readonly flowCap: number;
} {
  return {
    quarantined: sim.quarantine4.size + sim.quarantine6.size,
    flowsEvicted: sim.flows.evicted,
    flowsPeak: sim.flows.peak,
    flowCap: sim.flows.cap,
  };
}
