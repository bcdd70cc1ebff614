// Turns what the learner saw into a proposed policy: reconnaissance left out;
// the inventory (IP, the MAC seen for it on its own segment — not a router's —
// and the vendor from the IEEE registry); roles from behaviour; zones from
// subnets (/24, /64; each multicast or broadcast destination its own zone);
// services of the ports seen; context groups of hosts with the same role and
// exactly the same peers, services and protocol functions; rules per
// (asset or group → asset or group, protocol functions, schedule) that cover
// exactly the pairs seen. Nothing is broader than the traffic unless
// `generalize` is set. (learner state, options) → Proposal. Pure.

import type { Thresholds } from '../decide/context.js';
import { macFromNumber } from '../sense/decode-fast.js';
import { type OuiRegistry, vendorOf } from './oui.js';
import type {
  Proposal,
  ProposedAsset,
  ProposedConstraint,
  ProposedGroup,
  ProposedRule,
  ProposedSchedule,
  ProposedService,
  ProposedZone,
} from './proposal.js';
import { findRecon } from './recon.js';
import { inferRoles, type RoleGuess, type TaggedService } from './roles.js';
import { dailyWindow } from './schedule.js';
import {
  constraintKey,
  constraintOf,
  MIN_PACKETS,
  serviceBaseName,
  tagService,
  trafficDoubts,
} from './service-shape.js';
import type { Host, LearnState } from './state.js';
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

/** A MAC that sources this many IPv4 addresses is a router's: it is nobody's own. */
const GATEWAY_ADDRESSES = 3;
const MAX_NAME = 63;

/** One service as it goes into the proposal. */
interface Edge {
  readonly t: TaggedService;
  readonly serviceName: string;
  readonly constraint: ProposedConstraint | undefined;
  readonly constraintKey: string;
  readonly unsure: readonly string[];
  readonly schedule: ProposedSchedule | undefined;
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

function edgeKey(e: Edge): string {
  return `${e.serviceName}|${e.constraintKey}|${e.schedule?.name ?? ''}`;
}

function byAddress(a: Host, b: Host): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.family === 4 ? a.v4 - b.v4 : a.ip.localeCompare(b.ip);
}

