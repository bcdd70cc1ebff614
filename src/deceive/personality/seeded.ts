// A small deterministic pseudo-random generator for drawing identities: a
// 32-bit FNV-1a hash of a text seed feeds mulberry32. Same seed, same draws,
// on every machine. Not for secrets. Pure.

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Draws from a seeded stream. */
export interface Draw {
  /** Uniform integer in [0, 2^32). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
}

/** A generator seeded from a text seed. */
export function seededDraw(seed: string): Draw {
  let state = hash32(seed);
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (min: number, max: number): number => min + (next() % (max - min + 1));
  return {
    next,
    int,
    pick<T>(list: readonly T[]): T {
      return list[int(0, list.length - 1)] as T;
    },
  };
}

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const HEX = '0123456789ABCDEF';

/**
 * Fills a pattern: `#` a digit, `@` an upper-case letter, `%` an upper-case
 * hex digit; anything else is kept as it is.
 */
export function fillPattern(pattern: string, draw: Draw): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '#') out += draw.pick([...DIGITS]);
    else if (c === '@') out += draw.pick([...LETTERS]);
    else if (c === '%') out += draw.pick([...HEX]);
    else out += c;
  }
  return out;
}
