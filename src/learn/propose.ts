// Turns what the learner saw into a proposed policy: reconnaissance left out;
// the inventory (IP, the MAC seen for it on its own segment — not a router's —
// and the vendor from the IEEE registry); roles from behaviour; zones from
// subnets (/24, /64; each multicast or broadcast destination its own zone),
// split by communication cluster where clusters sit in separate ranges;
// services of the ports seen; context groups of hosts with the same role and
// exactly the same peers, services and protocol functions; rules per
// (asset or group → asset or group, protocol functions, schedule) that cover
// exactly the pairs seen. Nothing is broader than the traffic unless
// `generalize` is set. (learner state, options) → Proposal. Pure.

import type { Thresholds } from '../decide/context.js';
import { splitByClusters } from './clusters.js';
import { byAddress, inventory } from './inventory.js';
import type { OuiRegistry } from './oui.js';
import type { Proposal, ProposedSchedule } from './proposal.js';
import { findRecon } from './recon.js';
import { inferRoles, type TaggedService } from './roles.js';
import { buildRules, type Edge, edgeKey, groupUnits } from './rules.js';
import { dailyWindow } from './schedule.js';
import { type PortRange, portRanges, ServiceNames } from './service-names.js';
import { constraintKey, constraintOf, tagService, trafficDoubts } from './service-shape.js';
import type { LearnState } from './state.js';
import { describeUnexpressed } from './unexpressed.js';

export interface ProposeOptions {
  readonly site?: string;
  /** Widen port lists and address spans beyond exactly what was seen. */
  readonly generalize?: boolean;
  readonly registry?: OuiRegistry;
  /** Where the registry came from, for the policy's header comment. */
  readonly registryNote?: string;
  /** The captures learned from, for the header comment. */
  readonly sources?: readonly string[];
}

/** Proposes a policy from the learner's state. */
export function propose(
  learned: { state: LearnState; thresholds: Thresholds },
  options: ProposeOptions = {},
): Proposal {
  const { state, thresholds } = learned;
  const recon = findRecon(state, thresholds);
  const tagged: TaggedService[] = [];
  for (const s of state.services.values()) {
    if (recon.excluded.has(s.client) || recon.excluded.has(s.server)) continue;
    tagged.push(tagService(s));
  }
  const roles = inferRoles(tagged);
  const inUse = new Set<number>();
  for (const t of tagged) {
    inUse.add(t.service.client);
    inUse.add(t.service.server);
  }
  const hosts = [...inUse].map((i) => state.hosts[i]!).sort(byAddress);
  const { zones, assets, unitOf } = inventory(state, hosts, roles, options.registry);
  splitByClusters(
    zones,
    assets,
    tagged.map((t) => [t.service.client, t.service.server] as const),
  );

  const schedules = new Map<string, ProposedSchedule>();
  const names = new ServiceNames();
  const ranges = options.generalize === true ? portRanges(tagged) : new Map<TaggedService, PortRange>();
  const edges: Edge[] = tagged.map((t) => {
    const c = constraintOf(t, options.generalize === true);
    const range = ranges.get(t);
    const w = dailyWindow(t.service.hourMask, t.service.days, state.days);
    let schedule: ProposedSchedule | undefined;
    if (w !== undefined) {
      const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
      const daily = w.days.length === 7;
      const name = `seen-${hh(w.fromHour).slice(0, 2)}-${hh(w.toHour).slice(0, 2)}-${daily ? 'daily' : w.days.join('-')}`;
      schedule = schedules.get(name) ?? {
        name,
        days: w.days,
        from: hh(w.fromHour),
        to: hh(w.toHour),
        timezone: 'UTC',
        why: `traffic seen only ${hh(w.fromHour)}-${hh(w.toHour)} UTC on ${t.service.days.length} days`,
      };
      schedules.set(name, schedule);
    }
    return {
      t,
      serviceName: range === undefined ? names.nameOf(t) : names.rangeOf(t.service.udp, range.from, range.to),
      constraint: c.constraint,
      constraintKey: constraintKey(c.constraint),
      unsure: [
        ...trafficDoubts(t),
        ...c.unsure,
        ...(range === undefined
          ? []
          : [`--generalize: ports ${range.ports.join(', ')} widened to ${range.from}-${range.to}`]),
      ],
      schedule,
    };
  });

  const roleOf = (host: number) => assets.get(host)?.role ?? 'zone';
  const clientUnits = groupUnits(
    edges,
    (e) => e.t.service.client,
    (e) => `${unitOf(e.t.service.server)}|${edgeKey(e)}`,
    roleOf,
    unitOf,
    assets,
  );
  const clientUnitOf = (h: number) => clientUnits.unitOf.get(h) ?? unitOf(h);
  const serverUnits = groupUnits(
    edges,
    (e) => e.t.service.server,
    (e) => `${clientUnitOf(e.t.service.client)}|${edgeKey(e)}`,
    roleOf,
    unitOf,
    assets,
    clientUnits.groups.length,
  );
  const serverUnitOf = (h: number) => serverUnits.unitOf.get(h) ?? unitOf(h);
  const rules = buildRules(edges, clientUnitOf, serverUnitOf);

  const assetList = [...assets.values()];
  return {
    site: options.site ?? 'learned-site',
    sources: options.sources ?? [],
    registryNote: options.registryNote,
    zones: [...zones.values()].sort((a, b) => a.name.localeCompare(b.name)),
    assets: assetList,
    groups: [...clientUnits.groups, ...serverUnits.groups],
    services: names.services(),
    schedules: [...schedules.values()],
    rules,
    controllers: assetList.filter((a) => a.role === 'plc' || a.role === 'rtu').map((a) => a.name),
    recon: recon.findings,
    unexpressed: describeUnexpressed(state),
    warnings: warningsOf(state),
    stats: {
      frames: state.frames,
      ipPackets: state.ipPackets,
      hostsSeen: state.hosts.length,
      servicesSeen: state.services.size,
      firstMs: state.firstMs,
      lastMs: state.lastMs,
    },
  };
}

function warningsOf(state: LearnState): string[] {
  const out = [...state.capsHit].map((c) => `limit reached: ${c}; traffic beyond it was not learned`);
  if (state.malformedFrames > 0)
    out.push(`${state.malformedFrames} frame(s) with malformed or truncated headers`);
  if (state.undecodable > 0)
    out.push(`${state.undecodable} frame(s) of an unknown link type or too short to read`);
  return out;
}
