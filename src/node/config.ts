// node.yaml text → NodeConfig + every Diagnostic (file:line:col, source line and
// caret via the policy module's renderer). Validated like the policy: structure
// against a shape table (unknown keys are errors, with "did you mean"), then the
// values: interface names, listen address, durations, mode-specific sections.
// Relative paths are resolved against the config file's directory. Pure.

import { dirname, resolve } from 'node:path';
import { checkShape } from '../policy/check-shape.js';
import { parseDurationSeconds } from '../policy/clock.js';
import { type Diagnostic, hasErrors, type SourceLocation } from '../policy/diagnostic.js';
import { createReport, type Report, sortDiagnostics } from '../policy/report.js';
import type { ObjectShape, Shape, StringShape } from '../policy/shape.js';
import { entryOf, type LocatedValue, readYaml } from '../policy/yaml-source.js';

export type NodeMode = 'bridge' | 'routed' | 'sensor';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How the node sits on the wire. */
export type NodeWire =
  | { readonly mode: 'bridge'; readonly bridge: string; readonly interfaces: readonly string[] }
  | { readonly mode: 'routed' }
  | { readonly mode: 'sensor'; readonly interface: string };

/** A validated node.yaml; paths are absolute. */
export interface NodeConfig {
  readonly name: string;
  readonly wire: NodeWire;
  readonly policyFile: string;
  /** Picket's state directory (last good ruleset, lock); absent: the per-netns default. */
  readonly stateDir?: string;
  /** SQLite journal; absent: `journal.db` in the state directory. */
  readonly journalFile?: string;
  readonly nflogGroup: number;
  readonly metrics: { readonly host: string; readonly port: number };
  readonly reconcileIntervalSeconds: number;
  readonly logLevel: LogLevel;
  /** Address (with prefix length) the node puts on its bridge for the identity portal; absent: none. */
  readonly portalAddress?: { readonly address: string; readonly prefixLength: number };
}

/** Outcome of parsing: the config when there are no errors, and every diagnostic, sorted. */
export interface NodeConfigResult {
  readonly config?: NodeConfig;
  readonly diagnostics: readonly Diagnostic[];
}

export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9641';
export const DEFAULT_RECONCILE_SECONDS = 60;
export const DEFAULT_NFLOG_GROUP = 1;

const text = (description: string, extra: Partial<StringShape> = {}): StringShape => ({
  kind: 'string',
  description,
  ...extra,
});
const ifaces: Shape = {
  kind: 'array',
  description: 'Member interfaces of the bridge (the two segments it joins).',
  items: text('An interface name, e.g. eth1.'),
  minItems: 1,
};

/** The one table of what node.yaml may contain. */
export const nodeConfigShape: ObjectShape = {
  kind: 'object',
  what: 'node config',
  description: 'How one Picket node runs: its wire mode, policy, state and observability.',
  required: ['name', 'mode', 'policy'],
  properties: {
    name: text('This node’s name: in detections, logs and metrics.'),
    mode: text('bridge (inline, transparent), routed, or sensor (passive on a SPAN/TAP port).', {
      enum: ['bridge', 'routed', 'sensor'],
    }),
    bridge: {
      kind: 'object',
      what: 'bridge',
      description: 'Bridge mode: the bridge to build (or adopt when it exists) and its member interfaces.',
      required: ['name'],
      properties: { name: text('Bridge interface name, e.g. br0.'), interfaces: ifaces },
    },
    sensor: {
      kind: 'object',
      what: 'sensor',
      description: 'Sensor mode: the SPAN/TAP interface to listen on. Nothing is ever transmitted.',
      required: ['interface'],
      properties: { interface: text('The SPAN/TAP interface, e.g. eth3.') },
    },
    policy: text('Path of the policy file (relative to this file).'),
    'state-dir': text('Picket state directory; default /var/lib/picket/ns-<netns inode>.'),
    journal: text('Path of the SQLite journal; default journal.db in the state directory.'),
    'nflog-group': { kind: 'integer', description: 'NFLOG group of the policy.', minimum: 0, maximum: 65535 },
    metrics: {
      kind: 'object',
      what: 'metrics',
      description: 'The /metrics and /health HTTP listener.',
      properties: { listen: text('host:port, default 127.0.0.1:9641.') },
    },
    'reconcile-interval': text('How often kernel quarantine and journal are compared, e.g. 60s.'),
    'log-level': text('debug, info, warn or error.', { enum: ['debug', 'info', 'warn', 'error'] }),
    'portal-address': text(
      'Bridge mode: IPv4 address/prefix the node puts on its bridge so the identity portal can answer redirected clients, e.g. 10.20.0.2/16.',
    ),
  },
};

