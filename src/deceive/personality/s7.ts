// S7comm personality of an S7-300 CPU over TPKT/COTP (RFC 1006, ISO 8073):
// COTP connect confirm for rack 0 / the CPU's slot, Setup Communication
// (PDU size negotiated down to 240 as real CPUs do), SZL reads (0x0011,
// 0x001C, 0x0424) answered so nmap's s7-info prints the identity, Read/Write
// Var, and the dangerous jobs (PLC STOP, PI service, block download/upload)
// acknowledged and noted. TPKT bytes → replies + notes. Pure.

import { frameTpkt } from '../../sense/protocols/s7comm.js';
import { bytesOf, concat, exchange, readU16be, u16be } from './bytes.js';

const EMPTY = new Uint8Array(0);

import { itemName, parseItems, readItemsData } from './s7-items.js';
import { szlAnswer } from './s7-szl.js';
import { framedConversation } from './stream.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

/** The PDU size a real S7-300 CPU negotiates down to. */
const PDU_BYTES = 240;

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 's7comm', what: `S7 ${what}`, severity };
}

/** One TPKT around a COTP data TPDU (last unit) and an S7 PDU. */
function dataTpdu(s7: readonly number[], tail: Uint8Array = EMPTY): Uint8Array {
  const head = bytesOf([3, 0, ...u16be(7 + s7.length + tail.length), 0x02, 0xf0, 0x80, ...s7]);
  return tail.length === 0 ? head : concat([head, tail]);
}

function ackData(
  ref: number,
  params: readonly number[],
  data: readonly number[] = [],
  error = 0,
): Uint8Array {
  return dataTpdu([
    0x32,
    0x03,
    0,
    0,
    ...u16be(ref),
    ...u16be(params.length),
    ...u16be(data.length),
    ...u16be(error),
    ...params,
    ...data,
  ]);
}

function userdata(ref: number, params: readonly number[], data: readonly number[]): Uint8Array {
  return dataTpdu([
    0x32,
    0x07,
    0,
    0,
    ...u16be(ref),
    ...u16be(params.length),
    ...u16be(data.length),
    ...params,
    ...data,
  ]);
}

/** COTP parameters of a CR TPDU: code → value bytes. */
function cotpParameters(frame: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const end = Math.min(frame.length, 5 + (frame[4] ?? 0));
  let at = 11;
  while (at + 2 <= end) {
    const length = frame[at + 1] ?? 0;
    out.set(frame[at] ?? 0, frame.subarray(at + 2, Math.min(end, at + 2 + length)));
    at += 2 + length;
  }
  return out;
}

function connect(identity: DecoyIdentity, frame: Uint8Array): Exchange {
  const params = cotpParameters(frame);
  const called = params.get(0xc2) ?? new Uint8Array(0);
  const calling = params.get(0xc1) ?? bytesOf([1, 0]);
  const slot = Number(identity.fields.slot ?? 2);
  const tsap = readU16be(called, 0);
  const what = `COTP connect to TSAP 0x${tsap.toString(16).padStart(4, '0')}`;
  // Connection types 1 (PG), 2 (OP), 3 (S7 basic) to rack 0 and the CPU's slot.
  const accepted = called.length === 2 && [1, 2, 3].includes(called[0] ?? 0) && (called[1] ?? 0) === slot;
  if (!accepted) {
    const dr = bytesOf([3, 0, 0, 11, 6, 0x80, frame[8] ?? 0, frame[9] ?? 0, 0x00, 0x03, 0x00]);
    return exchange([dr], [note(`${what} refused`, 'low')], true);
  }
  const size = params.get(0xc0)?.[0] ?? 0x0a;
  const cc = bytesOf([
    3,
    0,
    0,
    22,
    17,
    0xd0,
    frame[8] ?? 0,
    frame[9] ?? 0,
    0x00,
    0x03,
    0x00,
    0xc0,
    1,
    Math.min(size, 0x0a),
    0xc1,
    2,
    calling[0] ?? 1,
    calling[1] ?? 0,
    0xc2,
    2,
    called[0] ?? 1,
    called[1] ?? 0,
  ]);
  return exchange([cc], [note(what, 'low')]);
}

function setup(ref: number, params: Uint8Array): Exchange {
  const asked = readU16be(params, 6) || PDU_BYTES;
  const reply = [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, ...u16be(Math.min(asked, PDU_BYTES))];
  return exchange([ackData(ref, reply)], [note('Setup Communication', 'low')]);
}

function piService(ref: number, params: Uint8Array): Exchange {
  const blockLength = readU16be(params, 8);
  const nameAt = 10 + blockLength;
  const name = String.fromCharCode(
    ...params.subarray(nameAt + 1, nameAt + 1 + (params[nameAt] ?? 0)),
  ).replace(/[^\x20-\x7e]/g, '?');
  const argument = String.fromCharCode(...params.subarray(10, nameAt)).replace(/[^\x20-\x7e]/g, '.');
  const meaning: Record<string, string> = {
    P_PROGRAM: 'PLC start (P_PROGRAM)',
    _INSE: 'insert block (_INSE)',
    _DELE: 'delete block (_DELE)',
    _GARB: 'compress memory (_GARB)',
    _MODU: 'copy RAM to ROM (_MODU)',
  };
  const what = `PI service: ${meaning[name] ?? name}${argument ? ` [${argument}]` : ''}`;
  return exchange([ackData(ref, [0x28])], [note(what, 'critical')]);
}

