import { describe, expect, it } from 'vitest';
import type { Prefix } from '../../policy/types.js';
import { epochAt, movesBetween, nextEpochAtMs } from './moves.js';
import { decoySlots, planPlacement } from './placement.js';

const cell: Prefix = { family: 4, address: '10.20.1.0', length: 24 };
const zones = [
  { name: 'cell-a', networks: [cell, { family: 6, address: 'fd00::', length: 64 } as Prefix] },
  { name: 'tiny', networks: [{ family: 4, address: '10.20.2.0', length: 29 } as Prefix] },
];
const place = [
  { zone: 'cell-a', profile: 's7-300', count: 2 },
  { zone: 'cell-a', profile: 'modicon-m340', count: 1 },
];
const base = { seed: 'riverside-7f3a', epoch: 0, zones, place, taken: new Set(['10.20.1.10', '10.20.1.50']) };

describe('planPlacement', () => {
  it('gives every decoy a distinct ordinary-looking address of its zone, off the taken ones', () => {
    const { decoys, unplaced } = planPlacement(base);
    expect(unplaced).toEqual([]);
    expect(decoys.map((d) => d.id)).toEqual(['cell-a/s7-300/0', 'cell-a/s7-300/1', 'cell-a/modicon-m340/0']);
    const ips = decoys.map((d) => d.ip);
    expect(new Set(ips).size).toBe(3);
    for (const ip of ips) {
      expect(ip).toMatch(/^10\.20\.1\.\d+$/);
      expect([
        '10.20.1.0',
        '10.20.1.1',
        '10.20.1.254',
        '10.20.1.255',
        '10.20.1.10',
        '10.20.1.50',
      ]).not.toContain(ip);
    }
    expect(new Set(decoys.map((d) => d.identity.mac)).size).toBe(3);
    expect(decoys[0]?.identity.profile).toBe('s7-300');
  });

  it('is deterministic, and differs per seed', () => {
    expect(planPlacement(base)).toEqual(planPlacement(base));
    const other = planPlacement({ ...base, seed: 'another-site' });
    expect(other.decoys.map((d) => d.ip)).not.toEqual(planPlacement(base).decoys.map((d) => d.ip));
  });

  it('moves only the decoy whose address became taken', () => {
    const first = planPlacement(base).decoys;
    const claimed = first[1]?.ip ?? '';
    const after = planPlacement({ ...base, taken: new Set([...base.taken, claimed]) }).decoys;
    expect(after[0]?.ip).toBe(first[0]?.ip);
    expect(after[2]?.ip).toBe(first[2]?.ip);
    expect(after[1]?.ip).not.toBe(claimed);
    const moves = movesBetween(first, after, 'yielded');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ id: 'cell-a/s7-300/1', reason: 'yielded' });
    expect(moves[0]?.from?.ip).toBe(claimed);
  });

  it('rotation moves every decoy to a fresh address and identity, never onto a taken or old one', () => {
    const first = planPlacement(base).decoys;
    const old = new Set(first.map((d) => d.ip));
    const next = planPlacement({ ...base, epoch: 1, avoid: old }).decoys;
    for (const d of next) {
      expect(old.has(d.ip)).toBe(false);
      expect(base.taken.has(d.ip)).toBe(false);
    }
    const moves = movesBetween(first, next, 'rotated');
    expect(moves).toHaveLength(3);
    for (const m of moves) expect(m.from?.identity.mac).not.toBe(m.to?.identity.mac);
  });

  it('fills a small zone completely and reports what does not fit', () => {
    // 10.20.2.0/29: .2-.6 look like devices (.0 network, .1 gateway-like, .7 broadcast).
    const plan = planPlacement({
      ...base,
      place: [{ zone: 'tiny', profile: 'iec104-rtu', count: 6 }],
      taken: new Set(),
    });
    expect(plan.decoys.map((d) => d.ip).sort()).toEqual([
      '10.20.2.2',
      '10.20.2.3',
      '10.20.2.4',
      '10.20.2.5',
      '10.20.2.6',
    ]);
    expect(plan.unplaced.map((s) => s.id)).toEqual(['tiny/iec104-rtu/5']);
  });

  it('places a thousand decoys in a /16 quickly and without collisions', () => {
    const big = [{ name: 'plant', networks: [{ family: 4, address: '10.30.0.0', length: 16 } as Prefix] }];
    const plan = planPlacement({
      ...base,
      zones: big,
      place: [{ zone: 'plant', profile: 's7-300', count: 1000 }],
    });
    expect(new Set(plan.decoys.map((d) => d.ip)).size).toBe(1000);
  });
});

describe('slots and epochs', () => {
  it('numbers decoys per zone and profile across placements', () => {
    const slots = decoySlots([...place, { zone: 'cell-a', profile: 's7-300', count: 1 }]);
    expect(slots.map((s) => s.id)).toEqual([
      'cell-a/s7-300/0',
      'cell-a/s7-300/1',
      'cell-a/modicon-m340/0',
      'cell-a/s7-300/2',
    ]);
  });

  it('counts epochs from the period', () => {
    expect(epochAt(123_000, undefined)).toBe(0);
    expect(epochAt(125_000, 60)).toBe(2);
    expect(nextEpochAtMs(125_000, 60)).toBe(180_000);
    expect(nextEpochAtMs(125_000, undefined)).toBeUndefined();
  });

  it('reports placed and removed decoys', () => {
    const one = planPlacement({ ...base, place: [place[0]!] }).decoys;
    const moves = movesBetween([], one, 'rotated');
    expect(moves.map((m) => m.reason)).toEqual(['placed', 'placed']);
    expect(movesBetween(one, [], 'policy').map((m) => m.reason)).toEqual(['removed', 'removed']);
  });
});

describe('profiles', () => {
  it('the policy language names exactly the profiles the personalities have', async () => {
    const { DECOY_PROFILES } = await import('../../policy/decoys-shape.js');
    const { PROFILES } = await import('../personality/index.js');
    expect([...DECOY_PROFILES].sort()).toEqual([...PROFILES].sort());
  });
});
