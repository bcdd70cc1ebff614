// IEC 60870-5-104 personality (TCP 2404) of a substation RTU: U-frames
// (STARTDT, STOPDT, TESTFR) confirmed strictly in order, the station
// interrogation answered with ActCon, a few ASDUs of single points, double
// points and floating measurements (COT 20) and ActTerm — what nmap's
// iec-identify counts — and commands (single/double/set-point, reset, clock
// sync) confirmed and noted. APDU bytes → replies + notes. IEC 60870-5-101/104,
// standard profile (2-byte COT and common address, 3-byte IOA). Pure.

import { bytesOf, exchange, readU16le, SILENCE } from './bytes.js';
import { perIdentity } from './memo.js';
import { hash32 } from './seeded.js';
import { type Framing, framedConversation } from './stream.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

const SINGLE_BASE = 1001;
const DOUBLE_BASE = 2001;
const MEASURED_BASE = 3001;

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'iec104', what: `IEC-104 ${what}`, severity };
}

/** Frames one APDU: start 0x68, length 4–253 (control field and ASDU). */
export function frameIec104(bytes: Uint8Array): Framing {
  if (bytes[0] !== undefined && bytes[0] !== 0x68)
    return { kind: 'malformed', reason: `start byte 0x${bytes[0].toString(16)} is not 0x68` };
  if (bytes.length < 2) return { kind: 'partial' };
  const length = bytes[1] ?? 0;
  if (length < 4) return { kind: 'malformed', reason: `APDU length ${length} below 4` };
  return bytes.length >= length + 2 ? { kind: 'complete', length: length + 2 } : { kind: 'partial' };
}

