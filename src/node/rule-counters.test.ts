import { describe, expect, it } from 'vitest';
import type { KernelRule } from '../apply/nft-rules-codec.js';
import { ruleCountersFrom, ruleCountersOf } from './rule-counters.js';

/** One rule both ways: as nft's JSON lists it, and as netlink reads it. */
const rules: readonly { json: Record<string, unknown>; kernel: KernelRule }[] = [
  ['p.yaml:9 rules', 'accept', 2],
  ['p.yaml:9 rules', 'accept', 3],
  ['p.yaml:9 rules', 'drop', 4],
  ['p.yaml:20 log', 'other', undefined],
  [undefined, 'accept', 6],
  [undefined, 'accept', 1],
  ['p.yaml:20 tail', 'drop', 1],
].map(([comment, verdict, packets]) => {
  const v = verdict as KernelRule['verdict'];
  const n = packets as number | undefined;
  return {
    json: {
      rule: {
        ...(comment === undefined ? {} : { comment }),
        expr: [
          { match: {} },
          ...(n === undefined ? [] : [{ counter: { packets: n, bytes: n * 60 } }]),
          v === 'other' ? { log: { prefix: 'x' } } : { [v]: null },
        ],
      },
    },
    kernel: {
      ...(comment === undefined ? {} : { comment: comment as string }),
      counted: n !== undefined,
      packets: n ?? 0,
      bytes: (n ?? 0) * 60,
      verdict: v,
    },
  };
});

describe('ruleCountersOf', () => {
  it('folds netlink rules exactly as ruleCountersFrom folds the JSON listing of the same chain', () => {
    const fromJson = ruleCountersFrom({
      nftables: [{ metainfo: {} }, { chain: {} }, ...rules.map((r) => r.json)],
    });
    const fromKernel = ruleCountersOf(rules.map((r) => r.kernel));
    expect(fromKernel).toEqual(fromJson);
    expect(fromKernel).toEqual([
      { rule: 'p.yaml:9 rules', verdict: 'accept', packets: 5, bytes: 300 },
      { rule: 'p.yaml:9 rules', verdict: 'drop', packets: 4, bytes: 240 },
      { rule: '(no comment)', verdict: 'accept', packets: 7, bytes: 420 },
      { rule: 'p.yaml:20 tail', verdict: 'drop', packets: 1, bytes: 60 },
    ]);
    expect(ruleCountersOf([])).toEqual([]);
  });
});
