// Connection tracking as netfilter does it (net/netfilter/nf_conntrack_proto_tcp.c,
// _udp.c, _icmp.c, _generic.c, default sysctls): the TCP state machine
// (tcp_conntracks[][][]), which first packets may open an entry
// (nf_conntrack_tcp_loose=1: a bare ACK picks up a connection mid-stream; a
// FIN, RST or SYN/ACK without an entry is invalid), reopening from TIME_WAIT or
// CLOSE, and per-state timeouts by capture time. The table is bounded: two
// generations (least recently used forgotten first), and what was forgotten
// is counted. Pure (mutates only the table it is given).

/** TCP conntrack states, in the kernel's order. */
export const TCP = {
  NONE: 0,
  SYN_SENT: 1,
  SYN_RECV: 2,
  ESTABLISHED: 3,
  FIN_WAIT: 4,
  CLOSE_WAIT: 5,
  LAST_ACK: 6,
  TIME_WAIT: 7,
  CLOSE: 8,
  SYN_SENT2: 9,
} as const;
/** Table results that are not states. */
const IV = 10;
const IG = 11;

const [, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** tcp_conntracks[direction][flag index][old state] → new state, IV (invalid) or IG (ignore). */
const TRANSITIONS: readonly (readonly (readonly number[])[])[] = [
  [
    /* syn    */ [sSS, sSS, IG, IG, IG, IG, IG, sSS, sSS, sS2],
    /* synack */ [IV, IV, sSR, IV, IV, IV, IV, IV, IV, sSR],
    /* fin    */ [IV, IV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, IV],
    /* ack    */ [sES, IV, sES, sES, sCW, sCW, sTW, sTW, sCL, IV],
    /* rst    */ [IV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [IV, IV, IV, IV, IV, IV, IV, IV, IV, IV],
  ],
  [
    /* syn    */ [IV, sS2, IV, IV, IV, IV, IV, sSS, IV, sS2],
    /* synack */ [IV, sSR, IG, IG, IG, IG, IG, IG, IG, sSR],
    /* fin    */ [IV, IV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, IV],
    /* ack    */ [IV, IG, sSR, sES, sCW, sCW, sTW, sTW, sCL, IG],
    /* rst    */ [IV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [IV, IV, IV, IV, IV, IV, IV, IV, IV, IV],
  ],
];

/** TRANSITIONS flattened: [(direction * 6 + flag index) * 10 + state]. */
const TRANSITION_TABLE = Int8Array.from(TRANSITIONS.flat(2));

/** Default timeouts in seconds per TCP state (nf_conntrack_tcp_timeout_*). */
const TCP_TIMEOUT_S = [0, 120, 60, 432_000, 120, 60, 30, 120, 10, 120];
/** An established connection not yet assured (no reply seen) lives only as long as an unacknowledged one. */
const TCP_UNACK_S = 300;
const UDP_UNREPLIED_S = 30;
const UDP_REPLIED_S = 120;
const ICMP_S = 30;
const GENERIC_S = 600;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const URG = 0x20;

/** get_conntrack_index(): 0 syn, 1 synack, 2 fin, 3 ack, 4 rst, 5 none. */
function flagIndex(flags: number): number {
  if (flags & RST) return 4;
  if (flags & SYN) return flags & ACK ? 1 : 0;
  if (flags & FIN) return 2;
  if (flags & ACK) return 3;
  return 5;
}

/** tcp_valid_flags[]: the combinations (less ECE, CWR, PSH) conntrack does not call invalid. */
export function tcpFlagsValid(flags: number): boolean {
  const f = flags & (FIN | SYN | RST | ACK | URG);
  return (
    f === SYN ||
    f === (SYN | URG) ||
    f === (SYN | ACK) ||
    f === RST ||
    f === (RST | ACK) ||
    f === (FIN | ACK) ||
    f === (FIN | ACK | URG) ||
    f === ACK ||
    f === (ACK | URG)
  );
}

/** Flag index of every TCP flags byte, -1 for the combinations conntrack calls invalid. */
const FLAG_INDEX = Int8Array.from({ length: 256 }, (_, flags) =>
  tcpFlagsValid(flags) ? flagIndex(flags) : -1,
);

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

/** What conntrack makes of a TCP packet besides a new state: invalid, ignored (passes, state kept), or a reopened connection. */
export const TCP_VERDICT = { INVALID: -1, IGNORE: -2, REOPEN: -3 } as const;

const SYN_INDEX = 0;
const SYNACK_INDEX = 1;
const RST_INDEX = 4;

/** get_conntrack_index() of a flags byte, -1 for an invalid combination. */
export function tcpFlagIndex(flags: number): number {
  return FLAG_INDEX[flags & 0xff]!;
}

/**
 * One TCP packet on a tracked flow (tcp_packet()): moves the flow's state and
 * returns it, or INVALID, IGNORE, or REOPEN — a SYN on a connection in
 * TIME_WAIT or CLOSE that a FIN closed, or that this side reset last: the old
 * entry is killed and the SYN starts a new one. Another SYN there is ignored.
 */
export function tcpStep(flow: Flow, direction: number, flags: number): number {
  const index = FLAG_INDEX[flags & 0xff]!;
  if (index < 0) return TCP_VERDICT.INVALID;
  const old = flow.state;
  let next = TRANSITION_TABLE[(direction * 6 + index) * 10 + old]!;
  if (next === IV) return TCP_VERDICT.INVALID;
  if (next === TCP.SYN_SENT && (old === TCP.TIME_WAIT || old === TCP.CLOSE)) {
    if (flow.closeInit || (flow.lastDir === direction && flow.lastIndex === RST_INDEX))
      return TCP_VERDICT.REOPEN;
    next = IG;
  }
  if (next === IG && index === SYNACK_INDEX && flow.lastIndex === SYN_INDEX && flow.lastDir !== direction) {
    // A SYN/ACK answering a SYN conntrack ignored: both ends are in sync, so conntrack gets in sync too.
    next = TCP.SYN_RECV;
  }
  flow.lastIndex = index;
  flow.lastDir = direction;
  if (next === IG) return TCP_VERDICT.IGNORE;
  if (next === TCP.FIN_WAIT && old !== TCP.FIN_WAIT) flow.closeInit = true;
  flow.state = next;
  return next;
}

/**
 * The state a TCP packet moves its flow to (or TCP_VERDICT.INVALID / IGNORE).
 * `state` is the flow's state, NONE when there is no entry: then only a SYN or
 * (loose pickup) a bare ACK opens one.
 */
export function tcpTransition(state: number, direction: number, flags: number): number {
  const index = FLAG_INDEX[flags & 0xff]!;
  if (index < 0) return TCP_VERDICT.INVALID;
  const next = TRANSITION_TABLE[(direction * 6 + index) * 10 + state]!;
  if (next === IV) return TCP_VERDICT.INVALID;
  if (next === IG) return TCP_VERDICT.IGNORE;
  return next;
}