function job(identity: DecoyIdentity, ref: number, params: Uint8Array, data: Uint8Array): Exchange {
  const fn = params[0] ?? 0;
  switch (fn) {
    case 0xf0:
      return setup(ref, params);
    case 0x04: {
      const items = parseItems(params);
      if (items === undefined)
        return exchange([ackData(ref, [], [], 0x8500)], [note('Read Var with bad items', 'medium')]);
      const what = `Read Var ${items.map(itemName).join(', ')}`;
      return exchange(
        [ackData(ref, [0x04, items.length], readItemsData(identity.serial, items))],
        [note(what, 'medium')],
      );
    }
    case 0x05: {
      const items = parseItems(params);
      if (items === undefined)
        return exchange([ackData(ref, [], [], 0x8500)], [note('Write Var with bad items', 'high')]);
      const what = `Write Var ${items.map(itemName).join(', ')} (${data.length} data bytes)`;
      return exchange(
        [
          ackData(
            ref,
            [0x05, items.length],
            items.map(() => 0xff),
          ),
        ],
        [note(what, 'high')],
      );
    }
    case 0x1a:
    case 0x1b:
    case 0x1c:
      return exchange(
        [ackData(ref, [fn])],
        [note(`block download (function 0x${fn.toString(16)})`, 'critical')],
      );
    case 0x1d:
    case 0x1e:
    case 0x1f:
      return exchange(
        [ackData(ref, [], [], 0x8104)],
        [note(`block upload (function 0x${fn.toString(16)})`, 'high')],
      );
    case 0x28:
      return piService(ref, params);
    case 0x29:
      return exchange([ackData(ref, [0x29])], [note('PLC STOP', 'critical')]);
    default:
      return exchange([ackData(ref, [], [], 0x8104)], [note(`job function 0x${fn.toString(16)}`, 'medium')]);
  }
}

/** Userdata: CPU functions (group 4) read SZL answered; anything else "not implemented". */
function userdataRequest(
  identity: DecoyIdentity,
  ref: number,
  seq: number,
  params: Uint8Array,
  data: Uint8Array,
): Exchange {
  const group = (params[5] ?? 0) & 0x0f;
  const subfunction = params[6] ?? 0;
  const head = (error: number) => [
    0x00,
    0x01,
    0x12,
    0x08,
    0x12,
    0x80 | group,
    subfunction,
    seq,
    0x00,
    0x00,
    ...u16be(error),
  ];
  if (group !== 4 || subfunction !== 1) {
    const what = `userdata group ${group} subfunction ${subfunction}`;
    return exchange([userdata(ref, head(0x8104), [0x0a, 0x00, 0x00, 0x00])], [note(what, 'medium')]);
  }
  const id = readU16be(data, 4);
  const index = readU16be(data, 6);
  const what = `read SZL 0x${id.toString(16).padStart(4, '0')} index 0x${index.toString(16).padStart(4, '0')}`;
  const answer = szlAnswer(identity, id);
  if (answer === undefined)
    return exchange([userdata(ref, head(0xd401), [0x0a, 0x00, 0x00, 0x00])], [note(what, 'low')]);
  const records = answer.bytes;
  const list = [0xff, 0x09, ...u16be(8 + records.length), ...u16be(id), ...u16be(index)];
  list.push(...u16be(answer.recordBytes), ...u16be(answer.records.length));
  const ack = head(0);
  const dataLength = list.length + records.length;
  const s7 = [0x32, 0x07, 0, 0, ...u16be(ref), ...u16be(ack.length), ...u16be(dataLength), ...ack, ...list];
  return exchange([dataTpdu(s7, records)], [note(what, 'low')]);
}

/** An S7comm conversation on a decoy. */
export function openS7(identity: DecoyIdentity): Conversation {
  let connected = false;
  let seq = 0;
  const handle = (frame: Uint8Array): Exchange => {
    const type = (frame[5] ?? 0) & 0xf0;
    if (type === 0xe0) {
      const answer = connect(identity, frame);
      connected = !answer.close;
      return answer;
    }
    if (type !== 0xf0 || !connected)
      return exchange([], [note(`COTP TPDU 0x${type.toString(16)} out of place`, 'low')], true);
    const s7 = frame.subarray(5 + (frame[4] ?? 0));
    if (s7[0] === 0x72)
      return exchange([], [note('S7comm-plus request (S7-1200/1500 protocol)', 'medium')], true);
    if (s7[0] !== 0x32 || s7.length < 10)
      return exchange([], [note('COTP data without an S7 header', 'medium')], true);
    const rosctr = s7[1] ?? 0;
    const ref = readU16be(s7, 4);
    const paramLength = readU16be(s7, 6);
    const params = s7.subarray(10, 10 + paramLength);
    const data = s7.subarray(10 + paramLength, 10 + paramLength + readU16be(s7, 8));
    if (rosctr === 1) return job(identity, ref, params, data);
    if (rosctr === 7) {
      seq = (seq % 255) + 1;
      return userdataRequest(identity, ref, seq, params, data);
    }
    return exchange([], [note(`PDU type ${rosctr} from a client`, 'low')], rosctr > 7);
  };
  return framedConversation('s7comm', frameTpkt, handle);
}
