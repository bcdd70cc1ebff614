// Fuzzing the codecs: 10^5 seeded inputs each — random bytes, and valid frames
// with flipped bits, cut short, or with corrupted length fields — through the
// framer, the decoder, the peek and the reassembly stream. Nothing may throw,
// and every frame a framer calls complete fits the protocol's maximum.

import { describe, expect, it } from 'vitest';
import { createFlowStream, judgeSegment } from '../../decide/protocol-stream.js';
import { dnp3Codec } from './dnp3.js';
import type { ProtocolCodec } from './frame.js';
import { modbusCodec } from './modbus.js';
import { s7Codec } from './s7comm.js';
import { dnp3Frame, modbusAdu, s7Job } from './samples.fixture.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS: Record<string, readonly Uint8Array[]> = {
  modbus: [
    modbusAdu(1, 1, [3, 0, 0, 0, 10]),
    modbusAdu(2, 1, [16, 0, 0, 0, 2, 4, 0, 1, 0, 2]),
    modbusAdu(3, 1, [23, 0, 0, 0, 2, 0, 10, 0, 1, 2, 0, 5]),
    modbusAdu(4, 1, [43, 14, 1, 0]),
  ],
  s7: [
    s7Job([0xf0, 0, 0, 1, 0, 1, 3, 0xc0]),
    s7Job([0x04, 1, 0x12, 0x0a, 0x10, 2, 0, 4, 0, 1, 0x84, 0, 0, 0]),
    s7Job([0x29, 0, 0, 0, 0, 0, 9, 0x50, 0x5f, 0x50, 0x52, 0x4f, 0x47, 0x52, 0x41, 0x4d]),
  ],
  dnp3: [
    dnp3Frame(1, 1024, [0xc0, 0xc1, 1, 60, 2, 6]),
    dnp3Frame(1, 1024, [0xc0, 0xc2, 5, 12, 1, 0x17, 1, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  ],
};

function mutate(rand: () => number, seeds: readonly Uint8Array[]): Uint8Array {
  const r = rand();
  if (r < 0.2) {
    const out = new Uint8Array(Math.floor(rand() * 300));
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
    return out;
  }
  const base = seeds[Math.floor(rand() * seeds.length)] ?? new Uint8Array(0);
  const out = base.slice(0, r < 0.4 ? Math.floor(rand() * (base.length + 1)) : base.length);
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = Math.floor(rand() * out.length);
    out[at] = r < 0.7 ? (out[at] ?? 0) ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
  }
  return out;
}

const CODECS: readonly ProtocolCodec[] = [modbusCodec, s7Codec, dnp3Codec];

describe('codec fuzzing', () => {
  it.each(CODECS.map((c) => [c.protocol, c] as const))('%s: 10^5 inputs never throw', (name, codec) => {
    const rand = prng(0xc0dec + name.length);
    const seeds = SEEDS[name] ?? [];
    let complete = 0;
    let malformed = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = mutate(rand, seeds);
      const f = codec.frame(input);
      if (f.kind === 'complete') {
        complete++;
        expect(f.length).toBeLessThanOrEqual(codec.maxMessageBytes);
        const m = codec.decode(input.subarray(0, f.length));
        if (m.kind === 'malformed') malformed++;
      } else codec.peek(input);
      if (i % 10 === 0) {
        // The same bytes as a stream, cut into two segments at a random point.
        const s = createFlowStream(codec);
        const cut = Math.floor(rand() * (input.length + 1));
        judgeSegment(s, 1000, new Uint8Array(0), true, () => ({ allowed: true }));
        judgeSegment(s, 1001, input.subarray(0, cut), false, () => ({ allowed: true }));
        judgeSegment(s, 1001 + cut, input.subarray(cut), false, () => ({ allowed: true }));
      }
    }
    // The generator must reach the decoders, not only the framers' first checks.
    expect(complete).toBeGreaterThan(10_000);
    expect(malformed).toBeGreaterThan(100);
  });
});
