// S7comm codec: frames TPKT (RFC 1006) packets out of a TCP stream and decodes
// COTP (ISO 8073: CR/CC/DT/DR) and the S7comm header of data TPDUs: the job
// function (setup, read/write variable, download, upload, PI service, PLC
// stop), userdata (SZL reads), and S7comm-plus (protocol id 0x72) as unknown.
// bytes → Frame, TPKT → ProtocolMessage | Malformed; never throws. Pure.

import type { S7Function } from '../../policy/protocol-names.js';
import {
  type Access,
  type Frame,
  type Malformed,
  malformed,
  type ProtocolCodec,
  type ProtocolMessage,
} from './frame.js';

/** Largest TPKT accepted; S7 PDUs are negotiated at ≤ 960 bytes (S7-1500: 960, S7-300: 240). */
export const S7_MAX_TPKT = 4096;
/** Largest S7 PDU split over COTP DT TPDUs that is reassembled (negotiated PDUs are ≤ 960 bytes; TPKT overhead per piece). */
export const S7_MAX_FRAGMENTED = 8192;

const JOB_FUNCTIONS: ReadonlyMap<number, S7Function> = new Map([
  [0xf0, 'setup'],
  [0x04, 'read'],
  [0x05, 'write'],
  [0x1a, 'download'],
  [0x1b, 'download'],
  [0x1c, 'download'],
  [0x1d, 'upload'],
  [0x1e, 'upload'],
  [0x1f, 'upload'],
  [0x28, 'pi-service'],
  [0x29, 'plc-stop'],
]);

/** S7 memory areas by their S7ANY area code. */
export const S7_AREAS: ReadonlyMap<number, string> = new Map([
  [0x81, 'I'],
  [0x82, 'Q'],
  [0x83, 'M'],
  [0x84, 'DB'],
  [0x1c, 'C'],
  [0x1d, 'T'],
]);

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Frames the next TPKT: version 3, reserved 0, big-endian length including the 4-byte header. */
export function frameTpkt(bytes: Uint8Array): Frame {
  if (bytes.length >= 1 && bytes[0] !== 3) return malformed(`TPKT version ${bytes[0]} is not 3`);
  if (bytes.length >= 2 && bytes[1] !== 0) return malformed('TPKT reserved byte is not 0');
  if (bytes.length < 4) return { kind: 'partial' };
  const length = u16(bytes, 2);
  if (length < 7) return malformed(`TPKT length ${length} cannot hold COTP`);
  if (length > S7_MAX_TPKT) return malformed(`TPKT length ${length} exceeds ${S7_MAX_TPKT}`);
  return bytes.length >= length ? { kind: 'complete', length } : { kind: 'partial' };
}

function message(
  code: number,
  fn: S7Function | 'cotp',
  what: string,
  accesses: Access[] = [],
): ProtocolMessage {
  return { kind: 'message', protocol: 's7', code, function: fn, accesses, what: `S7 ${what}` };
}

/** Variable items of a read/write job: 12-byte S7ANY addresses (syntax id 0x10). */
function items(fn: 'read' | 'write', params: Uint8Array): Access[] | Malformed {
  const count = params[1] ?? 0;
  if (count === 0 || params.length < 2 + count * 12)
    return malformed(`S7 ${fn} with ${count} items in ${params.length} bytes`);
  const out: Access[] = [];
  for (let i = 0; i < count; i++) {
    const at = 2 + i * 12;
    if (params[at] !== 0x12) return malformed(`S7 ${fn} item ${i + 1} has spec type ${params[at]}`);
    if (params[at + 2] !== 0x10) {
      out.push({ op: fn, target: 'symbolic', address: 0, quantity: 0 });
      continue;
    }
    const area = S7_AREAS.get(params[at + 8] ?? 0) ?? `area-0x${(params[at + 8] ?? 0).toString(16)}`;
    const db = u16(params, at + 6);
    const bit = ((params[at + 9] ?? 0) << 16) | ((params[at + 10] ?? 0) << 8) | (params[at + 11] ?? 0);
    out.push({
      op: fn,
      target: area === 'DB' ? `DB${db}` : area,
      address: bit >> 3,
      quantity: u16(params, at + 4),
    });
  }
  return out;
}

/** PI service names: `_DELE` deletes blocks, `P_PROGRAM` starts the PLC; the rest stay `pi-service`. */
function piService(params: Uint8Array): { fn: S7Function; name: string } {
  const blockLength = u16(params, 8);
  const at = 10 + blockLength;
  const nameLength = params[at] ?? 0;
  const name = String.fromCharCode(...params.subarray(at + 1, at + 1 + nameLength)).replace(
    /[^\x20-\x7e]/g,
    '?',
  );
  if (name === '_DELE') return { fn: 'delete-block', name };
  if (name === 'P_PROGRAM') return { fn: 'plc-start', name };
  return { fn: 'pi-service', name };
}

