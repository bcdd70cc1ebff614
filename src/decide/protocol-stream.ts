// Per-flow-direction reassembly of a queued TCP stream: payloads are taken in
// sequence order, framed by the protocol's codec, and every complete message is
// judged; a packet is accepted only if every message that ends in it is allowed
// and the message it leaves unfinished has not already shown a forbidden
// function. A dropped packet does not advance the stream, so its retransmission
// is judged again and gets the same verdict; bytes already accepted are accepted
// again only if they are identical. Segments after a gap are dropped (the sender
// retransmits them in order). (stream, segment, judge) → verdict + findings.
// Pure (mutates only the FlowStream it is given).

import type { ProtocolCodec, ProtocolMessage } from '../sense/protocols/frame.js';

/** The verdict of a policy on one message: allowed or not, and why. */
export interface MessageVerdict {
  readonly allowed: boolean;
  /** Why not, e.g. `function write-single-register is not allowed`. */
  readonly reason?: string;
}

/** What the judge concluded about one message (or frame) of a packet. */
export interface StreamFinding {
  readonly protocol: ProtocolCodec['protocol'];
  readonly what: string;
  readonly allowed: boolean;
  readonly reason?: string;
  readonly malformed?: boolean;
}

/** Verdict on one packet, with a finding per message it completed or started. */
export interface SegmentVerdict {
  readonly verdict: 'accept' | 'drop';
  readonly findings: readonly StreamFinding[];
}

/** The reassembly state of one direction of one TCP flow. */
export interface FlowStream {
  readonly codec: ProtocolCodec;
  /** Sequence number of the next byte expected; undefined until the first packet. */
  nextSeq: number | undefined;
  /** Accepted bytes of the message not yet complete. */
  pending: Uint8Array;
  /** The last accepted bytes (at least HISTORY_BYTES of them once there are), ending at nextSeq, in `history[0, historyLength)`. */
  history: Uint8Array;
  historyLength: number;
}

const HISTORY_BYTES = 4096;

/** A fresh stream for a codec. */
export function createFlowStream(codec: ProtocolCodec): FlowStream {
  return {
    codec,
    nextSeq: undefined,
    pending: new Uint8Array(0),
    history: new Uint8Array(0),
    historyLength: 0,
  };
}

/** Appends accepted bytes to the history, keeping the last HISTORY_BYTES (amortised: shifts only when full). */
function remember(stream: FlowStream, fresh: Uint8Array): void {
  if (fresh.length >= HISTORY_BYTES) {
    stream.history = fresh.slice(fresh.length - HISTORY_BYTES);
    stream.historyLength = HISTORY_BYTES;
    return;
  }
  if (stream.history.length === 0) stream.history = new Uint8Array(2 * HISTORY_BYTES);
  if (stream.historyLength + fresh.length > stream.history.length) {
    const keep = HISTORY_BYTES - fresh.length;
    stream.history.copyWithin(0, stream.historyLength - keep, stream.historyLength);
    stream.historyLength = keep;
  }
  stream.history.set(fresh, stream.historyLength);
  stream.historyLength += fresh.length;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const ACCEPT: SegmentVerdict = { verdict: 'accept', findings: [] };
const EMPTY = new Uint8Array(0);

/**
 * Judges one TCP segment of the stream. `syn` marks a SYN (its sequence number is
 * the ISN, payload starts at ISN + 1). `judge` decides each decoded message.
 */
export function judgeSegment(
  stream: FlowStream,
  seq: number,
  payload: Uint8Array,
  syn: boolean,
  judge: (message: ProtocolMessage, complete: boolean) => MessageVerdict,
): SegmentVerdict {
  const start = syn ? (seq + 1) >>> 0 : seq >>> 0;
  if (stream.nextSeq === undefined) stream.nextSeq = start;
  if (payload.length === 0) return ACCEPT;
  const protocol = stream.codec.protocol;
  const offset = (start - stream.nextSeq) | 0;
  if (offset > 0) {
    return { verdict: 'drop', findings: [] };
  }
  let fresh = payload;
  if (offset < 0) {
    const old = Math.min(-offset, payload.length);
    const end = stream.historyLength;
    const known = stream.history.subarray(end + offset, end + offset + old);
    if (-offset > end || !same(known, payload.subarray(0, old))) {
      return {
        verdict: 'drop',
        findings: [
          { protocol, what: 'retransmission that differs from the bytes already accepted', allowed: false },
        ],
      };
    }
    fresh = payload.subarray(old);
    if (fresh.length === 0) return ACCEPT;
  }
  const findings: StreamFinding[] = [];
  let buffer = concat(stream.pending, fresh);
  let allowed = true;
  for (;;) {
    const frame = stream.codec.frame(buffer);
    if (frame.kind === 'malformed') {
      findings.push({
        protocol,
        what: `malformed ${protocol} frame: ${frame.reason}`,
        allowed: false,
        malformed: true,
      });
      return { verdict: 'drop', findings };
    }
    if (frame.kind === 'partial') break;
    const decoded = stream.codec.decode(buffer.subarray(0, frame.length));
    if (decoded.kind === 'malformed') {
      findings.push({
        protocol,
        what: `malformed ${protocol} message: ${decoded.reason}`,
        allowed: false,
        malformed: true,
      });
      return { verdict: 'drop', findings };
    }
    const v = judge(decoded, true);
    findings.push({
      protocol,
      what: decoded.what,
      allowed: v.allowed,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    });
    allowed &&= v.allowed;
    buffer = buffer.subarray(frame.length);
  }
  if (buffer.length > 0) {
    const head = stream.codec.peek(buffer);
    const v = head === undefined ? undefined : judge(head, false);
    if (head !== undefined && v !== undefined && !v.allowed) {
      findings.push({
        protocol,
        what: head.what,
        allowed: false,
        ...(v.reason === undefined ? {} : { reason: v.reason }),
      });
      allowed = false;
    }
  }
  if (!allowed) return { verdict: 'drop', findings };
  stream.pending = buffer.length === 0 ? EMPTY : buffer.slice();
  stream.nextSeq = (stream.nextSeq + fresh.length) >>> 0;
  remember(stream, fresh);
  return { verdict: 'accept', findings };
}
