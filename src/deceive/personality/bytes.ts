// Small byte builders and readers shared by the personalities: big- and
// little-endian integers, ASCII text, concatenation, hex for notes, and the
// empty/closing exchanges. Pure.

import { concatBytes } from '../../net/netlink-codec.js';
import type { Exchange, TouchNote } from './types.js';

/** Bytes of a list of numbers (each taken modulo 256). */
export function bytesOf(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] ?? 0) & 0xff;
  return out;
}

/** Big-endian u16 as two numbers. */
export function u16be(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

/** Little-endian u16 as two numbers. */
export function u16le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** Little-endian u32 as four numbers. */
export function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Big-endian u32 as four numbers. */
export function u32be(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** ASCII codes of a string (non-ASCII characters become '?'). */
export function ascii(text: string): number[] {
  const out = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[i] = code < 0x80 ? code : 0x3f;
  }
  return out;
}

/** Text padded with `pad` or cut to exactly `size` ASCII bytes. */
export function fixedAscii(text: string, size: number, pad = 0x20): number[] {
  const out = ascii(text).slice(0, size);
  while (out.length < size) out.push(pad);
  return out;
}

/** Reads a big-endian u16 (missing bytes read as 0). */
export function readU16be(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Reads a little-endian u16 (missing bytes read as 0). */
export function readU16le(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

/** Concatenates byte arrays (net's, under the short name the personalities use). */
export const concat = concatBytes;

/** Up to `max` bytes as lower-case hex, with an ellipsis when cut. */
export function hexOf(b: Uint8Array, max = 16): string {
  const shown = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join('');
  return b.length > max ? `${shown}…` : shown;
}

/** Nothing to say, connection stays open. */
export const SILENCE: Exchange = { replies: [], notes: [], close: false };

/** An exchange built from replies and notes. */
export function exchange(
  replies: readonly Uint8Array[],
  notes: readonly TouchNote[] = [],
  close = false,
): Exchange {
  return { replies, notes, close };
}

/** A growing byte buffer: appends in amortised constant time, drops consumed bytes from the front. */
export interface ByteBuffer {
  readonly length: number;
  append(bytes: Uint8Array): void;
  /** The buffered bytes (a view, valid until the next append or drop). */
  view(): Uint8Array;
  drop(count: number): void;
  clear(): void;
}

/** An empty ByteBuffer. Dropping only moves a start offset; bytes are moved down when room is needed. */
export function byteBuffer(): ByteBuffer {
  let data = new Uint8Array(0);
  let start = 0;
  let end = 0;
  return {
    get length() {
      return end - start;
    },
    append(bytes) {
      if (end + bytes.length > data.length) {
        const size = end - start;
        if (size + bytes.length <= data.length) {
          data.copyWithin(0, start, end);
        } else {
          const grown = new Uint8Array(Math.max(data.length * 2, size + bytes.length, 256));
          grown.set(data.subarray(start, end));
          data = grown;
        }
        start = 0;
        end = size;
      }
      data.set(bytes, end);
      end += bytes.length;
    },
    view: () => data.subarray(start, end),
    drop(count) {
      start = Math.min(end, start + count);
      if (start === end) start = end = 0;
    },
    clear() {
      start = end = 0;
      if (data.length > 4096) data = new Uint8Array(0);
    },
  };
}
