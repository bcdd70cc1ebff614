// The identity portal in the kernel. Per role: `role_<id><f>`, the
// destination . proto . port tuples the role opens (an interval set, cut
// disjoint like the allow sets), and `permit_<id><f>`, the sources holding a
// permit for it — elements the node adds with the grant as their kernel
// timeout, so a permit ends on time with no Picket process running. With
// `unrecognized: portal` in enforce mode, sources that are neither assets
// (`known<f>`) nor permit holders get TCP 80/443 redirected to the portal on
// the node (nat prerouting: br_netfilter hands bridged IPv4 to it and
// delivers a DNATed packet locally), and everything else they send is dropped
// and logged, never quarantined. Policy → PortalRuleset → rule lines. Pure.

import type { Endpoint, IpFamily, Policy } from '../policy/types.js';
import { type AddressBox, endpointRanges, portText, rangeText } from './boxes.js';
import { disjointBoxes } from './disjoint.js';
import { comment, identifierParts } from './nft-syntax.js';
import { LOG_PREFIX, type PortalRuleset, type RoleEntry, type Ruleset } from './ruleset.js';

/** The plain-HTTP answerer listens on the port after the HTTPS one. */
export function portalHttpPort(listenPort: number): number {
  return listenPort + 1;
}

/** The DNS answerer (every name → the portal) listens on the port after that (UDP). */
export function portalDnsPort(listenPort: number): number {
  return listenPort + 2;
}

/** Name of the set of sources holding a permit for a role (by its id) and family. */
export function permitSetName(id: string, family: IpFamily): string {
  return `permit_${id}${family}`;
}

/** Name of the set of tuples a role opens, by its id and family. */
export function roleSetName(id: string, family: IpFamily): string {
  return `role_${id}${family}`;
}

/** The portal's part of the ruleset; undefined when the policy has no `portal:`. */
export function compilePortal(policy: Policy): PortalRuleset | undefined {
  const portal = policy.portal;
  if (!portal) return undefined;
  const ids = identifierParts(portal.roles.map((r) => r.name));
  const roles = [...portal.roles]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((role) => ({
      role: role.name,
      id: ids.get(role.name) ?? role.name,
      line: role.loc.line,
      entries: roleEntries(policy, role.to, role.services, role.name, role.loc.line),
    }));
  const redirect = policy.enforcement.mode === 'enforce' && policy.enforcement.unrecognized === 'portal';
  return {
    listenPort: portal.listenPort,
    httpPort: portalHttpPort(portal.listenPort),
    dnsPort: portalDnsPort(portal.listenPort),
    line: portal.loc.line,
    redirect,
    roles,
    known: redirect
      ? policy.assets.map((a) => ({ asset: a.name, address: a.ip, family: a.family, line: a.loc.line }))
      : [],
  };
}

function roleEntries(
  policy: Policy,
  to: readonly Endpoint[],
  services: readonly string[],
  role: string,
  line: number,
): RoleEntry[] {
  const ports = services.flatMap((name) => policy.services.find((s) => s.name === name)?.ports ?? []);
  const boxes: AddressBox[] = [];
  for (const destination of to.flatMap((e) => endpointRanges(policy, e))) {
    // One shared source range: the set has no source, the disjoint cut is over the rest.
    const source = { family: destination.family, first: 0n, last: 0n };
    for (const p of ports) {
      boxes.push({
        family: destination.family,
        source,
        destination,
        transport: p.transport,
        fromPort: p.from,
        toPort: p.to,
        rule: role,
        line,
      });
    }
  }
  return disjointBoxes(boxes).map((b) => ({
    family: b.family,
    destination: rangeText(b.destination),
    transport: b.transport,
    ports: portText(b.fromPort, b.toPort),
  }));
}

/** A permit element carried over a re-apply (read back from the kernel). */
export interface PermitElement {
  readonly set: string;
  readonly address: string;
  readonly timeoutSeconds: number;
  readonly expiresSeconds: number;
}

const families = [4, 6] as const;

/** The families a role has tuples in: only those get sets. */
function roleFamilies(role: PortalRuleset['roles'][number]): IpFamily[] {
  return families.filter((f) => role.entries.some((e) => e.family === f));
}

