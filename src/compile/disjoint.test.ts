import { describe, expect, it } from 'vitest';
import type { AddressBox, AddressRange } from './boxes.js';
import { disjointBoxes } from './disjoint.js';

const r = (first: number, last = first): AddressRange => ({
  family: 4,
  first: BigInt(first),
  last: BigInt(last),
});

function box(
  source: AddressRange,
  destination: AddressRange,
  fromPort: number,
  toPort: number,
  rule = 'r',
): AddressBox {
  return { family: 4, source, destination, transport: 'tcp', fromPort, toPort, rule, line: 1 };
}

function overlap(a: AddressBox, b: AddressBox): boolean {
  return (
    a.transport === b.transport &&
    a.fromPort <= b.toPort &&
    b.fromPort <= a.toPort &&
    a.source.first <= b.source.last &&
    b.source.first <= a.source.last &&
    a.destination.first <= b.destination.last &&
    b.destination.first <= a.destination.last
  );
}

function covers(boxes: readonly AddressBox[], s: number, d: number, p: number): boolean {
  return boxes.some((b) => overlap(b, box(r(s), r(d), p, p)));
}

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('disjointBoxes', () => {
  it('drops a host rule that a zone rule already covers, keeping the zone whole', () => {
    const zone = box(r(0, 255), r(256, 511), 500, 600, 'zone');
    const host = box(r(5), r(300), 502, 502, 'host');
    expect(disjointBoxes([host, zone])).toEqual([zone]);
  });

  it('keeps only the ports a narrower rule adds', () => {
    const zone = box(r(0, 255), r(256, 511), 500, 600, 'zone');
    const host = box(r(5), r(300), 550, 700, 'host');
    expect(disjointBoxes([zone, host])).toEqual([zone, box(r(5), r(300), 601, 700, 'host')]);
  });

  it('cuts crossing boxes so that no two overlap and nothing is lost or added', () => {
    const random = lcg(7);
    const pick = (max: number) => Math.floor(random() * max);
    for (let round = 0; round < 30; round++) {
      const input = Array.from({ length: 12 }, () => {
        const s = pick(16);
        const d = pick(16);
        const p = pick(8);
        return box(r(s, s + pick(6)), r(d, d + pick(6)), p, p + pick(4));
      });
      const output = disjointBoxes(input);
      for (let i = 0; i < output.length; i++) {
        for (let j = i + 1; j < output.length; j++) {
          expect(overlap(output[i]!, output[j]!), `round ${round}: ${i} and ${j} overlap`).toBe(false);
        }
      }
      const differ: string[] = [];
      for (let s = 0; s < 22; s++) {
        for (let d = 0; d < 22; d++) {
          for (let p = 0; p < 12; p++) {
            if (covers(output, s, d, p) !== covers(input, s, d, p)) differ.push(`${s} . ${d} . ${p}`);
          }
        }
      }
      expect(differ, `round ${round}`).toEqual([]);
    }
  });

  it('keeps sets apart: the same tuple in two schedules or transports is not a conflict', () => {
    const a = box(r(1), r(2), 502, 502);
    const b = { ...a, schedule: 'maintenance' };
    const c = { ...a, transport: 'udp' as const };
    expect(disjointBoxes([a, b, c])).toHaveLength(3);
  });
});
