// For `deceive: true`: the node's own namespace routes each decoy address via
// the bridge, with the decoy's MAC as a permanent neighbour, and lets the bridge
// forward (net.ipv4.conf.<bridge>.forwarding=1) without reverse-path checks
// (rp_filter=0: the node has no route back to the plant), so br_netfilter can
// deliver a bridged packet that nat prerouting redirected to a decoy (it looks
// the new destination up in the node's routes and rewrites the Ethernet
// destination; measured: with rp_filter 1 or 2 the redirected packet is lost).
// Nothing is sent: no address on the bridge, no ARP. Decoys → routes. Driver.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type DecoyLink, DecoyLinkError } from './links.js';

/** The decoy routes of the node's namespace. */
export interface BridgeRoutes {
  /** Makes the routes and neighbours equal to `decoys`; false when `all.rp_filter` still blocks the redirect. */
  apply(decoys: readonly DecoyLink[]): { readonly reversePathOk: boolean };
  /** Removes every route and neighbour it added and restores the bridge's switches. */
  close(): void;
}

/** Routes decoys via `bridge` in the current namespace. */
export function createBridgeRoutes(bridge: string): BridgeRoutes {
  const conf = (name: string, key: string) => `/proc/sys/net/ipv4/conf/${name}/${key}`;
  const switches = [conf(bridge, 'forwarding'), conf(bridge, 'rp_filter')];
  const wanted = ['1', '0'];
  let before: string[] | undefined;
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
        before = switches.map((file) => readFileSync(file, 'utf8').trim());
        switches.forEach((file, i) => {
          writeFileSync(file, wanted[i] ?? '0');
        });
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
      // The kernel checks the larger of `all` and the bridge's own value.
      return { reversePathOk: readFileSync(conf('all', 'rp_filter'), 'utf8').trim() === '0' };
    },
    close() {
      batch([...routed.keys()].flatMap(remove), true);
      routed = new Map();
      if (before !== undefined) {
        const values = before;
        switches.forEach((file, i) => {
          try {
            writeFileSync(file, values[i] ?? '0');
          } catch {
            // The bridge is gone, and its switches with it.
          }
        });
        before = undefined;
      }
    },
  };
}
