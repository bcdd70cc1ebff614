// Flow telemetry per zone pair, for the dashboard: packets and bytes of the
// events the kernel handed the node (denied, alerted, would-block…), keyed by
// source zone → destination zone. The allowed traffic the kernel forwards at
// full speed is not seen here: the compiler's allow sets carry no per-element
// counters, so allowed traffic is reported per forward-chain rule instead
// (rule-counters.ts). Policy zones + PacketEvent → counters. Pure.

import { parseAddress } from '../net/address.js';
import { parsePrefix, prefixContains } from '../net/prefix.js';
import type { Zone } from '../policy/types.js';
import type { PacketEvent } from '../sense/packet-event.js';

/** Packets and bytes seen from one zone to another, by what the kernel did. */
export interface ZonePairFlow {
  readonly from: string;
  readonly to: string;
  readonly origin: PacketEvent['origin'];
  readonly packets: number;
  readonly bytes: number;
}

/** Counts events per zone pair; bounded by (zones + 1)² × origins. */
export interface FlowTelemetry {
  add(event: PacketEvent): void;
  /** Maps addresses with a new policy's zones from now on; counts so far are kept. */
  setZones(zones: readonly Zone[]): void;
  snapshot(): readonly ZonePairFlow[];
}

/** Zone name of an address by longest prefix, or `outside` when no zone has it. */
export function zoneLookup(zones: readonly Zone[]): (ip: string | undefined) => string {
  const table = zones
    .flatMap((z) =>
      z.networks.map((n) => ({ zone: z.name, prefix: parsePrefix(`${n.address}/${n.length}`)?.prefix })),
    )
    .filter((x) => x.prefix !== undefined)
    .sort((a, b) => (b.prefix?.length ?? 0) - (a.prefix?.length ?? 0));
  return (ip) => {
    const address = ip === undefined ? undefined : parseAddress(ip);
    if (!address) return 'outside';
    return table.find((x) => x.prefix && prefixContains(x.prefix, address))?.zone ?? 'outside';
  };
}

/** Creates telemetry that maps addresses to the policy's zones. */
export function createFlowTelemetry(zones: readonly Zone[]): FlowTelemetry {
  let zoneOf = zoneLookup(zones);
  const flows = new Map<string, ZonePairFlow>();
  return {
    add(event) {
      if (event.srcIp === undefined && event.dstIp === undefined) return;
      const from = zoneOf(event.srcIp);
      const to = zoneOf(event.dstIp);
      const key = `${from}\u0000${to}\u0000${event.origin}`;
      const seen = flows.get(key);
      flows.set(key, {
        from,
        to,
        origin: event.origin,
        packets: (seen?.packets ?? 0) + 1,
        bytes: (seen?.bytes ?? 0) + event.length,
      });
    },
    setZones(next) {
      zoneOf = zoneLookup(next);
    },
    snapshot: () => [...flows.values()],
  };
}
