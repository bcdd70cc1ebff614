// DNP3 link layer for the outstation decoy: reads the user data of a framed
// link frame (block CRCs checked) and builds reply frames (header and every
// 16-byte block followed by its CRC). IEEE 1815-2012 clause 9. Pure.

import { dnp3Crc } from '../../sense/protocols/dnp3.js';
import { bytesOf, readU16le, u16le } from './bytes.js';

/** Link header fields of a received frame. */
export interface LinkHeader {
  readonly control: number;
  readonly destination: number;
  readonly source: number;
}

export function linkHeader(frame: Uint8Array): LinkHeader {
  return { control: frame[3] ?? 0, destination: readU16le(frame, 4), source: readU16le(frame, 6) };
}

/** User data of a complete frame with the block CRCs removed; undefined on a CRC mismatch. */
export function linkUserData(frame: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(Math.max(0, (frame[2] ?? 0) - 5));
  let at = 10;
  for (let copied = 0; copied < out.length; ) {
    const n = Math.min(16, out.length - copied);
    if (at + n + 2 > frame.length) return undefined;
    if (dnp3Crc(frame, at, at + n) !== readU16le(frame, at + n)) return undefined;
    out.set(frame.subarray(at, at + n), copied);
    copied += n;
    at += n + 2;
  }
  return out;
}

function withCrc(bytes: readonly number[]): number[] {
  return [...bytes, ...u16le(dnp3Crc(Uint8Array.from(bytes), 0, bytes.length))];
}

/** A link frame from `source` to `destination` with up to 250 bytes of user data. */
export function linkFrame(
  control: number,
  destination: number,
  source: number,
  user: readonly number[] = [],
): Uint8Array {
  const out = withCrc([0x05, 0x64, 5 + user.length, control, ...u16le(destination), ...u16le(source)]);
  for (let at = 0; at < user.length; at += 16) out.push(...withCrc(user.slice(at, at + 16)));
  return bytesOf(out);
}