// Linux IFNAMSIZ is 16 with the NUL; '/', ':' and whitespace are refused by the kernel or by `ip`.
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** Parses and validates node.yaml text; `file` is used in every location and to resolve paths. */
export function parseNodeConfig(source: string, file: string): NodeConfigResult {
  const yaml = readYaml(source, file);
  const { root } = yaml;
  const report = createReport();
  const done = () => sortDiagnostics([...yaml.diagnostics, ...report.diagnostics]);
  if (!root) return { diagnostics: done() };
  if (root.kind !== 'map') {
    report.error('wrong-type', root.loc, 'node config must be a mapping of keys');
    return { diagnostics: done() };
  }
  checkShape(root, nodeConfigShape, 'node config', report, { file, line: 1, col: 1 });
  const str = (v: LocatedValue | undefined) =>
    v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
  const at = (key: string) => entryOf(root, key);
  const base = dirname(file);
  const path = (key: string) => {
    const value = str(at(key)?.value);
    return value === undefined ? undefined : resolve(base, value);
  };

  const name = str(at('name')?.value) ?? '';
  const nameLoc = at('name')?.value.loc;
  if (nameLoc && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
    report.error(
      'invalid-name',
      nameLoc,
      `node config: name "${name}" is not allowed`,
      'use 1-63 letters, digits, ".", "-" or "_"',
    );
  }
  const wire = readWire(root, report);
  const nflogGroup = integerIn(root, 'nflog-group', 0, 65535, DEFAULT_NFLOG_GROUP, report);
  const metrics = readListen(at('metrics')?.value, report);
  const reconcileIntervalSeconds = readInterval(at('reconcile-interval')?.value, report);
  const logLevel = (str(at('log-level')?.value) ?? 'info') as LogLevel;
  const policyFile = path('policy') ?? '';
  const stateDir = path('state-dir');
  const journalFile = path('journal');
  const portalAddress = readPortalAddress(at('portal-address')?.value, wire, report);

  const diagnostics = done();
  if (hasErrors(diagnostics) || !wire) return { diagnostics };
  return {
    config: {
      name,
      wire,
      policyFile,
      ...(stateDir === undefined ? {} : { stateDir }),
      ...(journalFile === undefined ? {} : { journalFile }),
      nflogGroup,
      metrics,
      reconcileIntervalSeconds,
      logLevel,
      ...(portalAddress === undefined ? {} : { portalAddress }),
    },
    diagnostics,
  };
}

function ifaceName(value: LocatedValue, label: string, report: Report): string | undefined {
  if (value.kind !== 'scalar' || typeof value.value !== 'string') return undefined;
  if (IFNAME.test(value.value)) return value.value;
  report.error(
    'invalid-interface',
    value.loc,
    `${label}: "${value.value}" is not an interface name`,
    '1-15 letters, digits, ".", "-" or "_" (see `ip link`)',
  );
  return undefined;
}

/** The mode and its section; a section for another mode is an error, not ignored. */
function readWire(root: LocatedValue, report: Report): NodeWire | undefined {
  const modeValue = entryOf(root, 'mode')?.value;
  const mode = modeValue?.kind === 'scalar' ? modeValue.value : undefined;
  const bridge = entryOf(root, 'bridge');
  const sensor = entryOf(root, 'sensor');
  const stray = (entry: typeof bridge, wanted: string) => {
    if (entry && mode !== wanted)
      report.error(
        'section-not-for-mode',
        entry.keyLoc,
        `node config: "${entry.key}" is only for mode ${wanted}, but mode is ${String(mode)}`,
        `remove it, or set mode: ${wanted}`,
      );
  };
  stray(bridge, 'bridge');
  stray(sensor, 'sensor');
  const missing = (section: string) => {
    report.error(
      'missing-key',
      modeValue?.loc ?? root.loc,
      `node config: mode ${String(mode)} needs a "${section}" section`,
    );
  };
  if (mode === 'bridge') {
    if (!bridge) {
      missing('bridge');
      return undefined;
    }
    const name = entryOf(bridge.value, 'name')?.value;
    const bridgeName = name ? ifaceName(name, 'bridge: name', report) : undefined;
    const list = entryOf(bridge.value, 'interfaces')?.value;
    const interfaces: string[] = [];
    for (const item of list?.kind === 'seq' ? list.items : []) {
      const n = ifaceName(item, 'bridge: interfaces', report);
      if (n === undefined) continue;
      if (interfaces.includes(n) || n === bridgeName)
        report.error('duplicate-entry', item.loc, `bridge: interface "${n}" is listed twice`);
      else interfaces.push(n);
    }
    return bridgeName === undefined ? undefined : { mode, bridge: bridgeName, interfaces };
  }
  if (mode === 'sensor') {
    if (!sensor) {
      missing('sensor');
      return undefined;
    }
    const value = entryOf(sensor.value, 'interface')?.value;
    const iface = value ? ifaceName(value, 'sensor: interface', report) : undefined;
    return iface === undefined ? undefined : { mode, interface: iface };
  }
  return mode === 'routed' ? { mode } : undefined;
}

