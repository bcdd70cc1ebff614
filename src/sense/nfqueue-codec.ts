// nfnetlink_queue messages (linux/netfilter/nfnetlink_queue.h): queue config
// (bind, copy mode, flags such as fail-open), queued packets, and verdicts —
// single, and batched (NFQNL_MSG_VERDICT_BATCH: one verdict for every
// outstanding packet id up to the given one). Netfilter payloads are big-endian
// inside host-order netlink attributes. Datagram bytes ⇄ values; never throws
// on received bytes. Pure.

import {
  buildAttribute,
  buildMessage,
  concatBytes,
  forEachAttribute,
  HOST_LITTLE_ENDIAN,
  NLM_F,
  NLMSG,
  parseDatagram,
  parseError,
} from '../net/netlink-codec.js';

const NFNL_SUBSYS_QUEUE = 3;
const NFGENMSG_BYTES = 4;

/** nfqueue message types, already shifted into the subsystem. */
export const NFQNL_MSG = {
  packet: (NFNL_SUBSYS_QUEUE << 8) | 0,
  verdict: (NFNL_SUBSYS_QUEUE << 8) | 1,
  config: (NFNL_SUBSYS_QUEUE << 8) | 2,
  verdictBatch: (NFNL_SUBSYS_QUEUE << 8) | 3,
} as const;

/** Config commands. */
export const NFQNL_CFG_CMD = { bind: 1, unbind: 2 } as const;
/** What of each packet the kernel copies to us. */
export const NFQNL_COPY = { none: 0, meta: 1, packet: 2 } as const;
/** Queue flags: fail-open lets packets pass when the queue is full (not when nobody is bound: that is the rule's `bypass`). */
export const NFQA_CFG_F = { failOpen: 0x1, conntrack: 0x2, gso: 0x4 } as const;
/** Netfilter verdicts. */
export const NF_VERDICT = { drop: 0, accept: 1 } as const;

const NFQA = { packetHdr: 1, verdictHdr: 2, mark: 3, payload: 10, capLen: 13 } as const;
const NFQA_CFG = { cmd: 1, params: 2, queueMaxlen: 3, mask: 4, flags: 5 } as const;

/** One queued packet. */
export interface QueuedPacket {
  readonly queue: number;
  readonly id: number;
  /** EtherType of the packet (0x0800, 0x86dd). */
  readonly hwProtocol: number;
  readonly hook: number;
  readonly mark?: number;
  /** The packet from the network header on (copy mode packet). */
  readonly payload: Uint8Array;
}

/** Everything a datagram from the queue socket carried. */
export interface NfqueueDatagram {
  readonly packets: readonly QueuedPacket[];
  readonly acks: readonly { readonly errno: number; readonly requestSeq: number }[];
  readonly malformed: readonly string[];
}

function nfgenmsg(family: number, queue: number): Uint8Array {
  return new Uint8Array([family, 0, (queue >> 8) & 0xff, queue & 0xff]);
}

function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function readBe32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

/** NFQNL_CFG_CMD_BIND / UNBIND for a queue number, acknowledged. */
export function buildQueueCommand(seq: number, queue: number, command: number): Uint8Array {
  const cmd = buildAttribute(NFQA_CFG.cmd, new Uint8Array([command, 0, 0, 0]));
  return buildMessage(
    NFQNL_MSG.config,
    NLM_F.request | NLM_F.ack,
    seq,
    concatBytes([nfgenmsg(0, queue), cmd]),
  );
}

/** Queue settings, acknowledged. */
export interface QueueSettings {
  readonly copyRange: number;
  readonly maxLength: number;
  /** Set NFQA_CFG_F_FAIL_OPEN: accept instead of drop when the queue is full. */
  readonly failOpen: boolean;
}

/** Copy mode, queue length and flags for a queue, acknowledged. */
export function buildQueueSettings(seq: number, queue: number, s: QueueSettings): Uint8Array {
  const params = new Uint8Array(5);
  params.set(be32(s.copyRange), 0);
  params[4] = NFQNL_COPY.packet;
  const flags = s.failOpen ? NFQA_CFG_F.failOpen : 0;
  const body = concatBytes([
    nfgenmsg(0, queue),
    buildAttribute(NFQA_CFG.params, params),
    buildAttribute(NFQA_CFG.queueMaxlen, be32(s.maxLength)),
    buildAttribute(NFQA_CFG.flags, be32(flags)),
    buildAttribute(NFQA_CFG.mask, be32(NFQA_CFG_F.failOpen)),
  ]);
  return buildMessage(NFQNL_MSG.config, NLM_F.request | NLM_F.ack, seq, body);
}

