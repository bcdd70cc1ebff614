// Groups section → ContextGroup[]: listed assets plus those a match selector
// picks (role and/or zone), in declaration order without repeats. Unknown names
// are errors; a group that ends up empty is a warning here and an error on any
// rule that uses it. Pure.

import type { DeclaredNames } from './names.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Asset, ContextGroup } from './types.js';
import {
  entryOf,
  type LocatedValue,
  mapAt,
  seqAt,
  stringAt,
  stringItems,
  uniqueEntries,
} from './yaml-source.js';

function listed(group: string, value: LocatedValue, names: DeclaredNames, report: Report): string[] {
  const out: string[] = [];
  for (const { value: name, loc } of stringItems(seqAt(value, 'assets'))) {
    if (out.includes(name)) {
      report.warn('duplicate-entry', loc, `group "${group}": asset "${name}" is listed twice`);
      continue;
    }
    if (names.assets.has(name)) {
      out.push(name);
      continue;
    }
    const other = names.groups.has(name) ? 'a group' : names.zones.has(name) ? 'a zone' : undefined;
    const hint = other
      ? `"${name}" is ${other}; a group lists assets (use match: { zone: ... } for a zone's assets)`
      : didYouMean(name, names.assets.keys());
    report.error('unknown-asset', loc, `group "${group}": unknown asset "${name}"`, hint);
  }
  return out;
}

/** Names the match selector picks; undefined when it names an unknown zone (already reported). */
function matched(
  group: string,
  value: LocatedValue,
  names: DeclaredNames,
  assets: readonly Asset[],
  report: Report,
): string[] | undefined {
  const match = mapAt(value, 'match');
  if (!match) return [];
  const role = stringAt(match, 'role');
  const zone = stringAt(match, 'zone');
  if (role === undefined && zone === undefined) return undefined; // the shape check reports it
  if (zone !== undefined && !names.zones.has(zone)) {
    report.error(
      'unknown-zone',
      entryOf(match, 'zone')?.value.loc ?? match.loc,
      `group "${group}": match names unknown zone "${zone}"`,
      didYouMean(zone, names.zones.keys()),
    );
    return undefined;
  }
  const picked = assets.filter(
    (a) => (role === undefined || a.role === role) && (zone === undefined || a.zone === zone),
  );
  if (picked.length === 0 && role !== undefined) {
    const roles = new Set(assets.flatMap((a) => (a.role === undefined ? [] : [a.role])));
    if (!roles.has(role)) {
      report.warn(
        'unknown-role',
        entryOf(match, 'role')?.value.loc ?? match.loc,
        `group "${group}": no asset has role "${role}"`,
        didYouMean(role, roles) ?? `roles in use: ${[...roles].sort().join(', ') || 'none'}`,
      );
    }
  }
  return picked.map((a) => a.name);
}

/** Reads every group and resolves it to asset names. */
export function readGroups(
  section: LocatedValue | undefined,
  names: DeclaredNames,
  assets: readonly Asset[],
  report: Report,
): ContextGroup[] {
  const groups: ContextGroup[] = [];
  for (const { key: name, keyLoc, value } of uniqueEntries(section)) {
    if (value.kind !== 'map') continue;
    const members = listed(name, value, names, report);
    const picked = matched(name, value, names, assets, report);
    for (const a of picked ?? []) if (!members.includes(a)) members.push(a);
    // Only when nothing was left out for being unknown: those are errors already.
    const listedCount = stringItems(seqAt(value, 'assets')).length;
    const hasSelector = entryOf(value, 'assets') !== undefined || entryOf(value, 'match') !== undefined;
    if (members.length === 0 && hasSelector && listedCount === 0 && picked !== undefined) {
      report.warn(
        'empty-group',
        keyLoc,
        `group "${name}" has no assets`,
        'rules that use it can never match',
      );
    }
    groups.push({ name, assets: members, loc: keyLoc });
  }
  return groups;
}
