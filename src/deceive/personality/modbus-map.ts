// A decoy's Modbus data model: table sizes from its identity and plausible
// values for every address (setpoints, temperatures, pressures, run counters,
// status words, coils in realistic runs), deterministic from the identity, plus
// the writes peers made — remembered per decoy, bounded. Pure.

import { hash32 } from './seeded.js';
import type { DecoyIdentity } from './types.js';

/** The four Modbus tables. */
export type ModbusTable = 'coil' | 'discrete-input' | 'input-register' | 'holding-register';

/** Largest number of remembered writes per decoy; older ones are forgotten first. */
export const MAX_REMEMBERED_WRITES = 4096;

/** A decoy's tables: sizes, reads and remembered writes. */
export interface ModbusMap {
  size(table: ModbusTable): number;
  read(table: ModbusTable, address: number): number;
  write(table: 'coil' | 'holding-register', address: number, value: number): void;
}

/** What a block of ten registers holds, and how its values are drawn. */
const REGISTER_KINDS: readonly ((h: number, i: number) => number)[] = [
  (h) => 400 + (h % 1200), // setpoint, engineering units
  (h) => 180 + (h % 650), // temperature in 0.1 °C
  (h) => 950 + (h % 160), // pressure in mbar
  (h, i) => (i % 2 === 0 ? h % 40 : h & 0xffff), // 32-bit run counter, high word small
  (h) => [0x0001, 0x0003, 0x0011, 0x0081, 0x0000][h % 5] ?? 0, // status word
  (h) => 1480 + (h % 40), // motor speed in rpm
];

function numberField(identity: DecoyIdentity, name: string, fallback: number): number {
  const v = identity.fields[name];
  return typeof v === 'number' && v > 0 && v <= 65536 ? v : fallback;
}

/** The register map of a decoy. */
export function modbusMapOf(identity: DecoyIdentity): ModbusMap {
  const seed = hash32(`${identity.serial}/${identity.model}`);
  const registers = numberField(identity, 'holdingRegisters', 200);
  const bits = numberField(identity, 'coils', 128);
  const sizes: Record<ModbusTable, number> = {
    coil: bits,
    'discrete-input': bits,
    'input-register': registers,
    'holding-register': registers,
  };
  const writes = new Map<string, number>();
  const value = (table: ModbusTable, address: number): number => {
    const h = hash32(`${seed}/${table}/${Math.floor(address / 10)}`);
    const hi = hash32(`${seed}/${table}/${address}`);
    if (table === 'coil' || table === 'discrete-input') return (h >>> (address % 10)) & 1;
    const kind = REGISTER_KINDS[(h >>> 3) % REGISTER_KINDS.length] ?? (() => 0);
    return kind(hi, address % 10) & 0xffff;
  };
  // Drawn on a table's first read, once per decoy (not at bring-up: most decoys are never read).
  const base = new Map<ModbusTable, Uint16Array>();
  const tableOf = (t: ModbusTable): Uint16Array => {
    let values = base.get(t);
    if (values === undefined) {
      values = new Uint16Array(sizes[t]);
      for (let a = 0; a < values.length; a++) values[a] = value(t, a);
      base.set(t, values);
    }
    return values;
  };
  return {
    size: (table) => sizes[table],
    read: (table, address) =>
      (writes.size > 0 ? writes.get(`${table}/${address}`) : undefined) ?? tableOf(table)[address] ?? 0,
    write(table, address, value) {
      const key = `${table}/${address}`;
      writes.delete(key);
      writes.set(key, value);
      if (writes.size > MAX_REMEMBERED_WRITES) {
        const oldest = writes.keys().next().value;
        if (oldest !== undefined) writes.delete(oldest);
      }
    },
  };
}
