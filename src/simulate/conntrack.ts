// Connection tracking as netfilter does it (net/netfilter/nf_conntrack_core.c,
// _proto_udp.c, _proto_icmp.c, _proto_generic.c, default sysctls): flows keyed
// by both directions, per-state timeouts by capture time (the TCP states are in
// tcp-conntrack.ts). The table is bounded: two generations (least recently used
// forgotten first), and what was forgotten is counted. Pure (mutates only the
// table it is given).

import { TCP } from './tcp-conntrack.js';

/** Default timeouts in seconds per TCP state (nf_conntrack_tcp_timeout_*). */
const TCP_TIMEOUT_S = [0, 120, 60, 432_000, 120, 60, 30, 120, 10, 120];
/** An established connection not yet assured (no reply seen) lives only as long as an unacknowledged one. */
const TCP_UNACK_S = 300;
const UDP_UNREPLIED_S = 30;
const UDP_REPLIED_S = 120;
const ICMP_S = 30;
const GENERIC_S = 600;

/** One tracked connection, in its original direction. */
export interface Flow {
  readonly proto: number;
  readonly a: number | string;
  readonly pa: number;
  readonly b: number | string;
  readonly pb: number;
  readonly hash: number;
  state: number;
  seenReply: boolean;
  lastMs: number;
  /** When the entry was created (UDP gets its stream timeout 2 s after). */
  readonly firstMs: number;
  /** TCP: a FIN started the close (IP_CT_TCP_FLAG_CLOSE_INIT), and the flag index and direction of the last packet taken. */
  closeInit: boolean;
  lastIndex: number;
  lastDir: number;
  /** Index of the allow entry that admitted the flow, -1 when none did (alert, monitor, related). */
  rule: number;
  /** Report bookkeeping of the original source and destination, cached so established packets skip a lookup. */
  tallyA: unknown;
  tallyB: unknown;
  next: Flow | undefined;
}

/** The bounded flow table. */
export interface FlowTable {
  readonly cap: number;
  recent: Map<number, Flow>;
  old: Map<number, Flow>;
  recentCount: number;
  oldCount: number;
  /** Flows forgotten because the table was full. */
  evicted: number;
  /** Most flows held at once. */
  peak: number;
}

/** An empty table holding at most `cap` flows. */
export function createFlowTable(cap: number): FlowTable {
  return {
    cap: Math.max(2, cap),
    recent: new Map(),
    old: new Map(),
    recentCount: 0,
    oldCount: 0,
    evicted: 0,
    peak: 0,
  };
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function endpointHash(addr: number | string, port: number): number {
  const h = typeof addr === 'number' ? Math.imul(addr ^ 0x5bd1e995, 0x85ebca6b) : stringHash(addr);
  return Math.imul(h ^ (port * 0x27d4eb2d), 0x9e3779b1);
}

/** A hash of the connection that is the same in both directions. */
export function flowHash(
  proto: number,
  a: number | string,
  pa: number,
  b: number | string,
  pb: number,
): number {
  return ((endpointHash(a, pa) + endpointHash(b, pb)) ^ (proto * 0x01000193)) & 0x3fffffff;
}

/** Direction of a packet on a flow: 0 original, 1 reply, -1 not this flow. */
function directionOn(
  f: Flow,
  proto: number,
  s: number | string,
  ps: number,
  d: number | string,
  pd: number,
): number {
  if (f.proto !== proto) return -1;
  if (f.a === s && f.pa === ps && f.b === d && f.pb === pd) return 0;
  if (f.a === d && f.pa === pd && f.b === s && f.pb === ps) return 1;
  return -1;
}

function unlink(map: Map<number, Flow>, f: Flow): void {
  const head = map.get(f.hash);
  if (head === f) {
    if (f.next === undefined) map.delete(f.hash);
    else map.set(f.hash, f.next);
    return;
  }
  for (let p = head; p !== undefined; p = p.next) {
    if (p.next === f) {
      p.next = f.next;
      return;
    }
  }
}

/** Result of a lookup: the flow and the packet's direction on it (0 original, 1 reply). */
export interface Found {
  flow: Flow | undefined;
  direction: number;
}

/** Finds the live flow of a packet (expired ones are dropped here), making it recently used. */
export function findFlow(
  t: FlowTable,
  out: Found,
  hash: number,
  proto: number,
  s: number | string,
  ps: number,
  d: number | string,
  pd: number,
  nowMs: number,
): void {
  out.flow = undefined;
  out.direction = -1;
  for (let f = t.recent.get(hash); f !== undefined; f = f.next) {
    const dir = directionOn(f, proto, s, ps, d, pd);
    if (dir < 0) continue;
    if (expired(f, nowMs)) {
      unlink(t.recent, f);
      t.recentCount--;
      return;
    }
    out.flow = f;
    out.direction = dir;
    return;
  }
  for (let f = t.old.get(hash); f !== undefined; f = f.next) {
    const dir = directionOn(f, proto, s, ps, d, pd);
    if (dir < 0) continue;
    unlink(t.old, f);
    t.oldCount--;
    if (expired(f, nowMs)) return;
    f.next = undefined;
    link(t, f);
    out.flow = f;
    out.direction = dir;
    return;
  }
}

function link(t: FlowTable, f: Flow): void {
  if (t.recentCount >= t.cap >> 1) {
    t.evicted += t.oldCount;
    t.old = t.recent;
    t.oldCount = t.recentCount;
    t.recent = new Map();
    t.recentCount = 0;
  }
  f.next = t.recent.get(f.hash);
  t.recent.set(f.hash, f);
  t.recentCount++;
  if (t.recentCount + t.oldCount > t.peak) t.peak = t.recentCount + t.oldCount;
}

/** Confirms a new flow (its first packet was accepted). */
export function addFlow(t: FlowTable, f: Flow): void {
  link(t, f);
}

/** Forgets a flow (a SYN reopened it). */
export function removeFlow(t: FlowTable, f: Flow): void {
  const inRecent = t.recent.get(f.hash);
  for (let p = inRecent; p !== undefined; p = p.next) {
    if (p === f) {
      unlink(t.recent, f);
      t.recentCount--;
      return;
    }
  }
  unlink(t.old, f);
  t.oldCount--;
}

function timeoutSeconds(f: Flow): number {
  switch (f.proto) {
    case 6: {
      const s = TCP_TIMEOUT_S[f.state] ?? 120;
      return f.state === TCP.ESTABLISHED && !f.seenReply ? Math.min(s, TCP_UNACK_S) : s;
    }
    case 17:
      // udp_packet(): a replied flow gets the stream timeout once it is 2 s old.
      return f.seenReply && f.lastMs - f.firstMs > 2000 ? UDP_REPLIED_S : UDP_UNREPLIED_S;
    case 1:
    case 58:
      return ICMP_S;
    default:
      return GENERIC_S;
  }
}

function expired(f: Flow, nowMs: number): boolean {
  return nowMs - f.lastMs > timeoutSeconds(f) * 1000;
}
