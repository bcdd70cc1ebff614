// Modbus/TCP personality: answers reads and writes of the four tables (FC1–6,
// 15, 16, 22, 23) from the decoy's register map (writes remembered), Report
// Server ID (FC17, what modbus-discover sends first) and Read Device
// Identification (FC43/14) with the decoy's identity, exceptions for bad
// functions, addresses and values.
// ADU bytes → reply ADU + touch notes. Modbus Application Protocol V1.1b3. Pure.

import { frameModbus } from '../../sense/protocols/modbus.js';
import { ascii, bytesOf, exchange, readU16be, u16be } from './bytes.js';
import { perIdentity } from './memo.js';
import type { ModbusMap, ModbusTable } from './modbus-map.js';
import { framedConversation } from './stream.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

const ILLEGAL_FUNCTION = 1;
const ILLEGAL_ADDRESS = 2;
const ILLEGAL_VALUE = 3;

/** A PDU to send back and what the request was, in words. */
interface Answer {
  readonly pdu: readonly number[];
  readonly note: TouchNote;
}

const LABEL: Readonly<Record<ModbusTable, { one: string; many: string; reference: number }>> = {
  coil: { one: 'coil', many: 'coils', reference: 1 },
  'discrete-input': { one: 'discrete input', many: 'discrete inputs', reference: 10001 },
  'input-register': { one: 'input register', many: 'input registers', reference: 30001 },
  'holding-register': { one: 'holding register', many: 'holding registers', reference: 40001 },
};

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'modbus', what: `Modbus ${what}`, severity };
}

function failure(fc: number, code: number, what: string, severity: TouchNote['severity'] = 'medium'): Answer {
  return { pdu: [fc | 0x80, code], note: note(what, severity) };
}

function inRange(map: ModbusMap, table: ModbusTable, address: number, quantity: number): boolean {
  return address + quantity <= map.size(table);
}

function readBits(map: ModbusMap, fc: number, table: ModbusTable, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const quantity = readU16be(pdu, 3);
  const what = `read of ${quantity} ${LABEL[table].many} from ${address}`;
  if (pdu.length !== 5 || quantity < 1 || quantity > 2000) return failure(fc, ILLEGAL_VALUE, what);
  if (!inRange(map, table, address, quantity)) return failure(fc, ILLEGAL_ADDRESS, what);
  const packed = new Array<number>(Math.ceil(quantity / 8)).fill(0);
  for (let i = 0; i < quantity; i++) {
    if (map.read(table, address + i)) packed[i >> 3] = (packed[i >> 3] ?? 0) | (1 << (i & 7));
  }
  return { pdu: [fc, packed.length, ...packed], note: note(what, 'medium') };
}

function registerValues(map: ModbusMap, table: ModbusTable, address: number, quantity: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < quantity; i++) out.push(...u16be(map.read(table, address + i)));
  return out;
}

function readRegisters(map: ModbusMap, fc: number, table: ModbusTable, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const quantity = readU16be(pdu, 3);
  const what = `read of ${quantity} ${LABEL[table].many} from ${address}`;
  if (pdu.length !== 5 || quantity < 1 || quantity > 125) return failure(fc, ILLEGAL_VALUE, what);
  if (!inRange(map, table, address, quantity)) return failure(fc, ILLEGAL_ADDRESS, what);
  const values = registerValues(map, table, address, quantity);
  return { pdu: [fc, values.length, ...values], note: note(what, 'medium') };
}

function writeCoil(map: ModbusMap, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const value = readU16be(pdu, 3);
  const what = `write to coil ${address + 1} (${value === 0xff00 ? 'ON' : value === 0 ? 'OFF' : `0x${value.toString(16)}`})`;
  if (pdu.length !== 5 || (value !== 0xff00 && value !== 0)) return failure(5, ILLEGAL_VALUE, what, 'high');
  if (!inRange(map, 'coil', address, 1)) return failure(5, ILLEGAL_ADDRESS, what, 'high');
  map.write('coil', address, value ? 1 : 0);
  return { pdu: [...pdu], note: note(what, 'high') };
}

function writeRegister(map: ModbusMap, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const value = readU16be(pdu, 3);
  const what = `write to holding register ${address + 40001} (value ${value})`;
  if (pdu.length !== 5) return failure(6, ILLEGAL_VALUE, what, 'high');
  if (!inRange(map, 'holding-register', address, 1)) return failure(6, ILLEGAL_ADDRESS, what, 'high');
  map.write('holding-register', address, value);
  return { pdu: [...pdu], note: note(what, 'high') };
}