function ioa(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

function float(v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
}

/** The decoy's common address of ASDU. */
function commonAddress(identity: DecoyIdentity): number {
  const v = identity.fields.asduAddress;
  return typeof v === 'number' ? v & 0xffff : 1;
}

function count(identity: DecoyIdentity, name: string, fallback: number): number {
  const v = identity.fields[name];
  return typeof v === 'number' ? Math.max(1, Math.min(v, 30)) : fallback;
}

/** ASDU header: type, VSQ, COT (cause, originator), common address (little-endian). */
function header(type: number, vsq: number, cot: number, originator: number, ca: number): number[] {
  return [type, vsq, cot, originator, ca & 0xff, (ca >> 8) & 0xff];
}

/** The point values of a decoy RTU, drawn once: single points, double points, float measurements (+ QDS). */
const pointValues = perIdentity((identity) => {
  const h = hash32(`${identity.serial}/iec104`);
  const singles = Array.from({ length: count(identity, 'points', 8) }, (_, i) => (h >>> i) & 1);
  const doubles = [0, 1, 2].map((i) => (((h >>> (i + 8)) & 1) === 1 ? 2 : 1));
  const measured = Array.from({ length: count(identity, 'measurements', 6) }, (_, i) => {
    const base = [20.4, 132.1, 11.2, 48.6, 0.98, 50.0, 312.5, 7.4, 65.2][i % 9] ?? 1;
    return [...float(base * (1 + (((h >>> (i * 3)) % 7) - 3) / 200)), 0x00];
  });
  return { singles, doubles, measured: measured.flat(), measurements: measured.length };
});

/** The interrogation reply ASDUs (COT 20, sequences of objects). */
function interrogationData(identity: DecoyIdentity, ca: number, originator: number): number[][] {
  const v = pointValues(identity);
  return [
    [...header(1, 0x80 | v.singles.length, 20, originator, ca), ...ioa(SINGLE_BASE), ...v.singles],
    [...header(3, 0x80 | v.doubles.length, 20, originator, ca), ...ioa(DOUBLE_BASE), ...v.doubles],
    [...header(13, 0x80 | v.measurements, 20, originator, ca), ...ioa(MEASURED_BASE), ...v.measured],
  ];
}

const COMMANDS: ReadonlyMap<number, { name: string; severity: TouchNote['severity'] }> = new Map([
  [45, { name: 'single command', severity: 'critical' }],
  [46, { name: 'double command', severity: 'critical' }],
  [47, { name: 'regulating step command', severity: 'critical' }],
  [48, { name: 'set-point (normalised)', severity: 'critical' }],
  [49, { name: 'set-point (scaled)', severity: 'critical' }],
  [50, { name: 'set-point (float)', severity: 'critical' }],
  [101, { name: 'counter interrogation', severity: 'medium' }],
  [102, { name: 'read command', severity: 'medium' }],
  [103, { name: 'clock synchronisation', severity: 'high' }],
  [105, { name: 'reset process', severity: 'critical' }],
]);

/** An IEC-104 conversation on a decoy. */
export function openIec104(identity: DecoyIdentity): Conversation {
  let sent = 0;
  let received = 0;
  let started = false;
  const ca = commonAddress(identity);
  const iFrame = (asdu: readonly number[]): Uint8Array => {
    const frame = bytesOf([
      0x68,
      4 + asdu.length,
      (sent << 1) & 0xff,
      (sent >> 7) & 0xff,
      (received << 1) & 0xff,
      (received >> 7) & 0xff,
      ...asdu,
    ]);
    sent = (sent + 1) % 32768;
    return frame;
  };
  const uFrame = (control: number) => bytesOf([0x68, 4, control, 0, 0, 0]);

  const command = (apdu: Uint8Array): Exchange => {
    const asdu = apdu.subarray(6);
    const type = asdu[0] ?? 0;
    const cause = (asdu[2] ?? 0) & 0x3f;
    const originator = asdu[3] ?? 0;
    const address = readU16le(asdu, 4);
    const object = (asdu[6] ?? 0) | ((asdu[7] ?? 0) << 8) | ((asdu[8] ?? 0) << 16);
    const mirror = (cot: number, negative = false) =>
      iFrame([
        ...asdu.subarray(0, 2),
        cot | (negative ? 0x40 : 0),
        ...asdu.subarray(3, 4),
        ca & 0xff,
        ca >> 8,
        ...asdu.subarray(6),
      ]);
    if (address !== ca && address !== 0xffff)
      return exchange([], [note(`ASDU type ${type} for common address ${address}`, 'medium')]);
    if (type === 100) {
      const replies =
        cause === 6
          ? [mirror(7), ...interrogationData(identity, ca, originator).map(iFrame), mirror(10)]
          : [mirror(45, true)];
      return exchange(replies, [note(`general interrogation (common address ${address})`, 'medium')]);
    }
    const known = COMMANDS.get(type);
    if (known === undefined)
      return exchange([mirror(44, true)], [note(`unknown ASDU type ${type}`, 'medium')]);
    const what = `${known.name} (type ${type}) to IOA ${object}`;
    if (cause !== 6 && cause !== 8) return exchange([mirror(45, true)], [note(what, known.severity)]);
    const replies = type === 103 || type === 105 ? [mirror(7)] : [mirror(cause === 8 ? 9 : 7), mirror(10)];
    return exchange(replies, [note(cause === 8 ? `${what}, deactivation` : what, known.severity)]);
  };

  const handle = (apdu: Uint8Array): Exchange => {
    const control = apdu[2] ?? 0;
    if ((control & 0x03) === 0x03) {
      if (control & 0x04) {
        started = true;
        return exchange([uFrame(0x0b)], [note('STARTDT', 'medium')]);
      }
      if (control & 0x10) {
        started = false;
        return exchange([uFrame(0x23)], [note('STOPDT', 'medium')]);
      }
      if (control & 0x40) return exchange([uFrame(0x83)], [note('TESTFR', 'low')]);
      return SILENCE;
    }
    if ((control & 0x01) === 0x01) return SILENCE;
    received = (received + 1) % 32768;
    if (!started) return exchange([], [note('I-frame before STARTDT', 'medium')], true);
    if (apdu.length < 12) return exchange([], [note('I-frame without an ASDU', 'medium')], true);
    return command(apdu);
  };
  return framedConversation('iec104', frameIec104, handle);
}
