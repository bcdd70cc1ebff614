// Lab state files: what `lab up` built (spec, namespaces, service pids),
// stored as /run/picket/labs/<name>.json so `lab down`, `lab exec` and
// `lab status` in another process find exactly that lab. Shell.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabSpec } from './spec.js';
import type { LabLayout } from './topology.js';

/** Where state files live unless a caller says otherwise. */
export const DEFAULT_LABS_DIR = '/run/picket/labs';

/** A process the lab started in one of its namespaces. */
export interface LabServiceRecord {
  readonly host: string;
  readonly kind: 'modbus-server' | 'hmi-poller' | 'process';
  readonly pid: number;
  readonly logFile: string;
  readonly statsFile?: string;
}

/** Everything needed to find, use and remove one lab instance. */
export interface LabState {
  readonly version: 1;
  readonly name: string;
  readonly specFile: string | null;
  readonly spec: LabSpec;
  readonly layout: LabLayout;
  readonly createdAt: string;
  /** Per-lab directory for logs and poller stats. */
  readonly runDir: string;
  readonly services: readonly LabServiceRecord[];
}

/** Path of the state file of lab `name`. */
export function stateFile(labsDir: string, name: string): string {
  return join(labsDir, `${name}.json`);
}

/** Writes (replaces) the state file of a lab. */
export function writeLabState(labsDir: string, state: LabState): void {
  mkdirSync(labsDir, { recursive: true });
  writeFileSync(stateFile(labsDir, state.name), `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads the state of lab `name`, or null if there is none. */
export function readLabState(labsDir: string, name: string): LabState | null {
  try {
    return JSON.parse(readFileSync(stateFile(labsDir, name), 'utf8')) as LabState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The names of all labs with a state file. */
export function listLabStates(labsDir: string): string[] {
  try {
    return readdirSync(labsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}

/**
 * Claims lab id `id` for lab `name` by creating `<labsDir>/ids/<id>` exclusively,
 * so two labs built at once never share a `pk-<id>-` prefix; false if taken.
 */
export function claimLabId(labsDir: string, id: string, name: string): boolean {
  mkdirSync(join(labsDir, 'ids'), { recursive: true });
  try {
    writeFileSync(join(labsDir, 'ids', id), `${name}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Removes a lab's state file, its run directory and its id claim. */
export function removeLabState(labsDir: string, state: Pick<LabState, 'name' | 'runDir' | 'layout'>): void {
  rmSync(stateFile(labsDir, state.name), { force: true });
  rmSync(state.runDir, { recursive: true, force: true });
  rmSync(join(labsDir, 'ids', state.layout.id), { force: true });
}
