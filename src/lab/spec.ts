// The lab file: lab.yaml text → a validated LabSpec, or every problem found as
// LabIssue values citing file:line:col. Unknown keys are errors. Pure.

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument } from 'yaml';
import type { LabIssue } from './errors.js';
import { type At, fields, ident, num, str } from './yaml-fields.js';

/** A service a lab host runs. */
export type LabService =
  | { readonly kind: 'modbus-server'; readonly port: number }
  | {
      readonly kind: 'hmi-poller';
      readonly target: string;
      readonly hz: number;
      readonly persistent: boolean;
    };

/** One end host (HMI, historian, PLC, attacker) on a segment. */
export interface LabHost {
  readonly name: string;
  readonly segment: string;
  readonly ipv4: string;
  readonly ipv6?: string;
  readonly mac?: string;
  readonly services: readonly LabService[];
}

/** The enforcement node: a bridge whose ports each face one segment. */
export interface LabNode {
  readonly name: string;
  readonly bridge: string;
  readonly ports: readonly { readonly name: string; readonly segment: string }[];
  readonly ipv4?: string;
}

/** A validated lab: one flat IP subnet, switches (segments), hosts and the node. */
export interface LabSpec {
  readonly name: string;
  readonly subnet: { readonly ipv4: string; readonly ipv4Prefix: number; readonly ipv6?: string };
  readonly segments: readonly string[];
  /**
   * `switched` (default): a switch namespace per segment joins its hosts and the
   * node port. `direct`: each segment is one host wired straight into the node
   * port — no switch to forward through (the benchmark's plant).
   */
  readonly wiring?: 'switched' | 'direct';
  readonly node: LabNode;
  readonly hosts: readonly LabHost[];
}

