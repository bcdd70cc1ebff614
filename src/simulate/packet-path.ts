// One packet's path through the node: the bridge table (EtherTypes, VLAN
// tags as br_netfilter hands them on), IP header validation, fragments,
// conntrack (conntrack.ts), the protocol chain and judge (queue-judge.ts), the
// forward chain (forward-chain.ts), and conntrack's confirmation of a new
// flow whose first packet got through. Time windows are recompiled when the
// capture leaves the DST span they were compiled for.
// (Simulation, fields, frame, time) → outcome. Pure (mutates only the simulation).

import { compile } from '../compile/compile.js';
import type { VerdictFields } from '../sense/decode-verdict.js';
import { cite } from './citation.js';
import { addFlow, type Flow, findFlow, flowHash, removeFlow } from './conntrack.js';
import {
  CT_ESTABLISHED,
  CT_INVALID,
  CT_NEW,
  CT_NONE,
  forward,
  quarantined,
  unrecognized,
} from './forward-chain.js';
import { OUTCOME } from './outcome.js';
import { queued } from './queue-judge.js';
import type { Simulation } from './simulator.js';
import { TCP, TCP_VERDICT, tcpFlagIndex, tcpStep, tcpTransition } from './tcp-conntrack.js';

function refreshWindows(sim: Simulation, timeMs: number): void {
  const r = compile(sim.policy, { nowMs: timeMs });
  sim.windows = r.windows;
  sim.compiledAtMs = timeMs;
  sim.recompileByMs = r.recompileByMs ?? Number.POSITIVE_INFINITY;
}

/** Judges the decoded frame; returns its OUTCOME. */
export function judgeFrame(sim: Simulation, f: VerdictFields, bytes: Uint8Array, timeMs: number): number {
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
    const step = flow !== undefined && proto === 6 ? tcpStep(flow, direction, f.tcpFlags) : 0;
    if (step === TCP_VERDICT.REOPEN) {
      removeFlow(sim.flows, flow!);
      flow = undefined;
    }
    if (flow !== undefined) {
      sim.flow = flow;
      sim.direction = direction;
      ct = step === TCP_VERDICT.INVALID ? CT_INVALID : CT_ESTABLISHED;
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
      firstMs: timeMs,
      closeInit: false,
      lastIndex: proto === 6 ? tcpFlagIndex(f.tcpFlags) : -1,
      lastDir: 0,
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
