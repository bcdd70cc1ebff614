// The TCP side of connection tracking as netfilter has it
// (net/netfilter/nf_conntrack_proto_tcp.c): the state machine table
// tcp_conntracks[][][], flag combinations conntrack calls invalid
// (tcp_valid_flags[]), which first packets open an entry (a SYN, or with
// nf_conntrack_tcp_loose=1 a bare ACK picking a connection up mid-stream),
// reopening from TIME_WAIT or CLOSE, and re-syncing on a SYN/ACK that answers
// an ignored SYN. Sequence windows are not tracked (docs/SIMULATE.md).
// (flow state, direction, flags) → state or verdict. Pure (mutates only the flow it is given).

import type { Flow } from './conntrack.js';

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