/** The sets the portal declares: known assets, and per role and family its tuples and its permit holders. */
export function portalSetLines(
  r: Ruleset,
  set: (name: string, type: string, props: readonly string[], elements: readonly string[]) => string[],
): string[] {
  const p = r.portal;
  if (!p) return [];
  const at = (what: string, line = p.line) => comment(`${r.policyFile}:${line} ${what}`);
  const out: string[] = [];
  if (p.redirect) {
    for (const f of families) {
      const known = p.known.filter((k) => k.family === f).map((k) => `${k.address}${at(k.asset, k.line)}`);
      out.push(...set(`known${f}`, `ipv${f}_addr`, [], known), '');
    }
  }
  for (const role of p.roles) {
    for (const f of roleFamilies(role)) {
      const addr = `ipv${f}_addr`;
      const entries = role.entries
        .filter((e) => e.family === f)
        .map((e) => `${e.destination} . ${e.transport} . ${e.ports}${at(`role ${role.role}`, role.line)}`);
      out.push(
        ...set(roleSetName(role.id, f), `${addr} . inet_proto . inet_service`, ['flags interval'], entries),
      );
      out.push('');
      out.push(...set(permitSetName(role.id, f), addr, ['flags timeout', 'size 65536'], []), '');
    }
  }
  return out;
}

/** Forward chain: a permit holder's traffic inside its role is accepted (before the out-of-profile tail). */
export function permitRules(r: Ruleset): string[] {
  const p = r.portal;
  if (!p) return [];
  return p.roles.flatMap((role) =>
    roleFamilies(role).map((f) => {
      const ip = f === 4 ? 'ip' : 'ip6';
      return `${ip} saddr @${permitSetName(role.id, f)} ${ip} daddr . meta l4proto . th dport @${roleSetName(role.id, f)} counter accept${comment(`${r.policyFile}:${role.line} portal role ${role.role}: permit`)}`;
    }),
  );
}

/**
 * Forward chain, head of the tail: what is left from a source that is no
 * asset is dropped and logged (the node records an unknown device), never
 * quarantined — a visitor's laptop is not an attacker.
 */
export function unrecognizedRules(r: Ruleset, log: (prefix: string) => string): string[] {
  const p = r.portal;
  if (!p?.redirect) return [];
  const at = (what: string) => comment(`${r.policyFile}:${r.enforcementLine} ${what}`);
  return families.flatMap((f) => {
    const match = `${f === 4 ? 'ip' : 'ip6'} saddr != @known${f}`;
    return [
      `${match} ${log(LOG_PREFIX.block)}${at('unrecognized: portal, drop (not quarantined)')}`,
      `${match} counter drop${at('unrecognized: portal, drop (not quarantined)')}`,
    ];
  });
}

/**
 * The nat chain that sends unrecognized sources' web traffic (and their DNS
 * questions, so names lead to the portal too) to the portal on
 * the node (`redirect` picks the address of the interface the packet came in
 * on: the bridge's portal address). Only new connections pass a nat chain, so
 * a connection keeps where it was first sent. IPv4 only.
 */
export function portalNatChain(
  r: Ruleset,
  chain: (name: string, hook: string, rules: readonly string[]) => string[],
): string[] {
  const p = r.portal;
  if (!p?.redirect) return [];
  const at = (what: string) => comment(`${r.policyFile}:${p.line} portal: ${what}`);
  const holders = p.roles
    .filter((role) => role.entries.some((e) => e.family === 4))
    .map((role) => `ip saddr @${permitSetName(role.id, 4)} return${at(`permit holder, role ${role.role}`)}`);
  return [
    ...chain('portal', 'type nat hook prerouting priority dstnat; policy accept;', [
      `ip saddr @quarantine4 return${at('quarantined: no portal')}`,
      `ip saddr @known4 return${at('assets keep their path')}`,
      ...holders,
      `ip protocol tcp tcp dport 80 counter redirect to :${p.httpPort}${at('unrecognized http to the portal')}`,
      `ip protocol tcp tcp dport 443 counter redirect to :${p.listenPort}${at('unrecognized https to the portal')}`,
      `ip protocol udp udp dport 53 counter redirect to :${p.dnsPort}${at('unrecognized dns: every name is the portal')}`,
    ]),
    '',
  ];
}

/** The permit set of `role` for an address family in a compiled ruleset; undefined when it has none. */
export function permitSetFor(r: Ruleset, role: string, family: IpFamily): string | undefined {
  const found = r.portal?.roles.find((x) => x.role === role && x.entries.some((e) => e.family === family));
  return found === undefined ? undefined : permitSetName(found.id, family);
}