function integerIn(
  root: LocatedValue,
  key: string,
  min: number,
  max: number,
  fallback: number,
  report: Report,
): number {
  const value = entryOf(root, key)?.value;
  if (value?.kind !== 'scalar' || typeof value.value !== 'number') return fallback;
  if (value.value < min || value.value > max) {
    report.error('out-of-range', value.loc, `node config: ${key} ${value.value} is outside ${min}..${max}`);
  }
  return value.value;
}

function readListen(metrics: LocatedValue | undefined, report: Report): NodeConfig['metrics'] {
  const value = entryOf(metrics, 'listen')?.value;
  const listen = value?.kind === 'scalar' && typeof value.value === 'string' ? value.value : undefined;
  const parsed = parseListen(listen ?? DEFAULT_METRICS_LISTEN);
  if (parsed || !value) return parsed ?? { host: '127.0.0.1', port: 9641 };
  report.error(
    'invalid-listen',
    value.loc,
    `metrics: listen "${listen}" is not host:port`,
    'write e.g. 127.0.0.1:9641 or [::1]:9641',
  );
  return { host: '127.0.0.1', port: 9641 };
}

/** Parses `host:port` or `[v6]:port`; port 1-65535. */
export function parseListen(listen: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

const MIN_RECONCILE_SECONDS = 1;
const MAX_RECONCILE_SECONDS = 86_400;

function readInterval(value: LocatedValue | undefined, report: Report): number {
  if (value?.kind !== 'scalar' || typeof value.value !== 'string') return DEFAULT_RECONCILE_SECONDS;
  const seconds = parseDurationSeconds(value.value);
  const loc: SourceLocation = value.loc;
  if (seconds === undefined) {
    report.error(
      'invalid-duration',
      loc,
      `node config: reconcile-interval "${value.value}" is not a duration`,
      'write e.g. 30s, 1m or 5m',
    );
    return DEFAULT_RECONCILE_SECONDS;
  }
  if (seconds < MIN_RECONCILE_SECONDS || seconds > MAX_RECONCILE_SECONDS) {
    report.error(
      'duration-out-of-range',
      loc,
      `node config: reconcile-interval "${value.value}" is outside 1s..1d`,
    );
  }
  return seconds;
}

/** `portal-address`: an IPv4 host address with its prefix length, in bridge mode only. */
function readPortalAddress(
  value: LocatedValue | undefined,
  wire: NodeWire | undefined,
  report: Report,
): NodeConfig['portalAddress'] {
  if (value?.kind !== 'scalar' || typeof value.value !== 'string') return undefined;
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value.value);
  const octets = m?.[1]?.split('.').map(Number) ?? [];
  const prefixLength = Number(m?.[2]);
  if (!m || octets.some((o) => o > 255) || prefixLength < 1 || prefixLength > 32) {
    report.error(
      'invalid-address',
      value.loc,
      `node config: portal-address "${value.value}" is not an IPv4 address/prefix`,
      'write e.g. 10.20.0.2/16: a free address on the plant segment, with its prefix length',
    );
    return undefined;
  }
  if (wire !== undefined && wire.mode !== 'bridge') {
    report.error(
      'section-not-for-mode',
      value.loc,
      `node config: portal-address is only for mode bridge, but mode is ${wire.mode}`,
      'remove it: the portal needs an address on the bridge',
    );
    return undefined;
  }
  return { address: m[1] as string, prefixLength };
}
