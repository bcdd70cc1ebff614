// The simulator: judges every frame of a capture exactly as the node would —
// the bridge table (EtherTypes), conntrack (conntrack.ts), the protocol chain
// and the node's NFQUEUE judge, then `table inet picket`'s forward chain in
// kernel order (quarantine, established/related, IPv6 discovery, invalid,
// allow sets, scheduled sets at the packet's own time, the out-of-profile
// tail) — keeping the quarantine set by capture time. Windows are recompiled
// when a capture crosses the DST span they were compiled for.
// (Policy, frames) → outcomes + Tally. Pure (mutates only its own state).

import { compile } from '../compile/compile.js';
import { protocolFlows } from '../compile/protocol-flows.js';
import type { Ruleset, UtcWindow } from '../compile/ruleset.js';
import { createProtocolJudge, judgePacket, type ProtocolJudge } from '../decide/protocol-judge.js';
import { formatAddress, parseAddress } from '../net/address.js';
import type { Policy } from '../policy/types.js';
import { createVerdictFields, decodeVerdictFields, type VerdictFields } from '../sense/decode-verdict.js';
import {
  addFlow,
  createFlowTable,
  type Flow,
  type FlowTable,
  type Found,
  findFlow,
  flowHash,
  removeFlow,
  TCP,
  TCP_VERDICT,
  tcpReopens,
  tcpTransition,
} from './conntrack.js';
import { OUTCOME } from './outcome.js';
import {
  addFinding,
  countSource,
  createTally,
  needsFirst,
  type PacketRef,
  type SourceTally,
  sourceTally,
  type Tally,
} from './tally.js';
import { scheduleOpen } from './time-gate.js';
import { buildTupleSets, matchTuple, type TupleElement, type TupleSets } from './tuple-sets.js';

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

const CT_NONE = 0;
const CT_NEW = 1;
const CT_ESTABLISHED = 2;
const CT_INVALID = 3;

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