/** One verdict for packet `id` (batch: for every outstanding packet of the queue up to `id`), optionally with the packet's new mark. */
export function buildVerdict(
  queue: number,
  id: number,
  verdict: number,
  batch: boolean,
  mark?: number,
): Uint8Array {
  const hdr = new Uint8Array(8);
  hdr.set(be32(verdict), 0);
  hdr.set(be32(id), 4);
  const type = batch ? NFQNL_MSG.verdictBatch : NFQNL_MSG.verdict;
  const parts = [nfgenmsg(0, queue), buildAttribute(NFQA.verdictHdr, hdr)];
  // NFQA_MARK replaces the whole packet mark (nfqnl_recv_verdict*()).
  if (mark !== undefined) parts.push(buildAttribute(NFQA.mark, be32(mark)));
  return buildMessage(type, NLM_F.request, 0, concatBytes(parts));
}

/**
 * Verdicts for packets of one queue in the order received: each run of equal
 * verdicts becomes one batch message with the run's last id — correct because
 * the runs are sent in order, so earlier ids are already settled.
 */
export function buildVerdictRuns(
  queue: number,
  decided: readonly { id: number; verdict: number }[],
  acceptMark?: number,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < decided.length; i++) {
    const cur = decided[i];
    const next = decided[i + 1];
    if (cur === undefined) continue;
    if (next !== undefined && next.verdict === cur.verdict) continue;
    parts.push(
      buildVerdict(
        queue,
        cur.id,
        cur.verdict,
        true,
        cur.verdict === NF_VERDICT.accept ? acceptMark : undefined,
      ),
    );
  }
  return concatBytes(parts);
}

/** Decodes one packet message body (nfgenmsg + attributes). */
export function parseQueuedPacket(body: Uint8Array): QueuedPacket | string {
  if (body.length < NFGENMSG_BYTES) return 'nfqueue: truncated nfgenmsg';
  const queue = ((body[2] ?? 0) << 8) | (body[3] ?? 0);
  let id: number | undefined;
  let hwProtocol = 0;
  let hook = 0;
  let mark: number | undefined;
  let payload: Uint8Array | undefined;
  const bad = forEachAttribute(body, NFGENMSG_BYTES, (type, value) => {
    if (type === NFQA.packetHdr && value.length >= 7) {
      id = readBe32(value, 0);
      hwProtocol = ((value[4] ?? 0) << 8) | (value[5] ?? 0);
      hook = value[6] ?? 0;
    } else if (type === NFQA.mark && value.length >= 4) mark = readBe32(value, 0);
    else if (type === NFQA.payload) payload = value;
  });
  if (bad !== undefined) return bad;
  if (id === undefined) return 'nfqueue: packet without NFQA_PACKET_HDR';
  return {
    queue,
    id,
    hwProtocol,
    hook,
    ...(mark === undefined ? {} : { mark }),
    payload: payload ?? new Uint8Array(0),
  };
}

/**
 * The queue and packet id of a datagram cut short by the receive buffer (a
 * packet larger than it): the header comes first, so the packet can still be
 * given a verdict (drop) instead of waiting in the kernel forever.
 */
export function truncatedPacketId(bytes: Uint8Array): { queue: number; id: number } | undefined {
  if (bytes.length < 16 + NFGENMSG_BYTES) return undefined;
  const type = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(
    4,
    HOST_LITTLE_ENDIAN,
  );
  if (type !== NFQNL_MSG.packet) return undefined;
  const body = bytes.subarray(16);
  let id: number | undefined;
  forEachAttribute(body, NFGENMSG_BYTES, (t, value) => {
    if (t === NFQA.packetHdr && value.length >= 4 && id === undefined) id = readBe32(value, 0);
  });
  return id === undefined ? undefined : { queue: ((body[2] ?? 0) << 8) | (body[3] ?? 0), id };
}

/** Splits a datagram into queued packets, acknowledgements and what could not be read. */
export function parseNfqueueDatagram(bytes: Uint8Array): NfqueueDatagram {
  const parsed = parseDatagram(bytes);
  const packets: QueuedPacket[] = [];
  const acks: { errno: number; requestSeq: number }[] = [];
  const malformed: string[] = parsed.malformed === undefined ? [] : [parsed.malformed];
  for (const m of parsed.messages) {
    if (m.type === NLMSG.error) {
      const ack = parseError(m.body);
      if (ack) acks.push(ack);
    } else if (m.type === NFQNL_MSG.packet) {
      const p = parseQueuedPacket(m.body);
      if (typeof p === 'string') malformed.push(p);
      else packets.push(p);
    }
  }
  return { packets, acks, malformed };
}
