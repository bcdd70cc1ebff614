// Modbus/TCP codec: frames MBAP ADUs out of a TCP byte stream and decodes the
// request PDU (function, unit, the coils and registers read or written).
// Modbus Application Protocol V1.1b3 and Messaging on TCP/IP V1.0b.
// bytes → Frame, ADU → ProtocolMessage | Malformed; never throws. Pure.

import { MODBUS_FUNCTIONS } from '../../policy/protocol-names.js';
import {
  type Access,
  type Frame,
  isMalformed,
  type Malformed,
  malformed,
  type ProtocolCodec,
  type ProtocolMessage,
} from './frame.js';

/** MBAP header (7 bytes) plus the largest PDU (253 bytes). */
export const MODBUS_MAX_ADU = 260;
const MBAP = 7;

const NAME_OF = new Map([...MODBUS_FUNCTIONS].map(([name, code]) => [code, name]));

/** Policy name of a function code (`fc-65` for an unnamed one). */
export function modbusFunctionName(code: number): string {
  return NAME_OF.get(code) ?? `fc-${code}`;
}

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Frames the next ADU: the MBAP length says where it ends; protocol id must be 0. */
export function frameModbus(bytes: Uint8Array): Frame {
  if (bytes.length >= 4 && u16(bytes, 2) !== 0) return malformed(`protocol id ${u16(bytes, 2)} is not 0`);
  if (bytes.length < 6) return { kind: 'partial' };
  const length = u16(bytes, 4);
  if (length < 2) return malformed(`MBAP length ${length} leaves no function code`);
  if (length + 6 > MODBUS_MAX_ADU) return malformed(`MBAP length ${length} exceeds the 260-byte ADU`);
  return bytes.length >= length + 6 ? { kind: 'complete', length: length + 6 } : { kind: 'partial' };
}

const TABLE = {
  coil: { label: 'coil', base: 1 },
  'discrete-input': { label: 'discrete input', base: 10001 },
  'input-register': { label: 'input register', base: 30001 },
  'holding-register': { label: 'holding register', base: 40001 },
} as const;
type Table = keyof typeof TABLE;

function access(op: Access['op'], target: Table, address: number, quantity: number): Access {
  return { op, target, address, quantity };
}

/** Accesses of a request PDU, or why it is malformed (lengths and quantity limits of the spec). */
function requestAccesses(fc: number, pdu: Uint8Array): Access[] | Malformed {
  const n = pdu.length;
  const fixed = (len: number) =>
    n === len ? undefined : malformed(`FC${fc} request is ${n} bytes, not ${len}`);
  const ranged = (op: Access['op'], t: Table, max: number, at = 1): Access | Malformed => {
    const qty = u16(pdu, at + 2);
    if (qty < 1 || qty > max) return malformed(`FC${fc} quantity ${qty} outside 1-${max}`);
    if (u16(pdu, at) + qty > 0x10000) return malformed(`FC${fc} range passes address 65535`);
    return access(op, t, u16(pdu, at), qty);
  };
  const one = (x: Access | Malformed): Access[] | Malformed => (isMalformed(x) ? x : [x]);
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      const bad = fixed(5);
      if (bad) return bad;
      const t: Table =
        fc === 1 ? 'coil' : fc === 2 ? 'discrete-input' : fc === 3 ? 'holding-register' : 'input-register';
      return one(ranged('read', t, fc <= 2 ? 2000 : 125));
    }
    case 5: {
      const bad = fixed(5);
      if (bad) return bad;
      const v = u16(pdu, 3);
      if (v !== 0 && v !== 0xff00)
        return malformed(`FC5 value 0x${v.toString(16)} is neither 0x0000 nor 0xFF00`);
      return [access('write', 'coil', u16(pdu, 1), 1)];
    }
    case 6:
      return fixed(5) ?? [access('write', 'holding-register', u16(pdu, 1), 1)];
    case 22:
      return fixed(7) ?? [access('write', 'holding-register', u16(pdu, 1), 1)];
    case 15:
    case 16: {
      if (n < 6) return malformed(`FC${fc} request is ${n} bytes`);
      const a = ranged('write', fc === 15 ? 'coil' : 'holding-register', fc === 15 ? 1968 : 123);
      if (isMalformed(a)) return a;
      const count = pdu[5] ?? 0;
      const want = fc === 15 ? Math.ceil(a.quantity / 8) : a.quantity * 2;
      if (count !== want || n !== 6 + count) return malformed(`FC${fc} byte count ${count} does not match`);
      return [a];
    }
    case 23: {
      if (n < 10) return malformed(`FC23 request is ${n} bytes`);
      const r = ranged('read', 'holding-register', 125);
      const w = ranged('write', 'holding-register', 121, 5);
      if (isMalformed(r)) return r;
      if (isMalformed(w)) return w;
      const count = pdu[9] ?? 0;
      if (count !== w.quantity * 2 || n !== 10 + count)
        return malformed(`FC23 byte count ${count} does not match`);
      return [r, w];
    }
    case 43:
      if (n < 2) return malformed('FC43 without MEI type');
      if (pdu[1] === 14 && n < 4) return malformed(`FC43/14 request is ${n} bytes, under 4`);
      return [];
    case 8:
      return n < 3 ? malformed('FC8 without sub-function') : [];
    default:
      return [];
  }
}

