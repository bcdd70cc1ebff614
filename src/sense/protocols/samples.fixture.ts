// Builders of well-formed protocol frames for the codec tests: a Modbus ADU,
// an S7 job in TPKT/COTP DT, a DNP3 link frame with its CRCs. Pure.

import { dnp3Crc } from './dnp3.js';

/** A Modbus/TCP ADU: MBAP (transaction, protocol 0, length, unit) + PDU. */
export function modbusAdu(transaction: number, unit: number, pdu: readonly number[]): Uint8Array {
  const length = pdu.length + 1;
  return Uint8Array.from([
    transaction >> 8,
    transaction & 255,
    0,
    0,
    length >> 8,
    length & 255,
    unit,
    ...pdu,
  ]);
}

/** An S7comm job (ROSCTR 1) with the given parameters and data, in TPKT + COTP DT. */
export function s7Job(params: readonly number[], data: readonly number[] = []): Uint8Array {
  const s7 = [
    0x32,
    1,
    0,
    0,
    0,
    1,
    params.length >> 8,
    params.length & 255,
    data.length >> 8,
    data.length & 255,
    ...params,
    ...data,
  ];
  const length = 7 + s7.length;
  return Uint8Array.from([3, 0, length >> 8, length & 255, 2, 0xf0, 0x80, ...s7]);
}

/** A TPKT with a COTP connection request. */
export function cotpConnect(): Uint8Array {
  return Uint8Array.from([3, 0, 0, 22, 17, 0xe0, 0, 0, 0, 1, 0, 0xc0, 1, 10, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2]);
}

/** A DNP3 link frame (primary, unconfirmed user data) carrying `user` bytes (transport + application). */
export function dnp3Frame(source: number, destination: number, user: readonly number[]): Uint8Array {
  const header = Uint8Array.from([
    5,
    0x64,
    user.length + 5,
    0xc4,
    destination & 255,
    destination >> 8,
    source & 255,
    source >> 8,
  ]);
  const out: number[] = [...header, 0, 0];
  const crc = dnp3Crc(header, 0, 8);
  out[8] = crc & 255;
  out[9] = crc >> 8;
  for (let i = 0; i < user.length; i += 16) {
    const block = Uint8Array.from(user.slice(i, i + 16));
    const c = dnp3Crc(block, 0, block.length);
    out.push(...block, c & 255, c >> 8);
  }
  return Uint8Array.from(out);
}

/** `job` (one TPKT built by s7Job) as its S7 PDU split over DT TPKTs after `at` PDU bytes; only the last ends the TSDU. */
export function s7Fragments(job: Uint8Array, at: number): [Uint8Array, Uint8Array] {
  const pdu = job.subarray(7);
  const piece = (bytes: Uint8Array, last: boolean) => {
    const length = 7 + bytes.length;
    return Uint8Array.from([3, 0, length >> 8, length & 255, 2, 0xf0, last ? 0x80 : 0x00, ...bytes]);
  };
  return [piece(pdu.subarray(0, at), false), piece(pdu.subarray(at), true)];
}
