// The growing byte buffer behind every stream conversation behaves like a
// plain array under any sequence of appends and drops.

import { describe, expect, it } from 'vitest';
import { byteBuffer } from './bytes.js';
import { seededDraw } from './seeded.js';

describe('byteBuffer', () => {
  it('matches a plain array through 10^4 random appends, drops and clears', () => {
    const draw = seededDraw('byte-buffer');
    const buffer = byteBuffer();
    let model: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const op = draw.int(0, 9);
      if (op < 5) {
        const bytes = Uint8Array.from({ length: draw.int(0, 300) }, () => draw.next() & 0xff);
        buffer.append(bytes);
        model.push(...bytes);
      } else if (op < 9) {
        const n = draw.int(0, 200);
        buffer.drop(n);
        model = model.slice(n);
      } else {
        buffer.clear();
        model = [];
      }
      expect(buffer.length).toBe(model.length);
      if (i % 97 === 0) expect([...buffer.view()]).toEqual(model);
    }
  });
});
