// The lab plant: createLab(spec) builds namespaces, switches, the node bridge
// and services, and returns a Lab handle to run commands and processes in
// them; destroyLab(name) removes exactly that lab's namespaces. Used by
// `picket lab`, e2e tests, the demo and benchmarks. Shell.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabExistsError, LabNotFoundError, LabSpecError, UnknownLabHostError } from './errors.js';
import type { PollerStats } from './hmi-poller.js';
import {
  deleteNamespaces,
  type ExecResult,
  execIn,
  ipBatch,
  listNamespaces,
  spawnIn,
  sysctlIn,
} from './netns.js';
import {
  type PollerOptions,
  pollerArgv,
  readPollerStats,
  startPlc,
  stopProcess,
  waitForModbus,
  waitForPollerStats,
} from './services.js';
import { type LabSpec, parseLabSpec } from './spec.js';
import {
  claimLabId,
  DEFAULT_LABS_DIR,
  type LabServiceRecord,
  type LabState,
  readLabState,
  removeLabState,
  writeLabState,
} from './state.js';
import { buildBatches, labSysctls, layoutLab } from './topology.js';

/** A process the lab started in one of its namespaces. */
export interface LabProcess {
  readonly pid: number;
  readonly ns: string;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A running HMI poller with its JSON-lines stats file. */
export interface PollerProcess extends LabProcess {
  readonly statsFile: string;
  /** The latest stats line, or null before the first. */
  stats(): PollerStats | null;
  /** Waits until the stats satisfy `predicate` (deadline `timeoutMs`). */
  waitFor(predicate: (s: PollerStats) => boolean, timeoutMs?: number): Promise<PollerStats>;
}

/** Options of createLab. */
export interface CreateLabOptions {
  /** Where state files go; default /run/picket/labs. */
  readonly labsDir?: string;
  /** The lab.yaml the spec came from, for `lab status`. */
  readonly specFile?: string;
  /** Tear down a lab of the same name first instead of failing. */
  readonly replace?: boolean;
  /** Start the services in the spec (default true). */
  readonly services?: boolean;
  /** How long to wait for each PLC to answer Modbus (default 15 s). */
  readonly readyTimeoutMs?: number;
}

/** A built lab: namespace names, addresses, and ways to run things inside. */
export class Lab {
  readonly labsDir: string;
  private state: LabState;

  constructor(state: LabState, labsDir: string) {
    this.state = state;
    this.labsDir = labsDir;
  }

  get name(): string {
    return this.state.name;
  }
  get id(): string {
    return this.state.layout.id;
  }
  get spec(): LabSpec {
    return this.state.spec;
  }
  /** The enforcement node's namespace (its bridge is spec.node.bridge). */
  get nodeNs(): string {
    return this.state.layout.nodeNs;
  }
  /** Every namespace of this lab. */
  get namespaces(): readonly string[] {
    return this.state.layout.namespaces;
  }
  /** Directory for this lab's logs and stats files. */
  get runDir(): string {
    return this.state.runDir;
  }
  /** Processes started at `lab up` (PLC servers, spec'd pollers). */
  get services(): readonly LabServiceRecord[] {
    return this.state.services;
  }

  /** Namespace of a host, of the node (by its name), or of a switch (`sw-<segment>`). */
  ns(target: string): string {
    const { layout } = this.state;
    if (target === this.spec.node.name) return layout.nodeNs;
    const ns =
      layout.hostNs[target] ?? (target.startsWith('sw-') ? layout.switchNs[target.slice(3)] : undefined);
    if (ns === undefined) {
      const known = [
        this.spec.node.name,
        ...Object.keys(layout.hostNs),
        ...Object.keys(layout.switchNs).map((s) => `sw-${s}`),
      ];
      throw new UnknownLabHostError(target, known);
    }
    return ns;
  }

  /** IPv4 address of a host. */
  ip(host: string): string {
    const h = this.spec.hosts.find((x) => x.name === host);
    if (!h)
      throw new UnknownLabHostError(
        host,
        this.spec.hosts.map((x) => x.name),
      );
    return h.ipv4;
  }

  /** Runs argv in a host's (or the node's) namespace and waits; `check` false keeps non-zero exits. */
  exec(
    target: string,
    argv: readonly string[],
    options?: { check?: boolean; timeoutMs?: number; input?: string },
  ): Promise<ExecResult> {
    return execIn(this.ns(target), argv, options);
  }

  /**
   * A node.yaml for `picket node` in bridge mode on this lab's node: its bridge
   * over its ports, then `settings` (keys of node.yaml, e.g. `policy`,
   * `state-dir`, `journal`), one per line in the order given.
   */
  nodeConfig(name: string, settings: Readonly<Record<string, string>>): string {
    const ports = this.spec.node.ports.map((p) => p.name).join(', ');
    return [
      `name: ${name}`,
      'mode: bridge',
      `bridge: { name: ${this.spec.node.bridge}, interfaces: [${ports}] }`,
      ...Object.entries(settings).map(([key, value]) => `${key}: ${value}`),
      '',
    ].join('\n');
  }

  /** Starts argv in the background in a host's namespace; output goes to `<runDir>/<logName>.log`. */
  spawn(
    target: string,
    argv: readonly string[],
    logName = `${target}-${argv[0]?.split('/').pop()}`,
  ): LabProcess {
    const ns = this.ns(target);
    mkdirSync(this.runDir, { recursive: true });
    const logFile = join(this.runDir, `${logName}.log`);
    const pid = spawnIn(ns, argv, logFile);
    return { pid, ns, logFile, stop: (graceMs?: number) => stopProcess(pid, graceMs) };
  }

