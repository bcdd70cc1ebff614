// Lab layout: a LabSpec and a short lab id → namespace names and the `ip`
// batch commands that build the plant (a switch netns per segment — or, with
// direct wiring, each host cabled straight to its node port — a netns per
// host, the node netns whose bridge joins the segments). Pure.

import type { LabSpec } from './spec.js';

/** Every namespace of one lab instance; all share the prefix `pk-<id>-`. */
export interface LabLayout {
  readonly id: string;
  readonly prefix: string;
  readonly nodeNs: string;
  readonly hostNs: Readonly<Record<string, string>>;
  readonly switchNs: Readonly<Record<string, string>>;
  readonly namespaces: readonly string[];
}

/** `ip` commands for one namespace (run as `ip -n <ns> -batch -`), or for the root (`ns` null). */
export interface IpBatch {
  readonly ns: string | null;
  readonly commands: readonly string[];
}

/** The interface each host uses, in its own namespace. */
export const HOST_IFACE = 'eth0';
/** The bridge inside each switch namespace. */
export const SWITCH_BRIDGE = 'br0';

/** Names the namespaces of lab instance `id` (4+ lowercase hex digits). */
export function layoutLab(spec: LabSpec, id: string): LabLayout {
  const prefix = `pk-${id}-`;
  const hostNs = Object.fromEntries(spec.hosts.map((h) => [h.name, `${prefix}${h.name}`]));
  const switched = spec.wiring !== 'direct';
  const switchNs = Object.fromEntries(switched ? spec.segments.map((s) => [s, `${prefix}sw-${s}`]) : []);
  const nodeNs = `${prefix}${spec.node.name}`;
  const namespaces = [...Object.values(switchNs), nodeNs, ...Object.values(hostNs)];
  return { id, prefix, nodeNs, hostNs, switchNs, namespaces };
}

/** The batches that build the lab, in order: root (namespaces, veths), then each namespace. */
export function buildBatches(spec: LabSpec, layout: LabLayout): readonly IpBatch[] {
  const root: string[] = layout.namespaces.map((ns) => `netns add ${ns}`);
  const perNs = new Map<string, string[]>(layout.namespaces.map((ns) => [ns, ['link set lo up']]));
  const add = (ns: string, ...cmds: string[]) => perNs.get(ns)?.push(...cmds);

  for (const ns of Object.values(layout.switchNs)) {
    // A dumb switch: no STP (ports forward at once), no IGMP snooping to age out.
    add(
      ns,
      `link add ${SWITCH_BRIDGE} type bridge stp_state 0 mcast_snooping 0`,
      `link set ${SWITCH_BRIDGE} up`,
    );
  }
  const node = spec.node;
  add(layout.nodeNs, `link add ${node.bridge} type bridge stp_state 0 mcast_snooping 0`);
  for (const host of spec.hosts) {
    const ns = layout.hostNs[host.name] ?? '';
    const mac = host.mac ? ` address ${host.mac}` : '';
    const sw = layout.switchNs[host.segment];
    if (sw === undefined) {
      // Direct wiring: the host's cable ends in the node port of its segment.
      const port = node.ports.find((p) => p.segment === host.segment)?.name ?? host.name;
      root.push(
        `link add name ${HOST_IFACE} netns ${ns}${mac} type veth peer name ${port} netns ${layout.nodeNs}`,
      );
    } else {
      root.push(`link add name ${HOST_IFACE} netns ${ns}${mac} type veth peer name ${host.name} netns ${sw}`);
      add(sw, `link set ${host.name} master ${SWITCH_BRIDGE}`, `link set ${host.name} up`);
    }
    add(ns, `addr add ${host.ipv4}/${spec.subnet.ipv4Prefix} dev ${HOST_IFACE}`);
    // nodad: the address is usable at once instead of after ~1 s of duplicate detection.
    if (host.ipv6) add(ns, `addr add ${host.ipv6}/64 dev ${HOST_IFACE} nodad`);
    add(ns, `link set ${HOST_IFACE} up`);
  }
  for (const port of node.ports) {
    const sw = layout.switchNs[port.segment];
    if (sw !== undefined) {
      root.push(
        `link add name ${port.name} netns ${layout.nodeNs} type veth peer name ${node.name} netns ${sw}`,
      );
      add(sw, `link set ${node.name} master ${SWITCH_BRIDGE}`, `link set ${node.name} up`);
    }
    add(layout.nodeNs, `link set ${port.name} master ${node.bridge}`, `link set ${port.name} up`);
  }
  if (node.ipv4) add(layout.nodeNs, `addr add ${node.ipv4}/${spec.subnet.ipv4Prefix} dev ${node.bridge}`);
  add(layout.nodeNs, `link set ${node.bridge} up`);
  return [{ ns: null, commands: root }, ...[...perNs].map(([ns, commands]) => ({ ns, commands }))];
}

/** Sysctls per namespace: the node sends bridged IPv4/IPv6 through netfilter (br_netfilter). */
export function labSysctls(layout: LabLayout): readonly { ns: string; key: string; value: string }[] {
  return [
    { ns: layout.nodeNs, key: 'net.bridge.bridge-nf-call-iptables', value: '1' },
    { ns: layout.nodeNs, key: 'net.bridge.bridge-nf-call-ip6tables', value: '1' },
  ];
}
