// What the requests of one service asked for, decoded with the node's own
// protocol codecs (so the learned constraint means exactly what the judge
// will enforce): Modbus function codes, unit ids and the read and write
// address spans; S7 operations; DNP3 application functions. Messages split
// over segments are carried to the next one. Polling repeats the same request
// over and over, so a request of a shape already seen (same unit, function,
// address and quantity) is only counted, not decoded again.
// (learning, payload bytes) → learning updated. Pure (mutates what it is given).

import { decodeDnp3, frameDnp3 } from '../sense/protocols/dnp3.js';
import { decodeModbusRequest } from '../sense/protocols/modbus.js';
import { decodeS7 } from '../sense/protocols/s7comm.js';
import { addSpan, type Span } from './spans.js';

interface Common {
  messages: number;
  malformed: number;
  /** The first reason a message was malformed, for the report. */
  malformedReason: string | undefined;
  /** Request shapes already decoded. */
  readonly shapes: Set<number>;
  /** Bytes of an unfinished message at the end of the last segment, and the client port it came from. */
  carry: Uint8Array | undefined;
  carryPort: number;
}

export interface ModbusLearning extends Common {
  readonly kind: 'modbus';
  readonly functions: Set<number>;
  readonly units: Set<number>;
  readonly read: Span[];
  readonly write: Span[];
  /** The span cap forced a merge: the spans are wider than seen. */
  spansCapped: boolean;
}

export interface S7Learning extends Common {
  readonly kind: 's7';
  readonly functions: Set<string>;
}

export interface Dnp3Learning extends Common {
  readonly kind: 'dnp3';
  readonly functions: Set<number>;
}

export type ProtocolLearning = ModbusLearning | S7Learning | Dnp3Learning;

function common(): Common {
  return {
    messages: 0,
    malformed: 0,
    malformedReason: undefined,
    shapes: new Set(),
    carry: undefined,
    carryPort: -1,
  };
}

/** An empty learning for a protocol the learner decodes, or undefined for the others. */
export function createLearning(protocol: string): ProtocolLearning | undefined {
  if (protocol === 'modbus')
    return {
      kind: 'modbus',
      ...common(),
      functions: new Set(),
      units: new Set(),
      read: [],
      write: [],
      spansCapped: false,
    };
  if (protocol === 's7comm') return { kind: 's7', ...common(), functions: new Set() };
  if (protocol === 'dnp3') return { kind: 'dnp3', ...common(), functions: new Set() };
  return undefined;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function bad(l: Common, reason: string): void {
  l.malformed++;
  l.malformedReason ??= reason;
}

/** Records the requests in `b[from, to)` sent from client port `clientPort`. */
export function learnRequests(
  l: ProtocolLearning,
  b: Uint8Array,
  from: number,
  to: number,
  clientPort: number,
  maxShapes: number,
  maxSpans: number,
): void {
  let bytes = b;
  let start = from;
  let end = to;
  if (l.carry !== undefined) {
    if (l.carryPort === clientPort) {
      bytes = new Uint8Array(l.carry.length + (to - from));
      bytes.set(l.carry, 0);
      bytes.set(b.subarray(from, to), l.carry.length);
      start = 0;
      end = bytes.length;
    }
    l.carry = undefined;
  }
  const used =
    l.kind === 'modbus'
      ? modbus(l, bytes, start, end, maxShapes, maxSpans)
      : l.kind === 's7'
        ? s7(l, bytes, start, end, maxShapes)
        : dnp3(l, bytes, start, end);
  if (used < end && end - used <= 4096) {
    l.carry = bytes.slice(used, end);
    l.carryPort = clientPort;
  }
}

/** Returns where the unfinished tail starts (`to` when nothing is left over, or after garbage). */
function modbus(
  l: ModbusLearning,
  b: Uint8Array,
  from: number,
  to: number,
  maxShapes: number,
  maxSpans: number,
) {
  let at = from;
  while (to - at >= 6) {
    if (b[at + 2] !== 0 || b[at + 3] !== 0) {
      bad(l, `protocol id ${u16(b, at + 2)} is not 0`);
      return to;
    }
    const size = u16(b, at + 4) + 6;
    if (size < 8 || size > 260) {
      bad(l, `MBAP length ${size - 6}`);
      return to;
    }
    if (at + size > to) return at;
    l.messages++;
    // Requests of 12 bytes (reads, single writes) decode from unit, function and two words alone.
    const shape =
      size === 12
        ? ((b[at + 6]! * 256 + b[at + 7]!) * 65_536 + u16(b, at + 8)) * 65_536 + u16(b, at + 10)
        : -1;
    if (shape >= 0 && l.shapes.has(shape)) {
      at += size;
      continue;
    }
    const m = decodeModbusRequest(b.subarray(at, at + size));
    at += size;
    if (m.kind === 'malformed') {
      bad(l, m.reason);
      continue;
    }
    if (shape >= 0 && l.shapes.size < maxShapes) l.shapes.add(shape);
    l.functions.add(m.code);
    if (m.unit !== undefined) l.units.add(m.unit);
    for (const a of m.accesses) {
      const spans = a.op === 'read' ? l.read : l.write;
      if (!addSpan(spans, a.address, a.address + a.quantity - 1, maxSpans)) l.spansCapped = true;
    }
  }
  return at;
}

function s7(l: S7Learning, b: Uint8Array, from: number, to: number, maxShapes: number) {
  let at = from;
  while (to - at >= 4) {
    if (b[at] !== 3 || b[at + 1] !== 0) {
      bad(l, 'not a TPKT');
      return to;
    }
    const size = u16(b, at + 2);
    if (size < 7 || size > 4096) {
      bad(l, `TPKT length ${size}`);
      return to;
    }
    if (at + size > to) return at;
    l.messages++;
    const shape = s7Shape(b, at, size);
    if (shape >= 0 && l.shapes.has(shape)) {
      at += size;
      continue;
    }
    const m = decodeS7(b.subarray(at, at + size));
    at += size;
    if (m.kind === 'malformed') {
      bad(l, m.reason);
      continue;
    }
    if (shape >= 0 && l.shapes.size < maxShapes) l.shapes.add(shape);
    if (m.function !== 'cotp') l.functions.add(m.function);
  }
  return at;
}

/** Jobs other than PI services (whose name says what they do), and userdata, are told apart by their function bytes alone. */
function s7Shape(b: Uint8Array, at: number, size: number): number {
  // Only a whole PDU (COTP DT with end of TSDU) has a shape; the codec refuses fragments, so they are decoded every time.
  if (size < 18 || b[at + 4] !== 2 || b[at + 5] !== 0xf0 || !(b[at + 6]! & 0x80) || b[at + 7] !== 0x32)
    return -1;
  const rosctr = b[at + 8]!;
  if (rosctr === 1) {
    const code = b[at + 17]!;
    return code === 0x28 ? -1 : 0x10000 + code;
  }
  if (rosctr === 7 && size >= 25) return 0x70000 + ((b[at + 22]! & 0x0f) << 8) + b[at + 23]!;
  return -1;
}

function dnp3(l: Dnp3Learning, b: Uint8Array, from: number, to: number) {
  let at = from;
  while (at < to) {
    const f = frameDnp3(b.subarray(at, to));
    if (f.kind === 'partial') return at;
    if (f.kind === 'malformed') {
      bad(l, f.reason);
      return to;
    }
    l.messages++;
    const m = decodeDnp3(b.subarray(at, at + f.length));
    at += f.length;
    if (m.kind === 'malformed') bad(l, m.reason);
    else if (m.code >= 0) l.functions.add(m.code);
  }
  return at;
}