/** FC22: register := (register AND and-mask) OR (or-mask AND NOT and-mask). */
function maskWriteRegister(map: ModbusMap, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const and = readU16be(pdu, 3);
  const or = readU16be(pdu, 5);
  const what = `mask write to holding register ${address + 40001} (and 0x${and.toString(16)}, or 0x${or.toString(16)})`;
  if (pdu.length !== 7) return failure(22, ILLEGAL_VALUE, what, 'high');
  if (!inRange(map, 'holding-register', address, 1)) return failure(22, ILLEGAL_ADDRESS, what, 'high');
  map.write(
    'holding-register',
    address,
    (map.read('holding-register', address) & and) | (or & ~and & 0xffff),
  );
  return { pdu: [...pdu], note: note(what, 'high') };
}

function writeCoils(map: ModbusMap, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const quantity = readU16be(pdu, 3);
  const count = pdu[5] ?? 0;
  const what = `write of ${quantity} coils from ${address + 1}`;
  if (quantity < 1 || quantity > 1968 || count !== Math.ceil(quantity / 8) || pdu.length !== 6 + count)
    return failure(15, ILLEGAL_VALUE, what, 'high');
  if (!inRange(map, 'coil', address, quantity)) return failure(15, ILLEGAL_ADDRESS, what, 'high');
  for (let i = 0; i < quantity; i++)
    map.write('coil', address + i, ((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1);
  return { pdu: [...pdu.subarray(0, 5)], note: note(what, 'high') };
}

function storeRegisters(
  map: ModbusMap,
  pdu: Uint8Array,
  address: number,
  quantity: number,
  at: number,
): number[] {
  const values: number[] = [];
  for (let i = 0; i < quantity; i++) {
    const value = readU16be(pdu, at + 2 * i);
    map.write('holding-register', address + i, value);
    values.push(value);
  }
  return values;
}

function shortList(values: readonly number[]): string {
  return values.length > 8 ? `${values.slice(0, 8).join(', ')}, …` : values.join(', ');
}

function writeRegisters(map: ModbusMap, pdu: Uint8Array): Answer {
  const address = readU16be(pdu, 1);
  const quantity = readU16be(pdu, 3);
  const count = pdu[5] ?? 0;
  const what = `write of ${quantity} holding registers from ${address + 40001}`;
  if (quantity < 1 || quantity > 123 || count !== 2 * quantity || pdu.length !== 6 + count)
    return failure(16, ILLEGAL_VALUE, what, 'high');
  if (!inRange(map, 'holding-register', address, quantity)) return failure(16, ILLEGAL_ADDRESS, what, 'high');
  const values = storeRegisters(map, pdu, address, quantity, 6);
  return { pdu: [...pdu.subarray(0, 5)], note: note(`${what} (values ${shortList(values)})`, 'high') };
}

function readWriteRegisters(map: ModbusMap, pdu: Uint8Array): Answer {
  const readAddress = readU16be(pdu, 1);
  const readQuantity = readU16be(pdu, 3);
  const writeAddress = readU16be(pdu, 5);
  const writeQuantity = readU16be(pdu, 7);
  const count = pdu[9] ?? 0;
  const what = `read/write: read ${readQuantity} holding registers from ${readAddress}, write ${writeQuantity} from ${writeAddress + 40001}`;
  if (
    readQuantity < 1 ||
    readQuantity > 125 ||
    writeQuantity < 1 ||
    writeQuantity > 121 ||
    count !== 2 * writeQuantity ||
    pdu.length !== 10 + count
  )
    return failure(23, ILLEGAL_VALUE, what, 'high');
  if (
    !inRange(map, 'holding-register', readAddress, readQuantity) ||
    !inRange(map, 'holding-register', writeAddress, writeQuantity)
  )
    return failure(23, ILLEGAL_ADDRESS, what, 'high');
  const values = storeRegisters(map, pdu, writeAddress, writeQuantity, 10);
  const read = registerValues(map, 'holding-register', readAddress, readQuantity);
  return { pdu: [23, read.length, ...read], note: note(`${what} (values ${shortList(values)})`, 'high') };
}

/** Device identification objects 0x00–0x06 (basic: 0–2, regular: 3–6) as `[id, length, value…]`. */
const identificationObjects = perIdentity((identity): readonly (readonly number[])[] => {
  const text = (name: string, fallback: string) => String(identity.fields[name] ?? fallback);
  return [
    identity.vendor,
    identity.model,
    identity.firmware,
    text('vendorUrl', 'http://www.schneider-electric.com'),
    text('productName', identity.model),
    identity.model,
    text('application', identity.hostname),
  ].map((value, id) => {
    const bytes = ascii(value).slice(0, 80);
    return [id, bytes.length, ...bytes];
  });
});

function readDeviceId(identity: DecoyIdentity, pdu: Uint8Array): Answer {
  const code = pdu[2] ?? 0;
  const requested = pdu[3] ?? 0;
  const what = `Read Device Identification (code ${code}, object ${requested})`;
  if (pdu.length !== 4 || code < 1 || code > 4) return failure(0x2b, ILLEGAL_VALUE, what);
  if (code === 4 && requested > 6) return failure(0x2b, ILLEGAL_ADDRESS, what);
  // Basic (1) ends at object 2, regular (2) and extended (3) at 6; a request outside its category starts at 0.
  const last = code === 4 ? requested : code === 1 ? 2 : 6;
  const first = code === 4 || requested <= last ? requested : 0;
  const objects = identificationObjects(identity);
  const reply: number[] = [0x2b, 0x0e, code, 0x82, 0, 0, last - first + 1];
  for (let id = first; id <= last; id++) for (const b of objects[id] ?? []) reply.push(b);
  return { pdu: reply, note: note(what, 'medium') };
}

function reportServerId(identity: DecoyIdentity): Answer {
  const unit = Number(identity.fields.unitId ?? 1) & 0xff;
  const data = [unit, 0xff, ...ascii(`${identity.model} ${identity.firmware}`).slice(0, 64)];
  return { pdu: [0x11, data.length, ...data], note: note('Report Server ID (FC17)', 'medium') };
}

function diagnostics(pdu: Uint8Array): Answer {
  const sub = readU16be(pdu, 1);
  const what = `diagnostics sub-function ${sub} (FC8)`;
  if (sub !== 0 || pdu.length < 3) return failure(8, ILLEGAL_FUNCTION, what);
  return { pdu: [...pdu], note: note(what, 'medium') };
}

/** The answer to one request PDU (function code first). */
export function answerModbusPdu(identity: DecoyIdentity, map: ModbusMap, pdu: Uint8Array): Answer {
  const fc = pdu[0] ?? 0;
  switch (fc) {
    case 1:
      return readBits(map, fc, 'coil', pdu);
    case 2:
      return readBits(map, fc, 'discrete-input', pdu);
    case 3:
      return readRegisters(map, fc, 'holding-register', pdu);
    case 4:
      return readRegisters(map, fc, 'input-register', pdu);
    case 5:
      return writeCoil(map, pdu);
    case 6:
      return writeRegister(map, pdu);
    case 8:
      return diagnostics(pdu);
    case 15:
      return writeCoils(map, pdu);
    case 16:
      return writeRegisters(map, pdu);
    case 17:
      return reportServerId(identity);
    case 22:
      return maskWriteRegister(map, pdu);
    case 23:
      return readWriteRegisters(map, pdu);
    case 43:
      if (pdu[1] === 0x0e) return readDeviceId(identity, pdu);
      return failure(fc, ILLEGAL_FUNCTION, `encapsulated interface ${pdu[1] ?? 0} (FC43)`);
    case 90:
      return failure(
        fc,
        ILLEGAL_FUNCTION,
        `UMAS request (FC90, sub-function 0x${(pdu[2] ?? 0).toString(16)})`,
        'high',
      );
    default:
      return failure(fc & 0x7f, ILLEGAL_FUNCTION, `unsupported function ${fc}`);
  }
}

/** One ADU in (framed, MBAP protocol id 0), one ADU out. */
function answerAdu(identity: DecoyIdentity, map: ModbusMap, adu: Uint8Array): Exchange {
  const answer = answerModbusPdu(identity, map, adu.subarray(7));
  const reply = bytesOf([
    adu[0] ?? 0,
    adu[1] ?? 0,
    0,
    0,
    ...u16be(answer.pdu.length + 1),
    adu[6] ?? 0,
    ...answer.pdu,
  ]);
  return exchange([reply], [answer.note]);
}

/** A Modbus/TCP conversation on a decoy. */
export function openModbus(identity: DecoyIdentity, map: ModbusMap): Conversation {
  return framedConversation('modbus', frameModbus, (adu) => answerAdu(identity, map, adu));
}
