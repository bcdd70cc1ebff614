// Single-element transactions for latency measurements: the nft commands that
// quarantine and release an address, and that add and remove one permit tuple,
// against Picket's inet table. Count → command lists. Pure.

import { exactSetName } from '../compile/forward-chain.js';
import { TABLE_INET } from '../compile/ruleset.js';

/** Paired commands: `add[i]` puts an element in, `delete[i]` takes the same one out. */
export interface ElementOps {
  readonly add: readonly string[];
  readonly delete: readonly string[];
}

/** Address i in 10.99.0.0/16 — outside the lab and the synthetic policy. */
function address(i: number): string {
  return `10.99.${(i >> 8) & 255}.${i & 255}`;
}

/** Quarantine-style: an address into `quarantine4` with a timeout, as the decision loop does. */
export function quarantineOps(count: number): ElementOps {
  const ids = Array.from({ length: count }, (_, i) => address(i));
  return {
    add: ids.map((a) => `add element inet ${TABLE_INET} quarantine4 { ${a} timeout 3600s }`),
    delete: ids.map((a) => `delete element inet ${TABLE_INET} quarantine4 { ${a} }`),
  };
}

/** Permit-style: one exact `saddr . daddr . proto . port` tuple into the IPv4 exact-tuple (hash) set. */
export function permitOps(count: number, destination: string): ElementOps {
  const ids = Array.from({ length: count }, (_, i) => address(i));
  const set = exactSetName(4);
  const elem = (a: string) => `{ ${a} . ${destination} . tcp . 502 }`;
  return {
    add: ids.map((a) => `add element inet ${TABLE_INET} ${set} ${elem(a)}`),
    delete: ids.map((a) => `delete element inet ${TABLE_INET} ${set} ${elem(a)}`),
  };
}
