import { describe, expect, it } from 'vitest';
import { pathCounters } from './chain-counters.js';

// Shapes as printed by `nft -j list chain inet picket forward` (nft 1.0.6).
const doc = {
  nftables: [
    { metainfo: { version: '1.0.6' } },
    { chain: { name: 'forward' } },
    {
      rule: {
        expr: [
          { match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } },
          { counter: { packets: 7, bytes: 700 } },
          { accept: null },
        ],
      },
    },
    {
      rule: {
        expr: [
          { match: { op: '==', left: { concat: [] }, right: '@exact4' } },
          { counter: { packets: 1000, bytes: 46000 } },
          { accept: null },
        ],
      },
    },
    {
      rule: {
        expr: [
          { match: { op: '==', left: { concat: [] }, right: '@allow4' } },
          { counter: { packets: 3, bytes: 1 } },
          { accept: null },
        ],
      },
    },
  ],
};

describe('pathCounters', () => {
  it('separates the conntrack fast path from the allow-set lookups', () => {
    expect(pathCounters(doc, ['exact4', 'allow4'])).toEqual({ established: 7, setLookup: 1003 });
    expect(pathCounters(doc, ['exact4'])).toEqual({ established: 7, setLookup: 1000 });
  });

  it('is zero for a document without rules', () => {
    expect(pathCounters({ nftables: [] }, ['exact4'])).toEqual({ established: 0, setLookup: 0 });
  });
});
