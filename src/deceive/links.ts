// The decoys on the wire: a veth from the node's bridge into the decoy
// server's network namespace, and on its far end one macvlan per decoy with the
// decoy's MAC and address. Each decoy answers ARP only for its own address
// (arp_ignore=1, arp_announce=2), announces itself with a gratuitous ARP when
// its link comes up (arp_notify=1), has the kernel answer ping, and routes its
// replies out of its own link (one routing table per decoy, chosen by source
// address, with an on-link default route). Changes go as one `ip -batch`.
// Desired decoys → interfaces. Driver.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { PicketError } from '../cli/errors.js';

/** A decoy as the wire sees it. */
export interface DecoyLink {
  readonly id: string;
  readonly ip: string;
  readonly mac: string;
}

/** An `ip` or `sysctl` command for the decoys failed. */
export class DecoyLinkError extends PicketError {
  constructor(what: string, stderr: string) {
    super('decoy-links', `${what} failed: ${stderr.trim() || 'no output'}`, {
      hint: 'run as root; the node needs macvlan and veth support in the kernel',
    });
  }
}

/** The decoys' links in one namespace. */
export interface DecoyLinks {
  /** Makes the namespace hold exactly `next`; returns how many links were added and removed. */
  apply(next: readonly DecoyLink[]): { readonly added: number; readonly removed: number };
  /** Removes the veth from the bridge (the namespace itself ends with the server). */
  close(): void;
}

/** The namespace end of the veth, parent of every decoy's macvlan. */
const TRUNK = 'dcy';
/** Routing tables and rule preferences of decoy n are BASE + n. */
const BASE = 1000;
/** Device group of links about to be deleted together. */
const DOOMED_GROUP = 99;

function run(argv: readonly string[], what: string, input?: string): string {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  if (r.status !== 0) throw new DecoyLinkError(what, `${r.stderr ?? ''}${r.error?.message ?? ''}`);
  return r.stdout ?? '';
}

/** Joins the server's namespace (pid) to `bridge` by a veth named `hostEnd`, ready for decoys. */
export function createDecoyLinks(options: {
  readonly pid: number;
  readonly bridge: string;
  readonly hostEnd: string;
}): DecoyLinks {
  const { pid, bridge, hostEnd } = options;
  const inNs = (argv: readonly string[]) => ['nsenter', '-t', String(pid), '-n', ...argv];
  // A leftover end from an earlier run (its namespace still draining) would block the name.
  spawnSync('ip', ['link', 'del', hostEnd], { encoding: 'utf8' });
  run(
    ['ip', 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', TRUNK, 'netns', String(pid)],
    'creating the decoy veth',
  );
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${hostEnd}/disable_ipv6`, '1');
  } catch {
    // No IPv6 in this kernel: nothing to silence.
  }
  run(['ip', 'link', 'set', hostEnd, 'master', bridge, 'up'], `joining ${hostEnd} to ${bridge}`);
  run(
    inNs([
      'sysctl',
      '-q',
      '-w',
      'net.ipv4.conf.all.arp_ignore=1',
      'net.ipv4.conf.all.arp_announce=2',
      'net.ipv4.conf.all.arp_notify=1',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]),
    'setting the decoy namespace sysctls',
  );
  run(inNs(['ip', 'link', 'set', TRUNK, 'up']), 'bringing the decoy trunk up');

  const slots = new Map<string, { n: number; link: DecoyLink }>();
  const freeSlots: number[] = [];
  let nextSlot = 0;

  return {
    apply(next) {
      const wanted = new Map(next.map((d) => [d.id, d]));
      const lines: string[] = [];
      let removed = 0;
      let added = 0;
      // Deleting a link waits for an RCU grace period (tens of ms each); links
      // that go are put in one device group and deleted together, one wait.
      for (const [id, { n, link }] of slots) {
        const want = wanted.get(id);
        if (want && want.ip === link.ip && want.mac === link.mac) continue;
        slots.delete(id);
        lines.push(`rule del pref ${BASE + n}`, `link set d${n} group ${DOOMED_GROUP}`);
        freeSlots.push(n);
        removed++;
      }
      if (removed > 0) lines.push(`link del group ${DOOMED_GROUP}`);
      const up: string[] = [];
      for (const link of next) {
        if (slots.has(link.id)) continue;
        const n = freeSlots.pop() ?? nextSlot++;
        slots.set(link.id, { n, link });
        const dev = `d${n}`;
        lines.push(
          `link add link ${TRUNK} name ${dev} address ${link.mac} type macvlan mode private`,
          `addr add ${link.ip}/32 dev ${dev}`,
          `rule add from ${link.ip} lookup ${BASE + n} pref ${BASE + n}`,
        );
        // Brought up after the address and rule exist, so the gratuitous ARP (arp_notify) names the new address.
        up.push(`link set ${dev} up`, `route replace default dev ${dev} table ${BASE + n}`);
        added++;
      }
      if (lines.length + up.length > 0)
        run(inNs(['ip', '-batch', '-']), 'changing the decoy links', `${[...lines, ...up].join('\n')}\n`);
      return { added, removed };
    },
    close() {
      spawnSync('ip', ['link', 'del', hostEnd], { encoding: 'utf8' });
    },
  };
}
