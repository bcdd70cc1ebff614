// Decoys section → Decoys: placements checked against the zones (unknown zone
// with did-you-mean, a zone without IPv4, more decoys than the zone has free
// addresses), the rotation period and the seed. Profile names are checked by
// the shape (policy-shape.ts). Pure.

import { parseAddress } from '../net/address.js';
import { type IpPrefix, prefixBounds, prefixContains } from '../net/prefix.js';
import { parseDurationSeconds } from './clock.js';
import { DECOY_PROFILES } from './decoys-shape.js';
import type { SourceLocation } from './diagnostic.js';
import type { ReadZone } from './read-zones.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Asset, DecoyPlacement, Decoys } from './types.js';
import { entryOf, type LocatedValue, mapAt, stringAt } from './yaml-source.js';

/** Rotation bounds: faster churns the bridge for nothing; slower is no moving target. */
export const MIN_ROTATE_SECONDS = 10;
export const MAX_ROTATE_SECONDS = 30 * 86_400;

/**
 * Addresses of an IPv4 prefix a decoy may take: not the network or broadcast
 * address, and not .1 or .254 of any /24, which look like gateways.
 */
export function usableDecoyAddressCount(prefix: IpPrefix): number {
  if (prefix.family !== 4) return 0;
  const { first, last } = prefixBounds(prefix);
  const size = Number(last - first + 1n);
  if (size <= 2) return size === 1 ? 1 : 0;
  let count = size - 2;
  for (let a = first + 1n; a < last; a++) {
    const low = Number(a & 0xffn);
    if (low === 1 || low === 254) count--;
    if (size > 65_536) break; // Huge zones have room anyway; do not walk them.
  }
  return count;
}

function readRotate(section: LocatedValue | undefined, report: Report): number | undefined {
  const rotate = mapAt(section, 'rotate');
  const text = stringAt(rotate, 'every');
  const node = entryOf(rotate, 'every')?.value;
  if (text === undefined || !node) return undefined;
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined || seconds === 0) {
    report.error(
      'invalid-duration',
      node.loc,
      `decoys: rotate every "${text}" is not a duration`,
      'write e.g. 30s, 15m, 6h, 2d or 1h30m',
    );
    return undefined;
  }
  if (seconds < MIN_ROTATE_SECONDS || seconds > MAX_ROTATE_SECONDS) {
    report.error(
      'duration-out-of-range',
      node.loc,
      `decoys: rotate every "${text}" is outside 10s..30d`,
      seconds < MIN_ROTATE_SECONDS ? 'use at least 10s' : 'use at most 30d',
    );
    return undefined;
  }
  return seconds;
}

function intAt(map: LocatedValue, key: string): number | undefined {
  const v = entryOf(map, key)?.value;
  return v?.kind === 'scalar' && typeof v.value === 'number' && Number.isInteger(v.value)
    ? v.value
    : undefined;
}

function readPlacements(section: LocatedValue | undefined, zones: readonly ReadZone[], report: Report) {
  const out: DecoyPlacement[] = [];
  const list = entryOf(section, 'place')?.value;
  if (list?.kind !== 'seq') return out;
  for (const item of list.items) {
    if (item.kind !== 'map') continue;
    const zone = stringAt(item, 'zone');
    const profile = stringAt(item, 'profile');
    const count = intAt(item, 'count');
    if (zone === undefined || profile === undefined || count === undefined || count < 1) continue;
    const zoneLoc = entryOf(item, 'zone')?.value.loc ?? item.loc;
    const known = zones.find((z) => z.zone.name === zone);
    if (!known) {
      report.error(
        'unknown-zone',
        zoneLoc,
        `decoys: unknown zone "${zone}"`,
        didYouMean(
          zone,
          zones.map((z) => z.zone.name),
        ) ?? 'name a zone of the zones section',
      );
      continue;
    }
    if (!known.prefixes.some((p) => p.family === 4)) {
      report.error(
        'zone-without-ipv4',
        zoneLoc,
        `decoys: zone "${zone}" has no IPv4 network to place decoys in`,
        'decoys take IPv4 addresses; give the zone an IPv4 network',
      );
      continue;
    }
    if (!DECOY_PROFILES.includes(profile)) continue; // Reported by the shape check.
    out.push({ zone, profile, count, loc: item.loc });
  }
  return out;
}

/** Reports zones asked for more decoys than they have free addresses (after assets and gateway-looking ones). */
function checkRoom(
  placements: readonly DecoyPlacement[],
  zones: readonly ReadZone[],
  assets: readonly Asset[],
  report: Report,
): void {
  const asked = new Map<string, { total: number; last: SourceLocation }>();
  for (const p of placements) {
    const entry = asked.get(p.zone) ?? { total: 0, last: p.loc };
    asked.set(p.zone, { total: entry.total + p.count, last: p.loc });
  }
  for (const [zone, { total, last }] of asked) {
    const prefixes = zones.find((z) => z.zone.name === zone)?.prefixes.filter((p) => p.family === 4) ?? [];
    let free = prefixes.reduce((sum, p) => sum + usableDecoyAddressCount(p), 0);
    for (const a of assets) {
      const address = parseAddress(a.ip);
      if (address && prefixes.some((p) => prefixContains(p, address))) free--;
    }
    if (total > free) {
      report.error(
        'too-many-decoys',
        last,
        `decoys: zone "${zone}" has room for ${Math.max(0, free)} decoy(s), ${total} asked for`,
        'lower the counts or place some decoys in another zone',
      );
    }
  }
}

/** Reads the decoys section; undefined when the policy has none. */
export function readDecoys(
  entry: { readonly value: LocatedValue; readonly keyLoc: SourceLocation } | undefined,
  zones: readonly ReadZone[],
  assets: readonly Asset[],
  report: Report,
): Decoys | undefined {
  if (entry?.value.kind !== 'map') return undefined;
  const section = entry.value;
  const place = readPlacements(section, zones, report);
  checkRoom(place, zones, assets, report);
  const seed = stringAt(section, 'seed');
  if (seed !== undefined && seed.trim() === '') {
    report.error(
      'invalid-value',
      entryOf(section, 'seed')?.value.loc ?? entry.keyLoc,
      'decoys: seed is empty',
      'remove it to use a random per-node seed',
    );
  }
  const rotateEverySeconds = readRotate(section, report);
  const deceive = entryOf(section, 'deceive')?.value;
  return {
    ...(seed === undefined || seed.trim() === '' ? {} : { seed }),
    ...(rotateEverySeconds === undefined ? {} : { rotateEverySeconds }),
    deceive: deceive?.kind === 'scalar' && deceive.value === true,
    place,
    loc: entry.keyLoc,
  };
}
