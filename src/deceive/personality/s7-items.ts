// S7comm read/write variable items: decodes the 12-byte S7ANY item addresses
// of a Read Var / Write Var job, names them the way engineers write them
// (DB1.DBB10, M20, I0, Q4) and builds the Read Var data items from plausible
// deterministic values. Pure.

import { S7_AREAS } from '../../sense/protocols/s7comm.js';
import { readU16be, u16be } from './bytes.js';
import { hash32 } from './seeded.js';

/** One S7ANY item of a variable job. */
export interface S7Item {
  readonly area: number;
  readonly db: number;
  readonly byteOffset: number;
  readonly transportSize: number;
  readonly count: number;
}

/** Bytes per element of an S7ANY transport size (BIT is sent as one byte). */
function elementBytes(transportSize: number): number {
  if (transportSize === 4 || transportSize === 5 || transportSize === 0x1c || transportSize === 0x1d)
    return 2;
  if (transportSize >= 6 && transportSize <= 8) return 4;
  return 1;
}

/** Items of a variable job's parameters (`04|05, count, items…`); undefined if they do not parse. */
export function parseItems(params: Uint8Array): S7Item[] | undefined {
  const count = params[1] ?? 0;
  if (count === 0 || count > 20 || params.length < 2 + 12 * count) return undefined;
  const items: S7Item[] = [];
  for (let i = 0; i < count; i++) {
    const at = 2 + 12 * i;
    if (params[at] !== 0x12 || params[at + 2] !== 0x10) return undefined;
    items.push({
      transportSize: params[at + 3] ?? 0,
      count: readU16be(params, at + 4),
      db: readU16be(params, at + 6),
      area: params[at + 8] ?? 0,
      byteOffset:
        (((params[at + 9] ?? 0) << 16) | ((params[at + 10] ?? 0) << 8) | (params[at + 11] ?? 0)) >>> 3,
    });
  }
  return items;
}

/** `DB1.DBB10 (4 bytes)`, `M20 (2 bytes)`. */
export function itemName(item: S7Item): string {
  const area = S7_AREAS.get(item.area) ?? `area 0x${item.area.toString(16)}`;
  const where = item.area === 0x84 ? `DB${item.db}.DBB${item.byteOffset}` : `${area}${item.byteOffset}`;
  return `${where} (${item.count * elementBytes(item.transportSize)} bytes)`;
}

/** Data blocks a decoy has: DB1..DB(n); other numbers do not exist. */
const DATA_BLOCKS = 40;
/** Payload budget of one Read Var reply within a 240-byte PDU. */
const READ_BUDGET = 200;

/**
 * Data items answering a Read Var: return code 0xFF with values, 0x0A for a
 * data block that does not exist, 0x05 when the answer would not fit the PDU.
 */
export function readItemsData(serial: string, items: readonly S7Item[]): number[] {
  const out: number[] = [];
  let budget = READ_BUDGET;
  items.forEach((item, i) => {
    const size = item.count * elementBytes(item.transportSize);
    const known = S7_AREAS.has(item.area) && (item.area !== 0x84 || (item.db >= 1 && item.db <= DATA_BLOCKS));
    if (!known) out.push(0x0a, 0x00, 0x00, 0x00);
    else if (size === 0 || size > budget) out.push(0x05, 0x00, 0x00, 0x00);
    else {
      budget -= size;
      const bit = item.transportSize === 1;
      out.push(0xff, bit ? 0x03 : 0x04, ...u16be(bit ? size : size * 8));
      for (let k = 0; k < size; k++) {
        const h = hash32(`${serial}/${item.area}/${item.db}/${item.byteOffset + k}`);
        out.push(bit ? h & 1 : (h >>> 8) & (k % 2 === 0 ? 0x0f : 0xff));
      }
      if (size % 2 === 1 && i < items.length - 1) out.push(0);
    }
  });
  return out;
}
