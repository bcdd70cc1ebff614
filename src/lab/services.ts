// Lab services: starts the PLC (lab/plc_server.py) and HMI pollers
// (dist/lab/hmi-poller.js) inside lab namespaces, reads poller stats and
// waits on them with deadlines. Shell.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabArtifactMissingError, LabServiceTimeoutError } from './errors.js';
import type { PollerStats } from './hmi-poller.js';
import { execIn, isAlive, killPids, spawnIn } from './netns.js';

/** Debian's python3-pymodbus is visible only to the system interpreter. */
const PYTHON = '/usr/bin/python3';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute paths of the PLC script and the compiled poller; throws if one is missing. */
export function labArtifacts(): { readonly plcScript: string; readonly poller: string } {
  const plcScript = `${repoRoot}lab/plc_server.py`;
  const poller = `${repoRoot}dist/lab/hmi-poller.js`;
  if (!existsSync(plcScript))
    throw new LabArtifactMissingError(plcScript, 'the lab needs the repository checkout');
  if (!existsSync(poller)) throw new LabArtifactMissingError(poller, 'run: npm run build');
  return { plcScript, poller };
}

/** How an HMI poller polls. `target` is an IP address. */
export interface PollerOptions {
  readonly target: string;
  readonly port?: number;
  readonly hz?: number;
  /** 0 or absent: until stopped. */
  readonly durationS?: number;
  readonly timeoutMs?: number;
  readonly persistent?: boolean;
  readonly reportMs?: number;
}

/** The poller's argv for these options, writing stats to `statsFile`. */
export function pollerArgv(options: PollerOptions, statsFile: string): string[] {
  const argv = [process.execPath, labArtifacts().poller, '--target', options.target, '--stats', statsFile];
  argv.push('--port', String(options.port ?? 502), '--hz', String(options.hz ?? 5));
  argv.push('--duration-s', String(options.durationS ?? 0), '--timeout-ms', String(options.timeoutMs ?? 500));
  argv.push('--report-ms', String(options.reportMs ?? 100));
  if (options.persistent) argv.push('--persistent');
  return argv;
}

/** Starts the PLC Modbus server in `ns`; returns its pid. */
export function startPlc(ns: string, name: string, port: number, logFile: string): number {
  const argv = [PYTHON, labArtifacts().plcScript, '--name', name, '--port', String(port)];
  return spawnIn(ns, argv, logFile);
}

/** Reads the latest line of a poller stats file, or null before the first. */
export function readPollerStats(statsFile: string): PollerStats | null {
  let text: string;
  try {
    text = readFileSync(statsFile, 'utf8');
  } catch {
    return null;
  }
  const lines = text.trimEnd().split('\n');
  // The last line may be half written; fall back to the one before it.
  for (const line of lines.slice(-2).reverse()) {
    try {
      return JSON.parse(line) as PollerStats;
    } catch {}
  }
  return null;
}

/** Waits until the poller's stats satisfy `predicate`; throws with the last stats at the deadline. */
export async function waitForPollerStats(
  statsFile: string,
  predicate: (s: PollerStats) => boolean,
  timeoutMs: number,
  label = 'hmi-poller',
): Promise<PollerStats> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = readPollerStats(statsFile);
    if (stats && predicate(stats)) return stats;
    if (performance.now() > deadline) {
      throw new LabServiceTimeoutError(label, statsFile, timeoutMs, `last stats: ${JSON.stringify(stats)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stops a process: SIGTERM, a grace period, then SIGKILL; resolves when it is gone. */
export async function stopProcess(pid: number, graceMs = 3000): Promise<void> {
  if (isAlive(pid)) await killPids([pid], graceMs);
}

/**
 * Waits until a Modbus server at `target:port` answers an FC3 read from inside
 * `ns`, polling every 50 ms until `timeoutMs`.
 */
export async function waitForModbus(
  ns: string,
  target: string,
  port: number,
  timeoutMs: number,
  host: string,
): Promise<void> {
  const argv = [
    process.execPath,
    labArtifacts().poller,
    '--target',
    target,
    '--port',
    String(port),
    '--until-ok',
  ];
  argv.push(
    '--hz',
    '20',
    '--timeout-ms',
    '300',
    '--report-ms',
    '0',
    '--duration-s',
    String(timeoutMs / 1000),
  );
  const result = await execIn(ns, argv, { check: false, timeoutMs: timeoutMs + 5000 });
  if (result.code !== 0) {
    throw new LabServiceTimeoutError(
      'modbus-server',
      host,
      timeoutMs,
      result.stdout.trim() || result.stderr.trim(),
    );
  }
}