function refreshWindows(sim: Simulation, timeMs: number): void {
  const r = compile(sim.policy, { nowMs: timeMs });
  sim.windows = r.windows;
  sim.compiledAtMs = timeMs;
  sim.recompileByMs = r.recompileByMs ?? Number.POSITIVE_INFINITY;
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
  const outcome = judge(sim, f, bytes, timeMs);
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

function cite(sim: Simulation, timeMs: number, outcome: number): PacketRef {
  return {
    capture: sim.capture,
    frame: sim.frame,
    timeMs,
    summary: sim.describe(sim.linktype, sim.bytes, sim.at, sim.end, timeMs),
    why: whyText(sim, outcome),
  };
}

function whyText(sim: Simulation, outcome: number): string {
  const entry = sim.matched === undefined ? undefined : sim.ruleset.entries[sim.matched.index];
  const cite = (what: string) => `${sim.ruleset.policyFile}:${sim.ruleset.enforcementLine} ${what}`;
  switch (outcome) {
    case OUTCOME.allowed:
      return entry === undefined ? 'allowed' : `${sim.ruleset.policyFile}:${entry.line} ${entry.rule}`;
    case OUTCOME.established:
      return 'established or related flow';
    case OUTCOME.discovery:
      return 'IPv6 neighbour/multicast-listener discovery';
    case OUTCOME.l2Allowed:
      return sim.why || 'layer 2: EtherType allowed';
    case OUTCOME.alerted:
      return cite('out-of-profile: alert');
    case OUTCOME.wouldBlock:
      return sim.why || cite('monitor: out of profile');
    case OUTCOME.quarantined:
      return cite('out-of-profile: quarantine source');
    case OUTCOME.fromQuarantined:
      return 'from or to a quarantined address';
    case OUTCOME.blocked:
      return sim.why || cite(`out-of-profile: ${sim.ruleset.outOfProfile}`);
    case OUTCOME.never:
      return cite('never list: alert, never quarantine');
    case OUTCOME.invalid:
      return 'conntrack: invalid state';
    case OUTCOME.protocolDropped:
      return sim.why;
    case OUTCOME.unjudged:
      return 'protocol rule, fail-closed zone, no Picket node to judge it';
    case OUTCOME.l2Dropped:
      return cite('l2 default drop');
    case OUTCOME.malformed:
      return sim.why || 'IP header refused by the kernel';
    default:
      return '';
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function l2Source(bytes: Uint8Array, at: number, f: VerdictFields): string {
  if (!f.hasMac) return '(no address)';
  const m: string[] = [];
  for (let i = 6; i < 12; i++) m.push(HEX[bytes[at + i]!]!);
  return m.join(':');
}

function judge(sim: Simulation, f: VerdictFields, bytes: Uint8Array, timeMs: number): number {
  if (f.kind === 0) return OUTCOME.undecodable;
  const l2 = bridge(sim, f);
  if (l2 >= 0) return l2;
  if (f.kind === 3) {
    sim.why = 'IP header refused by the kernel (bad version, header length or total length)';
    return OUTCOME.malformed;
  }
  if (sim.scheduled && (timeMs >= sim.recompileByMs || timeMs < sim.compiledAtMs))
    refreshWindows(sim, timeMs);
  if (f.fragment) return fragment(sim, f);
  const outcome = inet(sim, f, bytes, timeMs);
  if (f.moreFragments) rememberFragment(sim, f, outcome);
  return outcome;
}

/** `table bridge picket`: IP goes on to the inet table (-1); other frames are decided here. */
function bridge(sim: Simulation, f: VerdictFields): number {
  const l2 = sim.ruleset.l2;
  const ip = (t: number) => t === 0x0800 || t === 0x86dd;
  if (f.tags === 0 && ip(f.etherType)) return -1;
  // br_netfilter hands a frame with one 802.1Q tag around IP to the inet hooks (filter-vlan-tagged).
  if (f.tags === 1 && f.outerTpid === 0x8100 && ip(f.etherType)) return -1;
  if (f.tags === 0 && l2.allow.includes(f.etherType)) return OUTCOME.l2Allowed;
  if (f.tags > 0 && f.outerTpid === 0x8100 && l2.allow.includes(f.vlanType)) return OUTCOME.l2Allowed;
  if (l2.default === 'accept') {
    sim.why =
      f.tags > 1
        ? 'layer 2: stacked VLAN tags, l2 default accept (not seen by the inet table)'
        : 'layer 2: l2 default accept';
    return OUTCOME.l2Allowed;
  }
  if (sim.monitor) {
    sim.why = 'monitor: l2 default drop';
    return OUTCOME.wouldBlock;
  }
  return OUTCOME.l2Dropped;
}

function fragmentKey(f: VerdictFields): string {
  return f.family === 4 ? `${f.src4}>${f.dst4}#${f.fragmentId}` : `${f.src6}>${f.dst6}#${f.fragmentId}`;
}

function rememberFragment(sim: Simulation, f: VerdictFields, outcome: number): void {
  if (sim.fragments.size >= 4096) sim.fragments.clear();
  sim.fragments.set(fragmentKey(f), outcome);
}

/** Conntrack reassembles fragments before any rule: the rest of a datagram shares its first fragment's fate. */
function fragment(sim: Simulation, f: VerdictFields): number {
  const first = sim.fragments.get(fragmentKey(f));
  if (first !== undefined) return first === OUTCOME.quarantined ? OUTCOME.fromQuarantined : first;
  sim.why = 'a fragment whose first fragment was not seen: never reassembled, dropped';
  return OUTCOME.malformed;
}

function quarantined(sim: Simulation, f: VerdictFields, timeMs: number): boolean {
  if (f.family === 4) {
    if (sim.quarantine4.size === 0) return false;
    const a = sim.quarantine4.get(f.src4);
    if (a !== undefined && a > timeMs) return true;
    const b = sim.quarantine4.get(f.dst4);
    return b !== undefined && b > timeMs;
  }
  if (sim.quarantine6.size === 0) return false;
  const a = sim.quarantine6.get(f.src6);
  if (a !== undefined && a > timeMs) return true;
  const b = sim.quarantine6.get(f.dst6);
  return b !== undefined && b > timeMs;
}

function quarantine(sim: Simulation, f: VerdictFields, timeMs: number): void {
  sim.quarantinedNow = true;
  const until = timeMs + sim.ruleset.quarantineTimeoutSeconds * 1000;
  if (f.family === 4) {
    const current = sim.quarantine4.get(f.src4);
    if (current === undefined || current <= timeMs) sim.quarantine4.set(f.src4, until);
  } else {
    const current = sim.quarantine6.get(f.src6);
    if (current === undefined || current <= timeMs) sim.quarantine6.set(f.src6, until);
  }
}

function onNeverList(sim: Simulation, f: VerdictFields): boolean {
  return f.family === 4 ? sim.never4.has(f.src4) : sim.never6.has(f.src6);
}

/** Ports conntrack keys the packet by, and whether the protocol tracks them (TCP, UDP, SCTP, DCCP, UDP-Lite). */
function ported(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136;
}

/** The inet side: conntrack, the protocol chain and judge, then the forward chain. */
function inet(sim: Simulation, f: VerdictFields, bytes: Uint8Array, timeMs: number): number {
  const v4 = f.family === 4;
  const s: number | string = v4 ? f.src4 : f.src6;
  const d: number | string = v4 ? f.dst4 : f.dst6;
  const proto = f.proto;
  const icmp = (v4 && proto === 1) || (!v4 && proto === 58);
  // ICMP queries are keyed by their identifier, which the decoder puts in both ports.
  const ps = ported(proto) || icmp ? f.sport : 0;
  const pd = ported(proto) || icmp ? f.dport : 0;
  // Conntrack (PREROUTING, before any Picket rule): find or judge the flow.
  let ct = CT_NONE;
  let newState = 0;
  let flow: Flow | undefined;
  let hash = 0;
  if (icmp && isIcmpError(f, v4)) {
    ct = related(sim, f, v4, timeMs) ? CT_ESTABLISHED : CT_INVALID;
  } else if (icmp && !v4 && isUntrackedIcmp6(f.icmpType)) {
    ct = CT_NONE;
  } else {
    hash = flowHash(proto, s, ps, d, pd);
    findFlow(sim.flows, sim.found, hash, proto, s, ps, d, pd, timeMs);
    flow = sim.found.flow;
    const direction = sim.found.direction;
    if (flow !== undefined && proto === 6 && tcpReopens(flow.state, direction, f.tcpFlags)) {
      removeFlow(sim.flows, flow);
      flow = undefined;
    }
    if (flow !== undefined) {
      sim.flow = flow;
      sim.direction = direction;
      ct = CT_ESTABLISHED;
      if (proto === 6) {
        const next = tcpTransition(flow.state, direction, f.tcpFlags);
        if (next === TCP_VERDICT.INVALID) ct = CT_INVALID;
        else if (next !== TCP_VERDICT.IGNORE) flow.state = next;
      }
      if (ct !== CT_INVALID) {
        flow.lastMs = timeMs;
        if (direction === 1) flow.seenReply = true;
        else if (!flow.seenReply) ct = CT_NEW;
      }
    } else if (proto === 6) {
      newState = tcpTransition(TCP.NONE, 0, f.tcpFlags);
      ct = newState < 0 ? CT_INVALID : CT_NEW;
    } else if (icmp) {
      ct = icmpOpens(f.icmpType, v4) ? CT_NEW : CT_INVALID;
    } else {
      ct = CT_NEW;
    }
  }
  // The protocol chain marks queued tuples; the node's NFQUEUE judge sees them before the forward chain.
  let protocolVerdict = -1;
  if (sim.hasQueues && proto === 6) {
    protocolVerdict = queued(sim, f, bytes, timeMs);
    if (protocolVerdict >= 0 && !sim.monitor) return protocolVerdict;
  }
  if (sim.known4 !== undefined && !sim.monitor && flow === undefined && unrecognized(sim, f)) {
    // nat prerouting (compile/portal.ts) sends an unrecognized source's new web connections to the portal.
    if (v4 && proto === 6 && (pd === 80 || pd === 443) && !quarantined(sim, f, timeMs)) {
      sim.why = 'unrecognized source: web connection redirected to the identity portal';
      return OUTCOME.blocked;
    }
  }
  const outcome = forward(sim, f, ct, timeMs);
  if (sim.monitor && protocolVerdict >= 0 && outcome <= OUTCOME.discovery) {
    sim.why = `monitor: ${sim.why}`;
    return OUTCOME.wouldBlock;
  }
  // Conntrack confirms a new entry only when its first packet leaves the box.
  if (flow === undefined && ct === CT_NEW && outcome <= OUTCOME.wouldBlock) {
    const rule = sim.matched === undefined ? -1 : sim.matched.index;
    const created: Flow = {
      proto,
      a: s,
      pa: ps,
      b: d,
      pb: pd,
      hash,
      state: proto === 6 ? newState : 0,
      seenReply: false,
      lastMs: timeMs,
      rule,
      tallyA: undefined,
      tallyB: undefined,
      next: undefined,
    };
    addFlow(sim.flows, created);
    sim.flow = created;
    sim.direction = 0;
    if (rule >= 0) sim.tally.entries[rule]!.flows++;
    if (rule >= 0 && sim.tally.entries[rule]!.first === undefined) {
      sim.tally.entries[rule]!.first = cite(sim, timeMs, OUTCOME.allowed);
    }
  }
  const credited = sim.matched?.index ?? flow?.rule ?? -1;
  if (credited >= 0 && outcome <= OUTCOME.discovery) sim.tally.entries[credited]!.packets++;
  return outcome;
}

/** The forward chain of `table inet picket`, in kernel order. */
function forward(sim: Simulation, f: VerdictFields, ct: number, timeMs: number): number {
  if (!sim.monitor && quarantined(sim, f, timeMs)) return OUTCOME.fromQuarantined;
  if (ct === CT_ESTABLISHED) return OUTCOME.established;
  if (f.family === 6 && f.proto === 58) {
    const t = f.icmpType;
    if (t >= 133 && t <= 137 && f.hopLimit === 255) return OUTCOME.discovery;
    if ((t === 130 || t === 131 || t === 132 || t === 143) && f.hopLimit === 1) return OUTCOME.discovery;
  }
  if (ct === CT_INVALID) {
    if (sim.monitor) {
      sim.why = 'monitor: conntrack invalid state';
      return OUTCOME.wouldBlock;
    }
    return OUTCOME.invalid;
  }
  if (f.proto === 6 || f.proto === 17) {
    const v4 = f.family === 4;
    const s = v4 ? f.src4 : BigInt(addressValue(f.src6));
    const d = v4 ? f.dst4 : BigInt(addressValue(f.dst6));
    let m = matchTuple(sim.sets.always, f.family as 4 | 6, s, d, f.proto, f.dport);
    if (m === undefined && sim.scheduled) {
      for (const [schedule, set] of sim.sets.scheduled) {
        if (!scheduleOpen(sim.windows, schedule, timeMs)) continue;
        m = matchTuple(set, f.family as 4 | 6, s, d, f.proto, f.dport);
        if (m !== undefined) break;
      }
    }
    if (m !== undefined) {
      sim.matched = m;
      return OUTCOME.allowed;
    }
  }
  sim.why = '';
  if (sim.known4 !== undefined && !sim.monitor && unrecognized(sim, f)) {
    sim.why = 'unrecognized source (portal): dropped, not quarantined';
    return OUTCOME.blocked;
  }
  if (sim.monitor) return OUTCOME.wouldBlock;
  const r = sim.ruleset;
  if (r.outOfProfile === 'alert') return OUTCOME.alerted;
  if (onNeverList(sim, f)) return OUTCOME.never;
  if (r.outOfProfile === 'quarantine' && !f.groupDestination) {
    quarantine(sim, f, timeMs);
    return OUTCOME.quarantined;
  }
  return OUTCOME.blocked;
}

/** Neither an asset nor (in a capture, never) a permit holder. */
function unrecognized(sim: Simulation, f: VerdictFields): boolean {
  return f.family === 4 ? !sim.known4!.has(f.src4) : !sim.known6.has(f.src6);
}

function addressValue(text: string): bigint {
  return parseAddress(text)?.value ?? 0n;
}

/** A queued TCP packet: the node judges it (or, without a node, the zone's fail mode decides). -1 when not queued or accepted. */
function queued(sim: Simulation, f: VerdictFields, bytes: Uint8Array, timeMs: number): number {
  const v4 = f.family === 4;
  const s = v4 ? f.src4 : addressValue(f.src6);
  const d = v4 ? f.dst4 : addressValue(f.dst6);
  const family = f.family as 4 | 6;
  const closed = matchTuple(sim.sets.closed, family, s, d, 6, f.dport);
  const open = closed === undefined ? matchTuple(sim.sets.open, family, s, d, 6, f.dport) : undefined;
  if (closed === undefined && open === undefined) return -1;
  if (!sim.node && !sim.monitor) return closed !== undefined ? OUTCOME.unjudged : -1;
  // A copy: the judge keeps unfinished messages, and the reader reuses its buffer.
  const j = judgePacket(sim.judge, bytes.slice(f.ipAt, f.ipEnd));
  if (j.verdict === 'accept') return -1;
  const first = j.findings[0];
  sim.why =
    first === undefined
      ? 'protocol: malformed or unplaced segment'
      : `${first.producer}: ${first.what}${first.reason === undefined ? '' : ` (${first.reason})`}`;
  for (const finding of j.findings) {
    addFinding(sim.tally, {
      what: finding.what,
      reason: finding.reason ?? (finding.malformed ? 'malformed' : ''),
      producer: finding.producer,
      flow: `${finding.source}:${finding.sourcePort} → ${finding.destination}:${finding.destinationPort}`,
      packet: cite(sim, timeMs, OUTCOME.protocolDropped),
      wouldBlock: sim.monitor,
    });
  }
  // The node contains a protocol violation like any other (decide/protocol-violation.ts → respond.ts).
  if (!sim.monitor && sim.ruleset.outOfProfile === 'quarantine' && !onNeverList(sim, f))
    quarantine(sim, f, timeMs);
  return OUTCOME.protocolDropped;
}

function isIcmpError(f: VerdictFields, v4: boolean): boolean {
  const t = f.icmpType;
  return v4 ? t === 3 || t === 4 || t === 5 || t === 11 || t === 12 : t >= 1 && t <= 4;
}

/** ICMPv6 that conntrack leaves untracked: neighbour discovery and multicast listener messages. */
function isUntrackedIcmp6(t: number): boolean {
  return (t >= 130 && t <= 137) || t === 143;
}

/** ICMP types that may open a conntrack entry (requests). */
function icmpOpens(t: number, v4: boolean): boolean {
  return v4 ? t === 8 || t === 13 || t === 15 || t === 17 : t === 128 || t === 139;
}

/** An ICMP error is related when the packet it quotes belongs to a tracked flow. */
function related(sim: Simulation, f: VerdictFields, v4: boolean, timeMs: number): boolean {
  if (f.innerProto < 0) return false;
  const s = v4 ? f.innerSrc4 : f.innerSrc6;
  const d = v4 ? f.innerDst4 : f.innerDst6;
  const p = f.innerProto;
  const ported4 = ported(p) || (v4 ? p === 1 : p === 58);
  const ps = ported4 ? f.innerSport : 0;
  const pd = ported4 ? f.innerDport : 0;
  findFlow(sim.flows, sim.found, flowHash(p, s, ps, d, pd), p, s, ps, d, pd, timeMs);
  return sim.found.flow !== undefined;
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
