// The inventory of a proposal: each host in normal traffic becomes an asset
// in its subnet's zone (/24, /64), with the MAC seen for it on its own
// segment — not a router's, not one shared with another asset — and the
// vendor of that MAC from the IEEE registry; multicast and broadcast
// destinations get a zone of their own. (state, hosts, roles) → zones, assets. Pure.

import { macFromNumber } from '../sense/decode-fast.js';
import { type OuiRegistry, vendorOf } from './oui.js';
import type { ProposedAsset, ProposedZone } from './proposal.js';
import type { RoleGuess } from './roles.js';
import type { Host, LearnState } from './state.js';

/** A MAC that sources this many IPv4 addresses is a router's: it is nobody's own. */
const GATEWAY_ADDRESSES = 3;
/** Longest name the policy accepts. */
const MAX_NAME = 63;

/** Hosts in address order, IPv4 first. */
export function byAddress(a: Host, b: Host): number {
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

/** Zones and assets for the hosts in use; `unitOf` names what a rule calls each host. */
export function inventory(
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
