import { describe, expect, it } from 'vitest';
import { splitByClusters } from './clusters.js';
import type { ProposedAsset, ProposedZone } from './proposal.js';

type Zone = ProposedZone & { networks: string[] };

/** Hosts by index: ip; all in net-10-0-1 except those in 10.0.0.x. */
function plant(ips: readonly string[]) {
  const zones = new Map<string, Zone>();
  const assets = new Map<number, ProposedAsset>();
  ips.forEach((ip, i) => {
    const zone = `net-${ip.split('.').slice(0, 3).join('-')}`;
    zones.set(zone, { name: zone, networks: [`${ip.split('.').slice(0, 3).join('.')}.0/24`], why: 'subnet' });
    assets.set(i, { name: `h${i}`, ip, zone, role: 'plc', why: '', unsure: [] });
  });
  return { zones, assets };
}

describe('splitByClusters', () => {
  it('splits a subnet holding two cells, each polled by its own HMI, into one zone per cell', () => {
    // 0: HMI A, 1: HMI B (10.0.0.x); 2, 3: cell A (.10, .11); 4, 5: cell B (.200, .201).
    const { zones, assets } = plant([
      '10.0.0.5',
      '10.0.0.6',
      '10.0.1.10',
      '10.0.1.11',
      '10.0.1.200',
      '10.0.1.201',
    ]);
    splitByClusters(zones, assets, [
      [0, 2],
      [0, 3],
      [1, 4],
      [1, 5],
    ]);
    expect([...zones.values()].map((z) => `${z.name} ${z.networks.join()}`).sort()).toEqual([
      // The HMIs are one device per cluster: no cell, their subnet stays one zone.
      'net-10-0-0 10.0.0.0/24',
      'net-10-0-1-c1 10.0.1.0/25',
      'net-10-0-1-c2 10.0.1.128/25',
    ]);
    expect(assets.get(4)?.zone).toBe('net-10-0-1-c2');
    expect(zones.get('net-10-0-1-c1')?.why).toMatch(/communication cluster 1 of 10\.0\.1\.0\/24/);
  });

  it('keeps the subnet zone when everything talks to everything, or when clusters interleave', () => {
    const one = plant(['10.0.1.10', '10.0.1.11', '10.0.1.12']);
    splitByClusters(one.zones, one.assets, [
      [0, 1],
      [0, 2],
    ]);
    expect([...one.zones.keys()]).toEqual(['net-10-0-1']);
    const interleaved = plant(['10.0.1.10', '10.0.1.11', '10.0.1.12', '10.0.1.13']);
    splitByClusters(interleaved.zones, interleaved.assets, [
      [0, 2],
      [1, 3],
    ]);
    expect([...interleaved.zones.keys()]).toEqual(['net-10-0-1']);
  });
});
