import { describe, expect, it } from 'vitest';
import { dnsAnswer } from './dns-answer.js';

/** A query for `name` of `type` (class IN), id 0x1234, recursion desired. */
function query(name: string, type = 1, klass = 1): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  return new Uint8Array([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, type, 0, klass]);
}

const portal = [10, 20, 0, 2] as const;

describe('dnsAnswer', () => {
  it('answers an A question with the portal address, TTL 0, same id and question', () => {
    const q = query('plc.plant.example');
    const r = dnsAnswer(q, portal);
    expect(r).toBeDefined();
    const a = r as Uint8Array;
    expect([...a.subarray(0, 12)]).toEqual([0x12, 0x34, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]);
    expect([...a.subarray(12, q.length)]).toEqual([...q.subarray(12)]);
    expect([...a.subarray(q.length)]).toEqual([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 20, 0, 2]);
  });

  it('gives AAAA an empty answer so the client falls back to A', () => {
    const r = dnsAnswer(query('x.example', 28), portal) as Uint8Array;
    expect(r[3]).toBe(0);
    expect(r[7]).toBe(0);
  });

  it.each([
    ['a runt', new Uint8Array(5), undefined],
    ['a response', Uint8Array.from([0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0]), undefined],
  ])('ignores %s', (_name, q, expected) => {
    expect(dnsAnswer(q, portal)).toBe(expected);
  });

  it('says FORMERR for a truncated question and NOTIMP for another opcode', () => {
    expect(dnsAnswer(query('a.example').subarray(0, 16), portal)?.[3]).toBe(1);
    const notify = query('a.example');
    notify[2] = 0x20;
    expect(dnsAnswer(notify, portal)?.[3]).toBe(4);
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 7;
    const fuzz = () => {
      for (let i = 0; i < 20_000; i++) {
        const bytes = new Uint8Array(1 + (i % 80));
        for (let j = 0; j < bytes.length; j++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          bytes[j] = seed >>> 24;
        }
        dnsAnswer(bytes, portal);
      }
    };
    expect(fuzz).not.toThrow();
  });
});
