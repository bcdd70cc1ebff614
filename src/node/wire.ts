// Puts the node on the wire with `ip`: bridge mode builds the bridge (or adopts
// an existing one) and enslaves the member interfaces, with no address of its
// own; sensor mode makes the SPAN/TAP interface mute — no addresses, ARP off,
// IPv6 off (no link-local, no neighbour or router solicitations), promiscuous —
// so it never transmits. Routed mode leaves the host's routing alone.
// NodeWire → interfaces. Shell.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { PicketError } from '../cli/errors.js';
import type { NodeWire } from './config.js';

/** An `ip` command failed while setting up the wire. */
export class WireSetupError extends PicketError {
  readonly argv: readonly string[];
  constructor(argv: readonly string[], stderr: string) {
    super('wire-setup', `\`ip ${argv.join(' ')}\` failed: ${stderr.trim() || 'no output'}`, {
      hint: 'check the interface names in node.yaml against `ip link`, and run as root',
    });
    this.argv = argv;
  }
}

/** What was done, for the log. */
export interface WireReport {
  readonly actions: readonly string[];
}

function ip(args: readonly string[], check = true): { ok: boolean; stdout: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0 && check) throw new WireSetupError(args, r.stderr ?? String(r.error ?? ''));
  return { ok: r.status === 0, stdout: r.stdout ?? '' };
}

interface LinkInfo {
  readonly ifname: string;
  readonly master?: string;
  readonly linkinfo?: { readonly info_kind?: string };
}

function link(name: string): LinkInfo | undefined {
  const r = ip(['-j', '-d', 'link', 'show', 'dev', name], false);
  if (!r.ok) return undefined;
  return (JSON.parse(r.stdout) as LinkInfo[])[0];
}

/** Best effort: a sysctl some kernels lack must not stop the node. */
function sysctl(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

/** Sets up the wire for `wire`; idempotent, so a restart adopts what the last run built. */
export function setUpWire(wire: NodeWire): WireReport {
  const actions: string[] = [];
  if (wire.mode === 'routed') return { actions };
  if (wire.mode === 'sensor') {
    const name = wire.interface;
    if (!link(name)) throw new WireSetupError(['link', 'show', name], `interface ${name} does not exist`);
    // IPv6 first: once the link is up the kernel would send router and neighbour solicitations.
    if (sysctl(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1')) actions.push(`ipv6 off on ${name}`);
    ip(['addr', 'flush', 'dev', name]);
    ip(['link', 'set', 'dev', name, 'arp', 'off', 'promisc', 'on', 'up']);
    actions.push(`${name}: no addresses, arp off, promiscuous, up`);
    return { actions };
  }
  const existing = link(wire.bridge);
  if (existing && existing.linkinfo?.info_kind !== 'bridge') {
    throw new WireSetupError(['link', 'show', wire.bridge], `${wire.bridge} exists and is not a bridge`);
  }
  if (!existing) {
    ip(['link', 'add', 'name', wire.bridge, 'type', 'bridge']);
    // A transparent bridge needs no address; without IPv6 it has no link-local either.
    sysctl(`/proc/sys/net/ipv6/conf/${wire.bridge}/disable_ipv6`, '1');
    actions.push(`created bridge ${wire.bridge}`);
  } else actions.push(`adopted bridge ${wire.bridge}`);
  for (const member of wire.interfaces) {
    const info = link(member);
    if (!info) throw new WireSetupError(['link', 'show', member], `interface ${member} does not exist`);
    if (info.master !== wire.bridge) {
      ip(['link', 'set', 'dev', member, 'master', wire.bridge]);
      actions.push(`${member} joined ${wire.bridge}`);
    }
    ip(['link', 'set', 'dev', member, 'up']);
  }
  ip(['link', 'set', 'dev', wire.bridge, 'up']);
  return { actions };
}
