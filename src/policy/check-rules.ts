// Rules that can never match: an endpoint with no addresses, a rule from one
// asset to itself (that traffic never crosses the bridge), endpoints with no
// address family in common, services without ports, or an empty time window.
// Each would silently allow nothing, which in a plant means a stopped process. Pure.

import type { Report } from './report.js';
import type { IpFamily, Policy, Rule } from './types.js';

type Parts = Pick<Policy, 'zones' | 'assets' | 'groups' | 'services' | 'schedules'>;

/** The parts indexed by name, so checking many rules over many assets stays linear. */
interface Index {
  readonly zones: ReadonlyMap<string, Policy['zones'][number]>;
  readonly assetFamilies: ReadonlyMap<string, IpFamily>;
  readonly groups: ReadonlyMap<string, Policy['groups'][number]>;
  readonly services: ReadonlyMap<string, Policy['services'][number]>;
  readonly schedules: ReadonlyMap<string, Policy['schedules'][number]>;
}

function indexOf(parts: Parts): Index {
  const byName = <T extends { readonly name: string }>(xs: readonly T[]) =>
    new Map(xs.map((x) => [x.name, x]));
  return {
    zones: byName(parts.zones),
    assetFamilies: new Map(parts.assets.map((a) => [a.name, a.family])),
    groups: byName(parts.groups),
    services: byName(parts.services),
    schedules: byName(parts.schedules),
  };
}

interface Reach {
  /** Assets the endpoint is, when it is a set of assets (undefined for a zone). */
  readonly assets?: readonly string[];
  readonly families: ReadonlySet<IpFamily>;
}

function reach(index: Index, endpoint: Rule['from']): Reach | undefined {
  if (endpoint.kind === 'zone') {
    const zone = index.zones.get(endpoint.name);
    return zone && { families: new Set(zone.networks.map((n) => n.family)) };
  }
  const names = endpoint.kind === 'asset' ? [endpoint.name] : index.groups.get(endpoint.name)?.assets;
  if (!names) return undefined;
  const families = new Set(names.flatMap((n) => index.assetFamilies.get(n) ?? []));
  return { assets: names, families };
}

function whyNever(index: Index, rule: Rule): string | undefined {
  const from = reach(index, rule.from);
  const to = reach(index, rule.to);
  if (!from || !to) return undefined;
  if (from.assets?.length === 0) return `from ${rule.from.kind} "${rule.from.name}" has no assets`;
  if (to.assets?.length === 0) return `to ${rule.to.kind} "${rule.to.name}" has no assets`;
  if (from.assets?.length === 1 && to.assets?.length === 1 && from.assets[0] === to.assets[0]) {
    return `from and to are the same asset "${from.assets[0]}"`;
  }
  if (from.families.size > 0 && to.families.size > 0 && ![...from.families].some((f) => to.families.has(f))) {
    const fam = (r: Reach) => [...r.families].map((f) => `IPv${f}`).join('/');
    return `from is ${fam(from)} only and to is ${fam(to)} only`;
  }
  const services = rule.services.map((s) => index.services.get(s));
  if (services.length > 0 && services.every((s) => s !== undefined && s.ports.length === 0))
    return 'none of its services has a port';
  const schedule = rule.when === undefined ? undefined : index.schedules.get(rule.when);
  if (schedule && (schedule.days.length === 0 || schedule.fromMinute === schedule.toMinute)) {
    return `schedule "${schedule.name}" never opens`;
  }
  return undefined;
}

/** Reports every rule that can never match, with the reason. */
export function checkRulesCanMatch(parts: Parts, rules: readonly Rule[], report: Report): void {
  const index = indexOf(parts);
  for (const rule of rules) {
    const why = whyNever(index, rule);
    if (why) report.error('rule-never-matches', rule.loc, `rule "${rule.name}" can never match: ${why}`);
  }
}