function decodeS7Pdu(pdu: Uint8Array): ProtocolMessage | Malformed {
  if (pdu[0] === 0x72) return message(0x72, 'unknown', 'S7comm-plus (not decoded)');
  if (pdu[0] !== 0x32) return malformed(`S7 protocol id 0x${(pdu[0] ?? 0).toString(16)}`);
  const rosctr = pdu[1] ?? 0;
  const header = rosctr === 2 || rosctr === 3 ? 12 : 10;
  if (pdu.length < header) return malformed('S7 header truncated');
  const paramLength = u16(pdu, 6);
  const dataLength = u16(pdu, 8);
  if (header + paramLength + dataLength !== pdu.length)
    return malformed('S7 parameter and data lengths do not add up');
  const params = pdu.subarray(header, header + paramLength);
  if (rosctr === 1) {
    const code = params[0] ?? -1;
    const fn = JOB_FUNCTIONS.get(code);
    if (fn === undefined) return message(code, 'unknown', `job function 0x${code.toString(16)}`);
    if (fn === 'read' || fn === 'write') {
      const acc = items(fn, params);
      if (!Array.isArray(acc)) return acc;
      const where = acc.map((a) => `${a.target}.${a.address}`).join(', ');
      return message(code, fn, `${fn} variable ${where}`, acc);
    }
    if (code === 0x28) {
      const pi = piService(params);
      return message(code, pi.fn, `PI service ${pi.name}`);
    }
    return message(code, fn, fn);
  }
  if (rosctr === 7) {
    if (params.length < 8) return malformed('S7 userdata parameters truncated');
    const group = (params[5] ?? 0) & 0x0f;
    const sub = params[6] ?? 0;
    if (group === 4 && sub === 1) return message(0x4401, 'szl', 'read SZL');
    return message(0x4000 | (group << 8) | sub, 'userdata', `userdata group ${group} function ${sub}`);
  }
  if (rosctr === 2 || rosctr === 3) return message(0x300 | (params[0] ?? 0), 'cotp', 'acknowledgement');
  return malformed(`S7 ROSCTR ${rosctr}`);
}

/** True when a complete TPKT is a COTP data TPDU whose S7 PDU continues in the next one. */
function continues(tpkt: Uint8Array): boolean {
  return (tpkt[4] ?? 0) === 2 && ((tpkt[5] ?? 0) & 0xf0) === 0xf0 && ((tpkt[6] ?? 0) & 0x80) === 0;
}

/**
 * Frames one S7 message: a TPKT, or — when an S7 PDU is larger than the COTP
 * TPDU size the peers agreed — the run of DT TPKTs up to the one that ends the
 * TSDU, so the PDU is judged whole.
 */
export function frameS7(bytes: Uint8Array): Frame {
  let offset = 0;
  for (;;) {
    const f = frameTpkt(bytes.subarray(offset));
    if (f.kind !== 'complete') return f;
    const end = offset + f.length;
    if (!continues(bytes.subarray(offset, end))) return { kind: 'complete', length: end };
    if (end > S7_MAX_FRAGMENTED) return malformed(`fragmented S7 PDU over ${S7_MAX_FRAGMENTED} bytes`);
    offset = end;
  }
}

/** Decodes one framed S7 message: a single TPKT, or the DT TPKTs of one fragmented S7 PDU. */
export function decodeS7Message(bytes: Uint8Array): ProtocolMessage | Malformed {
  const first = frameTpkt(bytes);
  if (first.kind === 'complete' && first.length === bytes.length) return decodeS7(bytes);
  // Several TPKTs: every one a DT TPDU, only the last ending the TSDU; the S7 PDU is their payloads joined.
  const pieces: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const f = frameTpkt(bytes.subarray(offset));
    if (f.kind !== 'complete') return malformed('fragmented S7 PDU ends inside a TPKT');
    const tpkt = bytes.subarray(offset, offset + f.length);
    const last = offset + f.length === bytes.length;
    if ((tpkt[4] ?? 0) !== 2 || ((tpkt[5] ?? 0) & 0xf0) !== 0xf0) {
      return malformed('fragmented S7 PDU holds a TPKT that is not COTP data');
    }
    if (continues(tpkt) === last) return malformed('fragmented S7 PDU with end of TSDU out of place');
    pieces.push(tpkt.subarray(7));
    offset += f.length;
  }
  const pdu = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    pdu.set(p, at);
    at += p.length;
  }
  return decodeS7Pdu(pdu);
}

/** Decodes one framed TPKT with its COTP TPDU and, for data, the S7 PDU. */
export function decodeS7(tpkt: Uint8Array): ProtocolMessage | Malformed {
  const f = frameTpkt(tpkt);
  if (f.kind === 'malformed') return f;
  if (f.kind !== 'complete' || f.length !== tpkt.length) return malformed('not exactly one TPKT');
  const li = tpkt[4] ?? 0;
  if (li < 1 || 5 + li > tpkt.length) return malformed(`COTP length indicator ${li}`);
  const type = (tpkt[5] ?? 0) & 0xf0;
  if (type === 0xe0 || type === 0xd0 || type === 0x80) {
    const name =
      type === 0xe0 ? 'connection request' : type === 0xd0 ? 'connection confirm' : 'disconnect request';
    return message(type, 'cotp', `COTP ${name}`);
  }
  if (type !== 0xf0) return malformed(`COTP TPDU type 0x${type.toString(16)}`);
  if (li !== 2) return malformed(`COTP DT length indicator ${li}`);
  // A PDU split over several DT TPDUs is framed whole by frameS7; a lone piece is refused.
  if (((tpkt[6] ?? 0) & 0x80) === 0) return malformed('COTP DT without end of TSDU (fragmented S7 PDU)');
  return decodeS7Pdu(tpkt.subarray(7));
}

/** The function of an incomplete TPKT, once its S7 parameters begin. */
export function peekS7(prefix: Uint8Array): ProtocolMessage | undefined {
  if (prefix.length < 18 || (prefix[5] ?? 0) !== 0xf0 || prefix[7] !== 0x32 || prefix[8] !== 1)
    return undefined;
  const code = prefix[17] ?? 0;
  const fn = JOB_FUNCTIONS.get(code) ?? 'unknown';
  // PI service names are further in: a PI job can only be judged whole.
  if (code === 0x28) return undefined;
  return message(code, fn, fn);
}

/** The S7comm request codec for the stream reassembler. */
export const s7Codec: ProtocolCodec = {
  protocol: 's7',
  maxMessageBytes: S7_MAX_FRAGMENTED,
  frame: frameS7,
  decode: decodeS7Message,
  peek: peekS7,
};