  /** Starts an HMI poller on `host`; `target` may be a host name or an IP. */
  startPoller(
    host: string,
    options: Omit<PollerOptions, 'target'> & { target: string; name?: string },
  ): PollerProcess {
    const target = this.spec.hosts.some((h) => h.name === options.target)
      ? this.ip(options.target)
      : options.target;
    const name = options.name ?? `${host}-poller-${process.pid}-${Date.now()}`;
    const statsFile = join(this.runDir, `${name}.jsonl`);
    const proc = this.spawn(host, pollerArgv({ ...options, target }, statsFile), name);
    return {
      ...proc,
      statsFile,
      stats: () => readPollerStats(statsFile),
      waitFor: (predicate, timeoutMs = 10_000) =>
        waitForPollerStats(statsFile, predicate, timeoutMs, `poller ${name}`),
    };
  }

  /** Waits until `plc` answers Modbus, asked from `from` (default: the PLC's own namespace). */
  waitForModbus(
    plc: string,
    options: { from?: string; port?: number; timeoutMs?: number } = {},
  ): Promise<void> {
    const from = options.from ?? plc;
    return waitForModbus(this.ns(from), this.ip(plc), options.port ?? 502, options.timeoutMs ?? 15_000, plc);
  }

  /** Removes every namespace of this lab and its state; idempotent. */
  async destroy(): Promise<void> {
    await destroyLab(this.name, { labsDir: this.labsDir });
  }
}

/** Reads and validates a lab.yaml file; throws LabSpecError with every issue. */
export function loadLabSpec(file: string): LabSpec {
  const source = readFileSync(file, 'utf8');
  const result = parseLabSpec(source, file);
  if (!result.ok) throw new LabSpecError(result.issues, source);
  return result.spec;
}

async function freshId(labsDir: string, name: string): Promise<string> {
  const taken = await listNamespaces();
  for (;;) {
    const id = randomBytes(2).toString('hex');
    if (!taken.some((ns) => ns.startsWith(`pk-${id}-`)) && claimLabId(labsDir, id, name)) return id;
  }
}

/** Builds the lab in fresh namespaces `pk-<id>-*`, starts its services and waits for the PLCs. */
export async function createLab(spec: LabSpec, options: CreateLabOptions = {}): Promise<Lab> {
  const labsDir = options.labsDir ?? DEFAULT_LABS_DIR;
  const existing = readLabState(labsDir, spec.name);
  if (existing) {
    const live = new Set(await listNamespaces());
    if (!options.replace && existing.layout.namespaces.some((ns) => live.has(ns)))
      throw new LabExistsError(spec.name);
    await destroyLab(spec.name, { labsDir });
  }
  const layout = layoutLab(spec, await freshId(labsDir, spec.name));
  const runDir = join(labsDir, spec.name);
  let state: LabState = {
    version: 1,
    name: spec.name,
    specFile: options.specFile ?? null,
    spec,
    layout,
    createdAt: new Date().toISOString(),
    runDir,
    services: [],
  };
  // State first: if the build fails half way, `lab down` still finds every namespace.
  writeLabState(labsDir, state);
  const lab = new Lab(state, labsDir);
  try {
    for (const batch of buildBatches(spec, layout)) await ipBatch(batch.commands, batch.ns);
    for (const s of labSysctls(layout)) await sysctlIn(s.ns, s.key, s.value);
    mkdirSync(runDir, { recursive: true });
    if (options.services !== false) {
      state = { ...state, services: await startServices(lab, options.readyTimeoutMs ?? 15_000) };
      writeLabState(labsDir, state);
    }
  } catch (error) {
    await destroyLab(spec.name, { labsDir });
    throw error;
  }
  return new Lab(state, labsDir);
}

async function startServices(lab: Lab, readyTimeoutMs: number): Promise<LabServiceRecord[]> {
  const records: LabServiceRecord[] = [];
  for (const host of lab.spec.hosts) {
    for (const s of host.services) {
      if (s.kind !== 'modbus-server') continue;
      const logFile = join(lab.runDir, `${host.name}-plc.log`);
      records.push({
        host: host.name,
        kind: s.kind,
        pid: startPlc(lab.ns(host.name), host.name, s.port, logFile),
        logFile,
      });
      await lab.waitForModbus(host.name, { port: s.port, timeoutMs: readyTimeoutMs });
    }
  }
  for (const host of lab.spec.hosts) {
    for (const s of host.services) {
      if (s.kind !== 'hmi-poller') continue;
      const p = lab.startPoller(host.name, {
        target: s.target,
        hz: s.hz,
        persistent: s.persistent,
        reportMs: 1000,
        name: `${host.name}-poller`,
      });
      records.push({ host: host.name, kind: s.kind, pid: p.pid, logFile: p.logFile, statsFile: p.statsFile });
    }
  }
  return records;
}

/** Opens a running lab from its state file; throws LabNotFoundError. */
export function openLab(name: string, options: { labsDir?: string } = {}): Lab {
  const labsDir = options.labsDir ?? DEFAULT_LABS_DIR;
  const state = readLabState(labsDir, name);
  if (!state) throw new LabNotFoundError(name);
  return new Lab(state, labsDir);
}

/**
 * Kills every process in the lab's namespaces and deletes them (the recorded
 * ones and any stale `pk-<id>-*`), then its state; false if there was no lab.
 */
export async function destroyLab(name: string, options: { labsDir?: string } = {}): Promise<boolean> {
  const labsDir = options.labsDir ?? DEFAULT_LABS_DIR;
  const state = readLabState(labsDir, name);
  if (!state) return false;
  const stale = (await listNamespaces()).filter((ns) => ns.startsWith(state.layout.prefix));
  await deleteNamespaces([...new Set([...state.layout.namespaces, ...stale])]);
  removeLabState(labsDir, state);
  return true;
}
