// Service names of a proposal: one service per (transport, port, protocol),
// named after the port's registered name or `<protocol>-<port>`, and with
// --generalize one range service for the unknown high ports a client reached
// on a server. (tagged services) → named services. Pure.

import type { ProposedService } from './proposal.js';
import type { TaggedService } from './roles.js';
import { serviceBaseName } from './service-shape.js';

/** Service names, unique per (transport, port, protocol). */
export class ServiceNames {
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

export interface PortRange {
  readonly from: number;
  readonly to: number;
  readonly ports: readonly number[];
}

/**
 * --generalize: the unprivileged ports without a known protocol that one client
 * reached on one server (dynamic RPC ports, a vendor's port block) become one
 * range from the lowest to the highest.
 */
export function portRanges(tagged: readonly TaggedService[]): Map<TaggedService, PortRange> {
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
