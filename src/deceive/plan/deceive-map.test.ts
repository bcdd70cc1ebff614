import { describe, expect, it } from 'vitest';
import type { Prefix } from '../../policy/types.js';
import { deceiveMap } from './deceive-map.js';
import { planPlacement } from './placement.js';

const zones = [
  { name: 'cell-a', networks: [{ family: 4, address: '10.20.1.0', length: 24 } as Prefix] },
  { name: 'scada', networks: [{ family: 4, address: '10.20.0.0', length: 24 } as Prefix] },
];
const { decoys } = planPlacement({
  seed: 's',
  epoch: 0,
  zones,
  place: [
    { zone: 'cell-a', profile: 's7-300', count: 1 },
    { zone: 'cell-a', profile: 'iec104-rtu', count: 1 },
    { zone: 'scada', profile: 'engineering-workstation', count: 1 },
  ],
  taken: new Set(),
});
const ipOf = (profile: string) => decoys.find((d) => d.profile === profile)?.ip;

describe('deceiveMap', () => {
  it('sends each asset to a decoy of its zone that fits its role', () => {
    const map = new Map(
      deceiveMap(
        [
          { name: 'plc-a1', ip: '10.20.1.10', family: 4, zone: 'cell-a', role: 'plc' },
          { name: 'rtu-7', ip: '10.20.1.20', family: 4, zone: 'cell-a', role: 'rtu' },
          { name: 'hmi-a', ip: '10.20.0.50', family: 4, zone: 'scada', role: 'hmi' },
          { name: 'v6', ip: 'fd00::1', family: 6, zone: 'cell-a' },
        ],
        decoys,
      ),
    );
    expect(map.get('10.20.1.10')).toBe(ipOf('s7-300'));
    expect(map.get('10.20.1.20')).toBe(ipOf('iec104-rtu'));
    expect(map.get('10.20.0.50')).toBe(ipOf('engineering-workstation'));
    expect(map.has('fd00::1')).toBe(false);
  });

  it('falls back to any decoy when the zone has none, and to none without decoys', () => {
    const asset = { name: 'x', ip: '10.30.0.1', family: 4 as const, zone: 'elsewhere', role: 'plc' };
    expect(deceiveMap([asset], decoys)).toHaveLength(1);
    expect(deceiveMap([asset], [])).toEqual([]);
  });
});
