// Context groups and rules of a proposal: hosts with the same role and exactly
// the same peers, services, protocol functions and schedule become one group
// (so a group-to-group rule covers only pairs that were seen), and one rule is
// made per (asset or group → asset or group, protocol constraint, schedule)
// with its provenance. (edges) → groups, rules. Pure.

import type {
  ProposedAsset,
  ProposedConstraint,
  ProposedGroup,
  ProposedRule,
  ProposedSchedule,
} from './proposal.js';
import type { TaggedService } from './roles.js';
import { MIN_PACKETS } from './service-shape.js';

/** Longest rule name before a collision suffix. */
const MAX_RULE_NAME = 60;

/** One service as it goes into the proposal. */
export interface Edge {
  readonly t: TaggedService;
  readonly serviceName: string;
  readonly constraint: ProposedConstraint | undefined;
  readonly constraintKey: string;
  readonly unsure: readonly string[];
  readonly schedule: ProposedSchedule | undefined;
}

/** What makes two edges the same for grouping: service, constraint, schedule. */
export function edgeKey(e: Edge): string {
  return `${e.serviceName}|${e.constraintKey}|${e.schedule?.name ?? ''}`;
}

/** Hosts (assets only) with the same role and identical edge signatures become one context group. */
export function groupUnits(
  edges: readonly Edge[],
  hostOf: (e: Edge) => number,
  keyOf: (e: Edge) => string,
  roleOf: (host: number) => string,
  unitOf: (host: number) => string,
  assets: ReadonlyMap<number, ProposedAsset>,
  numbered = 0,
): { unitOf: Map<number, string>; groups: ProposedGroup[] } {
  const signature = new Map<number, Set<string>>();
  for (const e of edges) {
    const h = hostOf(e);
    if (!assets.has(h)) continue;
    const set = signature.get(h) ?? new Set();
    set.add(keyOf(e));
    signature.set(h, set);
  }
  const bySignature = new Map<string, number[]>();
  for (const [h, keys] of signature) {
    const sig = `${roleOf(h)}#${[...keys].sort().join('#')}`;
    const list = bySignature.get(sig) ?? [];
    list.push(h);
    bySignature.set(sig, list);
  }
  const out = new Map<number, string>();
  const groups: ProposedGroup[] = [];
  let n = numbered;
  for (const [sig, members] of [...bySignature].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (members.length < 2) continue;
    const role = sig.slice(0, sig.indexOf('#'));
    n++;
    const name = `${role}-group-${n}`;
    const names = members.map(unitOf).sort();
    groups.push({
      name,
      assets: names,
      why: `${members.length} ${role} assets with the same peers, services and functions`,
    });
    for (const h of members) out.set(h, name);
  }
  return { unitOf: out, groups };
}

interface RuleDraft {
  from: string;
  to: string;
  services: Set<string>;
  protocol: ProposedConstraint | undefined;
  schedule: ProposedSchedule | undefined;
  firstMs: number;
  lastMs: number;
  packets: number;
  flows: number;
  pairs: Set<string>;
  unsure: Set<string>;
}

/** One rule per (from, to, constraint, schedule), with the services and provenance of its edges. */
export function buildRules(
  edges: readonly Edge[],
  clientUnitOf: (h: number) => string,
  serverUnitOf: (h: number) => string,
): ProposedRule[] {
  const drafts = new Map<string, RuleDraft>();
  for (const e of edges) {
    const s = e.t.service;
    const from = clientUnitOf(s.client);
    const to = serverUnitOf(s.server);
    const key = `${from}>${to}>${e.constraintKey}>${e.schedule?.name ?? ''}`;
    let d = drafts.get(key);
    if (d === undefined) {
      d = {
        from,
        to,
        services: new Set(),
        protocol: e.constraint,
        schedule: e.schedule,
        firstMs: s.firstMs,
        lastMs: s.lastMs,
        packets: 0,
        flows: 0,
        pairs: new Set(),
        unsure: new Set(),
      };
      drafts.set(key, d);
    }
    d.services.add(e.serviceName);
    d.firstMs = Math.min(d.firstMs, s.firstMs);
    d.lastMs = Math.max(d.lastMs, s.lastMs);
    d.packets += s.requests + s.replies;
    d.flows += s.syns > 0 ? s.syns : Math.max(1, s.flows);
    d.pairs.add(`${s.client}>${s.server}`);
    for (const u of e.unsure) d.unsure.add(u);
  }
  const used = new Set<string>();
  const rules: ProposedRule[] = [];
  const sorted = [...drafts.values()].sort(
    (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
  );
  for (const d of sorted) {
    const unsure = [...d.unsure];
    if (d.packets < MIN_PACKETS) unsure.unshift(`only ${d.packets} packet${d.packets === 1 ? '' : 's'}`);
    else if (d.flows <= 1) unsure.unshift('a single flow');
    const base = `${d.from}-to-${d.to}${d.protocol === undefined ? '' : `-${d.protocol.kind}`}`.slice(
      0,
      MAX_RULE_NAME,
    );
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    rules.push({
      name,
      from: d.from,
      to: d.to,
      services: [...d.services].sort(),
      ...(d.protocol === undefined ? {} : { protocol: d.protocol }),
      ...(d.schedule === undefined ? {} : { when: d.schedule.name, whenWhy: d.schedule.why }),
      firstMs: d.firstMs,
      lastMs: d.lastMs,
      packets: d.packets,
      flows: d.flows,
      pairs: d.pairs.size,
      unsure,
    });
  }
  return rules;
}
