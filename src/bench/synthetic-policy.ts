// Synthetic policies for benchmarks: N allowed (source, destination, transport,
// port) tuples spread over non-adjacent addresses (so no compiler can merge
// them into ranges), plus the benchmark's real flow as the policy's last rule.
// Sizes and the real flow → Policy. Pure.

import type { SourceLocation } from '../policy/diagnostic.js';
import type { Asset, Policy, Prefix, Rule, Service } from '../policy/types.js';

/** The measured flow: one sender and one receiver in the lab, and the ports the traffic uses. */
export interface BenchFlow {
  readonly source: { readonly name: string; readonly ip: string };
  readonly destination: { readonly name: string; readonly ip: string };
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  /** The lab's subnet, e.g. `10.30.0.0/16`; it must not overlap 10.64.0.0/15. */
  readonly subnet: Prefix;
}

/** Destinations per synthetic rule: each rule allows one source to all of them on tcp/502. */
export const DESTINATIONS_PER_RULE = 100;

const FILE = 'bench-synthetic.yaml';
const at = (line: number): SourceLocation => ({ file: FILE, line, col: 1 });
const prefix = (address: string, length: number): Prefix => ({ family: 4, address, length });

/** Source i: 10.64.x.y with odd last octets, so no two sources are adjacent (up to 32768). */
export function syntheticSource(i: number): string {
  return `10.64.${i >> 7}.${(i & 127) * 2 + 1}`;
}

/** Destination j: 10.65.j.1 (up to 256). */
export function syntheticDestination(j: number): string {
  return `10.65.${j}.1`;
}

/**
 * A policy whose compiled allow set holds `pairs` synthetic tuples plus the
 * flow's (one per flow port). `pairs` must be a positive multiple of
 * DESTINATIONS_PER_RULE and at most 32768 × DESTINATIONS_PER_RULE.
 */
export function syntheticPolicy(pairs: number, flow: BenchFlow): Policy {
  const rulesCount = pairs / DESTINATIONS_PER_RULE;
  if (!Number.isInteger(rulesCount) || rulesCount < 1 || rulesCount > 32768) {
    throw new RangeError(`pairs must be a positive multiple of ${DESTINATIONS_PER_RULE} up to 3276800`);
  }
  const asset = (name: string, ip: string, zone: string, line: number): Asset => ({
    name,
    ip,
    family: 4,
    zone,
    critical: false,
    loc: at(line),
  });
  const destinations = Array.from({ length: DESTINATIONS_PER_RULE }, (_, j) =>
    asset(`plc-${j}`, syntheticDestination(j), 'synthetic-cell', 10 + j),
  );
  const sources = Array.from({ length: rulesCount }, (_, i) =>
    asset(`client-${i}`, syntheticSource(i), 'synthetic-clients', 1000 + i),
  );
  const services: Service[] = [
    { name: 'modbus', ports: [{ transport: 'tcp', from: 502, to: 502 }], protocol: 'modbus', loc: at(5) },
    {
      name: 'bench',
      ports: [
        ...flow.tcpPorts.map((p) => ({ transport: 'tcp' as const, from: p, to: p })),
        ...flow.udpPorts.map((p) => ({ transport: 'udp' as const, from: p, to: p })),
      ],
      loc: at(6),
    },
  ];
  const rules: Rule[] = sources.map((s, i) => ({
    name: `synthetic-${i}`,
    from: { kind: 'asset', name: s.name },
    to: { kind: 'group', name: 'plcs' },
    services: ['modbus'],
    loc: at(100_000 + i),
  }));
  // Last, so a linear list built in policy order has the measured flow at its end.
  rules.push({
    name: 'bench-flow',
    from: { kind: 'asset', name: flow.source.name },
    to: { kind: 'asset', name: flow.destination.name },
    services: ['bench'],
    loc: at(999_999),
  });
  return {
    version: 1,
    site: 'bench',
    file: FILE,
    zones: [
      { name: 'lab', networks: [flow.subnet], loc: at(2) },
      { name: 'synthetic-clients', networks: [prefix('10.64.0.0', 16)], loc: at(3) },
      { name: 'synthetic-cell', networks: [prefix('10.65.0.0', 16)], loc: at(4) },
    ],
    assets: [
      asset(flow.source.name, flow.source.ip, 'lab', 7),
      asset(flow.destination.name, flow.destination.ip, 'lab', 8),
      ...destinations,
      ...sources,
    ],
    groups: [{ name: 'plcs', assets: destinations.map((d) => d.name), loc: at(9) }],
    services,
    schedules: [],
    rules,
    enforcement: {
      mode: 'enforce',
      unrecognized: 'block',
      outOfProfile: 'quarantine',
      quarantine: { durationSeconds: 3600, never: [] },
      l2: { allow: [0x0806], default: 'accept' },
      loc: at(1),
    },
  };
}
