// The system status lists (SZL) an S7-300 decoy answers: module identification
// (0x0011: order number, hardware, firmware, boot loader — the records nmap's
// s7-info reads by fixed offsets), component identification (0x001C: system
// name, module name, plant, copyright, serial, module type) and the CPU state
// (0x0424: RUN). Values from the decoy's identity; layouts as real CPU 315-2
// PN/DP answers in the public captures. Pure.

import { fixedAscii, u16be } from './bytes.js';
import { perIdentity } from './memo.js';
import { hash32 } from './seeded.js';
import type { DecoyIdentity } from './types.js';

/** One SZL answer: record size and records (the list header is added by the caller). */
export interface SzlAnswer {
  readonly recordBytes: number;
  readonly records: readonly (readonly number[])[];
}

/** An SZL answer with its records laid out as bytes once. */
export interface SzlList extends SzlAnswer {
  readonly bytes: Uint8Array;
}

function laidOut(answer: SzlAnswer): SzlList {
  return { ...answer, bytes: Uint8Array.from(answer.records.flat()) };
}

/** `V3.2.7` → [3, 2, 7] (missing parts are 0). */
export function versionDigits(firmware: string): [number, number, number] {
  const parts = firmware.replace(/^[^0-9]*/, '').split('.');
  const n = (i: number) => Math.min(255, Number.parseInt(parts[i] ?? '0', 10) || 0);
  return [n(0), n(1), n(2)];
}

function text(identity: DecoyIdentity, name: string, fallback: string): string {
  const v = identity.fields[name];
  return typeof v === 'string' ? v : fallback;
}

/** SZL 0x0011: all four identification records, whatever index was asked (as real CPUs do). */
function moduleIdentification(identity: DecoyIdentity): SzlAnswer {
  const order = text(identity, 'orderNumber', '6ES7 315-2EH14-0AB0');
  const [major, minor, patch] = versionDigits(identity.firmware);
  return {
    recordBytes: 28,
    records: [
      [0x00, 0x01, ...fixedAscii(order, 20), 0x00, 0xc0, 0x00, 0x03, 0x00, 0x01],
      [0x00, 0x06, ...fixedAscii(order, 20), 0x00, 0xc0, 0x00, 0x03, 0x00, 0x01],
      [0x00, 0x07, ...fixedAscii('', 20), 0x00, 0xc0, 0x56, major, minor, patch],
      [0x00, 0x81, ...fixedAscii('Boot Loader', 20), 0x00, 0x00, 0x41, 0x20, 0x09, 0x09],
    ],
  };
}

/** SZL 0x001C: the records that fit one 240-byte PDU; strings NUL-padded (nmap reads z-strings). */
function componentIdentification(identity: DecoyIdentity): SzlAnswer {
  const record = (index: number, value: string) => [
    ...u16be(index),
    ...fixedAscii(value.slice(0, 31), 32, 0),
  ];
  return {
    recordBytes: 34,
    records: [
      record(1, text(identity, 'systemName', 'S7300/ET200M station_1')),
      record(2, text(identity, 'moduleName', 'PLC_1')),
      record(3, identity.plantName),
      record(4, text(identity, 'copyright', 'Original Siemens Equipment')),
      record(5, identity.serial),
      record(7, identity.model),
    ],
  };
}

function bcd(v: number): number {
  return ((Math.floor(v / 10) % 10) << 4) | (v % 10);
}

/** SZL 0x0424: one record, CPU in RUN since a past moment drawn from the identity. */
function cpuState(identity: DecoyIdentity): SzlAnswer {
  const h = hash32(`${identity.serial}/since`);
  const since = [
    bcd(19 + (h % 6)),
    bcd(1 + ((h >>> 3) % 12)),
    bcd(1 + ((h >>> 7) % 28)),
    bcd((h >>> 12) % 24),
    bcd((h >>> 17) % 60),
    bcd((h >>> 23) % 60),
    bcd((h >>> 5) % 100),
    ((((h >>> 9) % 10) << 4) | (1 + ((h >>> 14) % 7))) & 0xff,
  ];
  return { recordBytes: 20, records: [[0x51, 0x44, 0xff, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, ...since]] };
}

const lists = perIdentity((identity) => ({
  17: laidOut(moduleIdentification(identity)),
  28: laidOut(componentIdentification(identity)),
  1060: laidOut(cpuState(identity)),
}));

/** The answer for an SZL id, or undefined when the decoy has no such list. */
export function szlAnswer(identity: DecoyIdentity, id: number): SzlList | undefined {
  const all = lists(identity);
  return id === 0x0011 ? all[0x0011] : id === 0x001c ? all[0x001c] : id === 0x0424 ? all[0x0424] : undefined;
}
