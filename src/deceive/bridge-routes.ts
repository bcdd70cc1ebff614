// For `deceive: true`: the node's own namespace routes each decoy address via
// the bridge, with the decoy's MAC as a permanent neighbour, and lets the bridge
// forward (net.ipv4.conf.<bridge>.forwarding=1), so br_netfilter can deliver a
// bridged packet that nat prerouting redirected to a decoy (it looks the new
// destination up in the node's routes and rewrites the Ethernet destination).
// Nothing is sent: no address on the bridge, no ARP. Decoys → routes. Driver.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type DecoyLink, DecoyLinkError } from './links.js';

/** The decoy routes of the node's namespace. */
export interface BridgeRoutes {
  /** Makes the routes and neighbours equal to `decoys`. */
  apply(decoys: readonly DecoyLink[]): void;
  /** Removes every route and neighbour it added and restores the bridge's forwarding switch. */
  close(): void;
}

/** Routes decoys via `bridge` in the current namespace. */
export function createBridgeRoutes(bridge: string): BridgeRoutes {
  const forwarding = `/proc/sys/net/ipv4/conf/${bridge}/forwarding`;
  let before: string | undefined;
  let routed = new Map<string, string>();
  /** Runs `ip` lines; `bestEffort` for deletions of what may already be gone. */
  const batch = (lines: readonly string[], bestEffort = false) => {
    if (lines.length === 0) return;
    const argv = bestEffort ? ['-force', '-batch', '-'] : ['-batch', '-'];
    const r = spawnSync('ip', argv, { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
    if (r.status !== 0 && !bestEffort)
      throw new DecoyLinkError('routing decoys via the bridge', r.stderr ?? '');
  };
  const remove = (ip: string) => [`route del ${ip}/32 dev ${bridge}`, `neigh del ${ip} dev ${bridge}`];
  return {
    apply(decoys) {
      if (before === undefined) {
        before = readFileSync(forwarding, 'utf8').trim();
        writeFileSync(forwarding, '1');
      }
      const next = new Map(decoys.map((d) => [d.ip, d.mac]));
      batch(
        [...routed].filter(([ip, mac]) => next.get(ip) !== mac).flatMap(([ip]) => remove(ip)),
        true,
      );
      const lines: string[] = [];
      for (const [ip, mac] of next) {
        if (routed.get(ip) === mac) continue;
        lines.push(
          `route replace ${ip}/32 dev ${bridge}`,
          `neigh replace ${ip} lladdr ${mac} dev ${bridge} nud permanent`,
        );
      }
      routed = next;
      batch(lines);
    },
    close() {
      batch([...routed.keys()].flatMap(remove), true);
      routed = new Map();
      if (before !== undefined) {
        try {
          writeFileSync(forwarding, before);
        } catch {
          // The bridge is gone, and its switch with it.
        }
        before = undefined;
      }
    },
  };
}