/** Result of parsing: a spec, or the issues that prevent one. */
export type LabSpecResult =
  | { readonly ok: true; readonly spec: LabSpec }
  | { readonly ok: false; readonly issues: readonly LabIssue[] };

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Parses and validates lab.yaml text; `file` is used only in messages. */
export function parseLabSpec(text: string, file: string): LabSpecResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const issues: LabIssue[] = [];
  const at = (node: Node | null | undefined, code: string, message: string): void => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    issues.push({ file, line: pos.line, col: pos.col, code, message });
  };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    issues.push({
      file,
      line: pos.line,
      col: pos.col,
      code: 'yaml-syntax',
      message: e.message.split('\n')[0] ?? '',
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const root = doc.contents;
  if (!isMap(root)) {
    at(root, 'not-a-map', 'a lab file is a mapping with keys lab, subnet, segments, node, hosts');
    return { ok: false, issues };
  }
  const top = fields(
    root,
    ['lab', 'subnet', 'segments', 'wiring', 'node', 'hosts'],
    ['lab', 'subnet', 'segments', 'node', 'hosts'],
    at,
  );
  const name = str(top.get('lab'), 'lab', at);
  if (name !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(name)) {
    at(top.get('lab'), 'bad-name', `lab name "${name}" must be lowercase letters, digits and "-" (max 32)`);
  }
  const subnet = parseSubnet(top.get('subnet'), at);
  const segments = parseSegments(top.get('segments'), at);
  const hosts = parseHosts(top.get('hosts'), segments, subnet, at);
  const node = parseNode(top.get('node'), segments, subnet, at);
  if (node && hosts.some((h) => h.name === node.name)) {
    at(top.get('node'), 'duplicate-name', `node name "${node.name}" is also a host name`);
  }
  const wiring = parseWiring(top.get('wiring'), segments, hosts, at);
  // Cross-references only once every host parsed, so one typo gives one message.
  if (issues.length === 0) crossCheck(hosts, top.get('hosts'), at);
  if (issues.length > 0 || name === undefined || !subnet || !node) return { ok: false, issues };
  return {
    ok: true,
    spec: { name, subnet, segments, ...(wiring === 'direct' ? { wiring } : {}), node, hosts },
  };
}

type Subnet = LabSpec['subnet'];

function crossCheck(hosts: readonly LabHost[], hostsNode: Node | undefined, at: At): void {
  const nodeAt = (path: readonly unknown[]): Node | undefined =>
    isMap(hostsNode) ? ((hostsNode.getIn(path, true) as Node | undefined) ?? hostsNode) : hostsNode;
  const plcs = new Set(
    hosts.filter((h) => h.services.some((s) => s.kind === 'modbus-server')).map((h) => h.name),
  );
  for (const host of hosts) {
    host.services.forEach((s, i) => {
      if (s.kind === 'hmi-poller' && !plcs.has(s.target)) {
        at(
          nodeAt([host.name, 'services', i, 'hmi-poller', 'target']),
          'unknown-target',
          `host "${host.name}": hmi-poller target "${s.target}" is not a host with a modbus-server`,
        );
      }
    });
  }
  const seen = new Map<string, string>();
  for (const h of hosts) {
    for (const key of ['ipv4', 'ipv6', 'mac'] as const) {
      const value = h[key];
      if (value === undefined) continue;
      const other = seen.get(value);
      if (other)
        at(nodeAt([h.name, key]), 'duplicate-address', `hosts "${other}" and "${h.name}" both use ${value}`);
      seen.set(value, h.name);
    }
  }
}

function parseSubnet(node: Node | undefined, at: At): Subnet | undefined {
  if (node === undefined) return undefined;
  if (!isMap(node))
    return void at(node, 'not-a-map', 'subnet is a mapping: { ipv4: 10.20.0.0/16, ipv6: fd20::/64 }');
  const f = fields(node, ['ipv4', 'ipv6'], ['ipv4'], at);
  const v4 = str(f.get('ipv4'), 'subnet.ipv4', at);
  const v6 = str(f.get('ipv6'), 'subnet.ipv6', at);
  const [addr, len] = (v4 ?? '').split('/');
  const prefix = Number(len);
  if (v4 === undefined || !addr || !isIPv4(addr) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    if (v4 !== undefined)
      at(f.get('ipv4'), 'bad-subnet', `subnet.ipv4 "${v4}" must be an IPv4 prefix /8 to /30`);
    return undefined;
  }
  if (v6 !== undefined) {
    const [a6, l6] = v6.split('/');
    if (!a6 || !isIPv6(a6) || l6 !== '64')
      at(f.get('ipv6'), 'bad-subnet', `subnet.ipv6 "${v6}" must be an IPv6 /64`);
  }
  return v6 === undefined ? { ipv4: v4, ipv4Prefix: prefix } : { ipv4: v4, ipv4Prefix: prefix, ipv6: v6 };
}

function parseSegments(node: Node | undefined, at: At): string[] {
  if (node === undefined) return [];
  if (!isSeq(node)) {
    at(node, 'not-a-list', 'segments is a list of names: [upstream, cell]');
    return [];
  }
  const out: string[] = [];
  for (const item of node.items as Node[]) {
    const s = ident(item, 'segment', at);
    if (s !== undefined && out.includes(s)) at(item, 'duplicate-name', `segment "${s}" is listed twice`);
    else if (s !== undefined) out.push(s);
  }
  return out;
}

function inSubnet(ip: string, cidr: string, family: 'ipv4' | 'ipv6'): boolean {
  const [base, len] = cidr.split('/');
  const list = new BlockList();
  list.addSubnet(base ?? '', Number(len), family);
  return list.check(ip, family);
}

function hostAddr(
  node: Node | undefined,
  what: string,
  subnet: Subnet | undefined,
  family: 'ipv4' | 'ipv6',
  at: At,
) {
  const ip = str(node, what, at);
  if (ip === undefined) return undefined;
  const valid = family === 'ipv4' ? isIPv4(ip) : isIPv6(ip);
  const cidr = family === 'ipv4' ? subnet?.ipv4 : subnet?.ipv6;
  if (!valid)
    at(
      node,
      'bad-address',
      `${what} "${ip}" is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address (no prefix)`,
    );
  else if (cidr === undefined) at(node, 'no-subnet', `${what} needs subnet.${family}`);
  else if (!inSubnet(ip, cidr, family)) at(node, 'outside-subnet', `${what} ${ip} is outside subnet ${cidr}`);
  else return ip;
  return undefined;
}

function parseHosts(node: Node | undefined, segments: readonly string[], subnet: Subnet | undefined, at: At) {
  const out: LabHost[] = [];
  if (node === undefined) return out;
  if (!isMap(node)) {
    at(node, 'not-a-map', 'hosts maps a host name to { segment, ipv4, … }');
    return out;
  }
  for (const pair of node.items as Pair<Node, Node>[]) {
    const name = ident(pair.key, 'host name', at);
    const value = pair.value;
    if (name === undefined) continue;
    if (!isMap(value)) {
      at(
        value ?? pair.key,
        'not-a-map',
        `host "${name}" is a mapping: { segment, ipv4, ipv6?, mac?, services? }`,
      );
      continue;
    }
    const f = fields(value, ['segment', 'ipv4', 'ipv6', 'mac', 'services'], ['segment', 'ipv4'], at);
    const segment = str(f.get('segment'), `host "${name}" segment`, at);
    if (segment !== undefined && !segments.includes(segment)) {
      at(
        f.get('segment'),
        'unknown-segment',
        `host "${name}": unknown segment "${segment}" (segments: ${segments.join(', ')})`,
      );
    }
    const ipv4 = hostAddr(f.get('ipv4'), `host "${name}" ipv4`, subnet, 'ipv4', at);
    const ipv6 = f.has('ipv6')
      ? hostAddr(f.get('ipv6'), `host "${name}" ipv6`, subnet, 'ipv6', at)
      : undefined;
    const mac = str(f.get('mac'), `host "${name}" mac`, at);
    if (mac !== undefined && (!MAC.test(mac) || (Number.parseInt(mac.slice(0, 2), 16) & 1) === 1)) {
      at(f.get('mac'), 'bad-mac', `host "${name}" mac "${mac}" must be a unicast MAC like 00:1b:1b:12:34:56`);
    }
    const services = parseServices(f.get('services'), name, at);
    if (segment === undefined || ipv4 === undefined) continue;
    out.push({
      name,
      segment,
      ipv4,
      services,
      ...(ipv6 === undefined ? {} : { ipv6 }),
      ...(mac === undefined ? {} : { mac: mac.toLowerCase() }),
    });
  }
  return out;
}

function parseServices(node: Node | undefined, host: string, at: At): LabService[] {
  const out: LabService[] = [];
  if (node === undefined) return out;
  if (!isSeq(node)) {
    at(node, 'not-a-list', `host "${host}" services is a list`);
    return out;
  }
  for (const item of node.items as Node[]) {
    if (isScalar(item) && item.value === 'modbus-server') {
      out.push({ kind: 'modbus-server', port: 502 });
      continue;
    }
    const pair = isMap(item) && item.items.length === 1 ? (item.items[0] as Pair<Node, Node>) : undefined;
    const kind = pair && isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (kind === 'modbus-server' && isMap(pair?.value)) {
      const f = fields(pair.value, ['port'], [], at);
      out.push({ kind, port: num(f.get('port'), 'modbus-server port', 1, 65535, at) ?? 502 });
    } else if (kind === 'hmi-poller' && isMap(pair?.value)) {
      const f = fields(pair.value, ['target', 'hz', 'persistent'], ['target'], at);
      const target = str(f.get('target'), 'hmi-poller target', at);
      const hz = num(f.get('hz'), 'hmi-poller hz', 0.1, 1000, at) ?? 5;
      const p = f.get('persistent');
      if (p !== undefined && !(isScalar(p) && typeof p.value === 'boolean'))
        at(p, 'not-a-bool', 'persistent must be true or false');
      const persistent = isScalar(p) && p.value === true;
      if (target !== undefined) out.push({ kind, target, hz, persistent });
    } else {
      at(
        item,
        'unknown-service',
        `host "${host}": unknown service (expected modbus-server or hmi-poller: { target, hz })`,
      );
    }
  }
  return out;
}

function parseWiring(
  node: Node | undefined,
  segments: readonly string[],
  hosts: readonly LabHost[],
  at: At,
): 'switched' | 'direct' | undefined {
  if (node === undefined) return undefined;
  const wiring = str(node, 'wiring', at);
  if (wiring !== 'switched' && wiring !== 'direct') {
    if (wiring !== undefined) at(node, 'bad-wiring', `wiring is switched or direct, not "${wiring}"`);
    return undefined;
  }
  if (wiring === 'direct') {
    for (const segment of segments) {
      const count = hosts.filter((h) => h.segment === segment).length;
      if (count !== 1) {
        at(
          node,
          'bad-wiring',
          `wiring: direct needs exactly one host per segment; "${segment}" has ${count}`,
        );
      }
    }
  }
  return wiring;
}

function parseNode(node: Node | undefined, segments: readonly string[], subnet: Subnet | undefined, at: At) {
  if (node === undefined) return undefined;
  if (!isMap(node)) return void at(node, 'not-a-map', 'node is a mapping: { name, bridge, ports, ipv4? }');
  const f = fields(node, ['name', 'bridge', 'ports', 'ipv4'], ['name', 'ports'], at);
  const name = ident(f.get('name'), 'node name', at);
  const bridge = f.has('bridge') ? str(f.get('bridge'), 'node bridge', at) : 'br0';
  const ipv4 = f.has('ipv4') ? hostAddr(f.get('ipv4'), 'node ipv4', subnet, 'ipv4', at) : undefined;
  const portsNode = f.get('ports');
  const ports: { name: string; segment: string }[] = [];
  if (portsNode !== undefined && !isMap(portsNode))
    at(portsNode, 'not-a-map', 'node ports maps a port name to a segment: { up0: upstream }');
  for (const pair of isMap(portsNode) ? (portsNode.items as Pair<Node, Node>[]) : []) {
    const port = ident(pair.key, 'node port', at);
    const segment = str(pair.value ?? undefined, 'node port segment', at);
    if (segment !== undefined && !segments.includes(segment))
      at(pair.value, 'unknown-segment', `node port "${port}": unknown segment "${segment}"`);
    else if (segment !== undefined && ports.some((p) => p.segment === segment))
      at(pair.value, 'duplicate-port', `segment "${segment}" has two node ports`);
    else if (port !== undefined && segment !== undefined) ports.push({ name: port, segment });
  }
  if (isMap(portsNode) && ports.length < 2)
    at(portsNode, 'too-few-ports', 'the node bridge needs at least two ports');
  if (name === undefined || bridge === undefined) return undefined;
  return ipv4 === undefined ? { name, bridge, ports } : { name, bridge, ports, ipv4 };
}