function nameOfAddress(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** A multicast or limited-broadcast destination: no device has it, so it gets a zone of its own. */
function isGroupAddress(h: Host): boolean {
  if (h.family === 4) return h.v4 >>> 28 === 14 || h.v4 === 0xffff_ffff;
  return h.ip.startsWith('ff');
}

/** An address only ever sent to with a broadcast or multicast MAC, and never a sender: a subnet's broadcast address. */
function isDirectedBroadcast(h: Host): boolean {
  return h.toGroupMac > 0 && h.toUnicastMac === 0 && h.packetsSent === 0;
}

function subnetOf(h: Host): { name: string; network: string } {
  if (h.family === 4) {
    const [a, b, c] = h.ip.split('.');
    return { name: `net-${a}-${b}-${c}`, network: `${a}.${b}.${c}.0/24` };
  }
  const groups = expandV6(h.ip).slice(0, 4);
  const text = groups.map((g) => g.toString(16)).join(':');
  return { name: `net6-${groups.map((g) => g.toString(16)).join('-')}`, network: `${text}::/64` };
}

function expandV6(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const parts = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return parts.map((p) => Number.parseInt(p, 16) || 0);
}

/** The MAC seen for a host on its own segment, or why none is given. */
function macOf(state: LearnState, h: Host): { mac?: string; doubt?: string } {
  const own = [...h.macs.keys()].filter((m) => !(Math.floor(m / 0x100_0000_0000) & 1));
  const arp = h.family === 4 ? state.arpClaims.get(h.v4) : undefined;
  const candidates = new Set(own);
  if (arp !== undefined && own.length === 0) candidates.add(arp);
  if (candidates.size === 0) return {};
  if (candidates.size > 1) return { doubt: `sent from ${candidates.size} MACs: none recorded` };
  const mac = [...candidates][0]!;
  const shared = state.ipsPerMac.get(mac)?.size ?? 0;
  if (shared >= GATEWAY_ADDRESSES) {
    return {
      doubt: `behind a router (MAC ${macFromNumber(mac)} sends for ${shared}+ addresses): no MAC recorded`,
    };
  }
  return { mac: macFromNumber(mac) };
}

function inventory(
  state: LearnState,
  hosts: readonly Host[],
  roles: ReadonlyMap<number, RoleGuess>,
  registry: OuiRegistry | undefined,
) {
  const zones = new Map<string, ProposedZone & { networks: string[] }>();
  const assets = new Map<number, ProposedAsset>();
  const zoneOfHost = new Map<number, string>();
  for (const h of hosts) {
    if (isGroupAddress(h)) {
      const name =
        `${h.family === 4 && h.v4 === 0xffff_ffff ? 'bcast' : 'mcast'}-${nameOfAddress(h.ip)}`.slice(
          0,
          MAX_NAME,
        );
      zones.set(name, {
        name,
        networks: [`${h.ip}/${h.family === 4 ? 32 : 128}`],
        why: 'a multicast or broadcast destination',
      });
      zoneOfHost.set(h.index, name);
      continue;
    }
    const subnet = subnetOf(h);
    const zone = zones.get(subnet.name) ?? { name: subnet.name, networks: [subnet.network], why: 'subnet' };
    zones.set(subnet.name, zone);
    const guess = roles.get(h.index);
    const broadcast = isDirectedBroadcast(h);
    const role = broadcast ? 'broadcast' : (guess?.role ?? 'unknown');
    const unsure: string[] = [];
    if (guess?.fromPortOnly) unsure.push('role from port numbers only');
    const { mac, doubt } = broadcast ? {} : macOf(state, h);
    if (doubt !== undefined) unsure.push(doubt);
    const vendor = mac !== undefined && registry !== undefined ? vendorOf(registry, mac) : undefined;
    assets.set(h.index, {
      name: `${role}-${nameOfAddress(h.ip)}`.slice(0, MAX_NAME),
      ip: h.ip,
      ...(mac === undefined ? {} : { mac }),
      ...(vendor === undefined ? {} : { vendor }),
      zone: subnet.name,
      role,
      why: broadcast ? 'a directed broadcast address' : (guess?.why ?? 'no industrial protocol seen'),
      unsure,
    });
  }
  dropSharedMacs(assets);
  const unitOf = (host: number): string => assets.get(host)?.name ?? zoneOfHost.get(host) ?? '?';
  return { zones, assets, unitOf };
}

/**
 * A MAC belongs to one asset in a policy. One device with several addresses
 * (IPv4 and IPv6 link-local, or secondary addresses) keeps it on its first
 * (IPv4) asset; the others say which asset has it.
 */
function dropSharedMacs(assets: Map<number, ProposedAsset>): void {
  const owner = new Map<string, string>();
  for (const [index, a] of assets) {
    if (a.mac === undefined) continue;
    const first = owner.get(a.mac);
    if (first === undefined) {
      owner.set(a.mac, a.name);
      continue;
    }
    const { mac, vendor, ...rest } = a;
    assets.set(index, {
      ...rest,
      unsure: [...a.unsure, `same MAC ${mac} as ${first} (one device, several addresses?)`],
    });
  }
}

/** Hosts (assets only) with the same role and identical edge signatures become one context group. */
function groupUnits(
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

function buildRules(
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
      MAX_NAME - 3,
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

/** Service names, unique per (transport, port, protocol). */
class ServiceNames {
  private readonly byKey = new Map<string, ProposedService>();
  private readonly taken = new Set<string>();

  nameOf(t: TaggedService): string {
    const s = t.service;
    const key = `${s.udp ? 'udp' : 'tcp'}/${s.port}/${t.protocol ?? ''}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known.name;
    const base = serviceBaseName(t);
    let name = this.taken.has(base) ? `${base}-${s.udp ? 'udp' : 'tcp'}` : base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}-${i}`;
    this.taken.add(name);
    const transport = s.udp ? 'udp' : 'tcp';
    this.byKey.set(key, {
      name,
      ports: [{ transport, from: s.port, to: s.port }],
      ...(t.protocol === undefined ? {} : { protocol: t.protocol }),
    });
    return name;
  }

  /** A range service `tcp-5000-5010` (--generalize). */
  rangeOf(udp: boolean, from: number, to: number): string {
    const transport = udp ? 'udp' : 'tcp';
    const key = `${transport}/${from}-${to}/`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known.name;
    let name = `${transport}-${from}-${to}`;
    for (let i = 2; this.taken.has(name); i++) name = `${transport}-${from}-${to}-${i}`;
    this.taken.add(name);
    this.byKey.set(key, { name, ports: [{ transport, from, to }] });
    return name;
  }

  services(): ProposedService[] {
    return [...this.byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

interface PortRange {
  readonly from: number;
  readonly to: number;
  readonly ports: readonly number[];
}

/**
 * --generalize: the unprivileged ports without a known protocol that one client
 * reached on one server (dynamic RPC ports, a vendor's port block) become one
 * range from the lowest to the highest.
 */
function portRanges(tagged: readonly TaggedService[]): Map<TaggedService, PortRange> {
  const byPair = new Map<string, TaggedService[]>();
  for (const t of tagged) {
    const s = t.service;
    if (t.protocol !== undefined || s.port < 1024) continue;
    const key = `${s.client}>${s.server}>${s.udp}`;
    byPair.set(key, [...(byPair.get(key) ?? []), t]);
  }
  const out = new Map<TaggedService, PortRange>();
  for (const list of byPair.values()) {
    if (list.length < 2) continue;
    const ports = list.map((t) => t.service.port).sort((a, b) => a - b);
    const range = { from: ports[0]!, to: ports[ports.length - 1]!, ports };
    for (const t of list) out.set(t, range);
  }
  return out;
}

function warningsOf(state: LearnState): string[] {
  const out = [...state.capsHit].map((c) => `limit reached: ${c}; traffic beyond it was not learned`);
  if (state.malformedFrames > 0)
    out.push(`${state.malformedFrames} frame(s) with malformed or truncated headers`);
  if (state.undecodable > 0)
    out.push(`${state.undecodable} frame(s) of an unknown link type or too short to read`);
  return out;
}
