// Zones from communication clusters: a /24 whose devices fall into separate
// communication clusters (connected components of who talks to whom, across
// the whole capture) of two or more devices each, in separate address
// ranges, is proposed as one zone per cluster — e.g. two PLC cells in one
// subnet, each polled by its own HMI. Each cluster gets the widest prefix inside the /24 that holds none of
// the other clusters' devices and overlaps no prefix already given, so a new
// device next to its cell still falls in its zone. Interleaved clusters keep
// the subnet zone. IPv4 only. (zones, assets, who talked to whom) → zones and
// assets, changed in place. Pure.

import type { ProposedAsset, ProposedZone } from './proposal.js';

type Zone = ProposedZone & { networks: string[] };

/** Devices a cluster needs to become a zone of its own. */
const MIN_CLUSTER = 2;

const v4 = (ip: string): number => ip.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
const text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const maskOf = (length: number): number => (length === 0 ? 0 : (0xffff_ffff << (32 - length)) >>> 0);

interface Prefix {
  readonly base: number;
  readonly length: number;
}

const contains = (p: Prefix, address: number): boolean => (address & maskOf(p.length)) >>> 0 === p.base;
const overlaps = (a: Prefix, b: Prefix): boolean =>
  contains(a.length <= b.length ? a : b, (a.length <= b.length ? b : a).base);

/** Connected components of the talk graph: host index → component id. */
function components(links: readonly (readonly [number, number])[]): Map<number, number> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while ((parent.get(root) ?? root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  for (const [a, b] of links) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  return new Map([...parent.keys()].map((x) => [x, find(x)]));
}

/** The widest prefix (at least /24's length) around `members` holding no `others` and overlapping no `taken`. */
function widest(
  members: readonly number[],
  others: readonly number[],
  taken: readonly Prefix[],
): Prefix | undefined {
  const lo = Math.min(...members);
  const hi = Math.max(...members);
  let length = 32;
  while (length > 24 && (lo & maskOf(length)) >>> 0 !== (hi & maskOf(length)) >>> 0) length--;
  const fits = (p: Prefix) => !others.some((o) => contains(p, o)) && !taken.some((t) => overlaps(p, t));
  let best: Prefix | undefined;
  for (let l = length; l >= 24; l--) {
    const p = { base: (lo & maskOf(l)) >>> 0, length: l };
    if (!members.every((m) => contains(p, m)) || !fits(p)) break;
    best = p;
  }
  return best;
}

/** Splits subnet zones by communication cluster where the clusters' address ranges allow it. */
export function splitByClusters(
  zones: Map<string, Zone>,
  assets: Map<number, ProposedAsset>,
  links: readonly (readonly [number, number])[],
): void {
  const component = components(links);
  for (const zone of [...zones.values()]) {
    if (zone.why !== 'subnet' || !zone.networks[0]?.endsWith('/24')) continue;
    const byCluster = new Map<number, number[]>();
    for (const [index, a] of assets) {
      if (a.zone !== zone.name || a.ip.includes(':')) continue;
      const c = component.get(index) ?? -1 - index;
      byCluster.set(c, [...(byCluster.get(c) ?? []), index]);
    }
    // A lone device is no cell: splitting it off would give /31-wide zones nobody would draw.
    if (byCluster.size < 2 || [...byCluster.values()].some((c) => c.length < MIN_CLUSTER)) continue;
    const clusters = [...byCluster.values()].sort(
      (x, y) =>
        Math.min(...x.map((i) => v4(assets.get(i)?.ip ?? ''))) -
        Math.min(...y.map((i) => v4(assets.get(i)?.ip ?? ''))),
    );
    const address = (i: number) => v4(assets.get(i)?.ip ?? '');
    const taken: Prefix[] = [];
    for (const cluster of clusters) {
      const others = clusters.filter((c) => c !== cluster).flatMap((c) => c.map(address));
      const p = widest(cluster.map(address), others, taken);
      if (p === undefined) break;
      taken.push(p);
    }
    if (taken.length !== clusters.length) continue;
    zones.delete(zone.name);
    clusters.forEach((cluster, k) => {
      const p = taken[k] as Prefix;
      const name = `${zone.name}-c${k + 1}`;
      zones.set(name, {
        name,
        networks: [`${text(p.base)}/${p.length}`],
        why: `communication cluster ${k + 1} of ${zone.networks[0]}: ${cluster.length} device(s) that talk only with their own peers (inferred; merge back into one zone if that is not how the plant is cut)`,
      });
      for (const i of cluster) {
        const a = assets.get(i);
        if (a !== undefined) assets.set(i, { ...a, zone: name });
      }
    });
  }
}