function describe(fc: number, unit: number, accesses: readonly Access[], pdu: Uint8Array): string {
  const tail = `(FC${fc}${fc === 43 || fc === 8 ? `/${fc === 43 ? (pdu[1] ?? 0) : u16(pdu, 1)}` : ''}, unit ${unit})`;
  const parts = accesses.map((a) => {
    const t = TABLE[a.target as Table];
    const first = t.base + a.address;
    const span = a.quantity === 1 ? `${t.label} ${first}` : `${t.label}s ${first}-${first + a.quantity - 1}`;
    return `${a.op} ${a.op === 'read' ? 'of' : 'to'} ${span}`;
  });
  const head = parts.length > 0 ? parts.join(' and ') : modbusFunctionName(fc);
  return `Modbus ${head} ${tail}`;
}

/** Decodes one framed request ADU (client → server). */
export function decodeModbusRequest(adu: Uint8Array): ProtocolMessage | Malformed {
  const f = frameModbus(adu);
  if (f.kind === 'malformed') return f;
  if (f.kind !== 'complete' || f.length !== adu.length) return malformed('not exactly one ADU');
  const unit = adu[6] ?? 0;
  const fc = adu[7] ?? 0;
  if (fc === 0 || fc >= 0x80) return malformed(`function code ${fc} is not a request`);
  const pdu = adu.subarray(MBAP);
  const accesses = requestAccesses(fc, pdu);
  if (!Array.isArray(accesses)) return accesses;
  return {
    kind: 'message',
    protocol: 'modbus',
    code: fc,
    function: modbusFunctionName(fc),
    unit,
    accesses,
    what: describe(fc, unit, accesses, pdu),
  };
}

/** The function and unit of an incomplete request, once its first 8 bytes are in. */
export function peekModbusRequest(prefix: Uint8Array): ProtocolMessage | undefined {
  if (prefix.length < MBAP + 1) return undefined;
  const unit = prefix[6] ?? 0;
  const fc = prefix[7] ?? 0;
  const name = modbusFunctionName(fc);
  return {
    kind: 'message',
    protocol: 'modbus',
    code: fc,
    function: name,
    unit,
    accesses: [],
    what: `Modbus ${name} (FC${fc}, unit ${unit})`,
  };
}

/** The Modbus/TCP request codec for the stream reassembler. */
export const modbusCodec: ProtocolCodec = {
  protocol: 'modbus',
  maxMessageBytes: MODBUS_MAX_ADU,
  frame: frameModbus,
  decode: decodeModbusRequest,
  peek: peekModbusRequest,
};
