// Network namespace driver: runs `ip` (batched), commands inside a namespace
// (foreground or detached), sysctls, and kills a namespace's processes before
// deleting it. Decides nothing. Shell.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { LabCommandError } from './errors.js';

/** Output of a finished command. */
export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv; with `check` (default) a non-zero exit throws LabCommandError. */
export function run(
  argv: readonly string[],
  options: { input?: string; check?: boolean; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd ?? '', args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) => reject(new LabCommandError(argv, null, e.message, e)));
    child.on('close', (code) => {
      if (code !== 0 && options.check !== false) reject(new LabCommandError(argv, code, stderr || stdout));
      else resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      // A command may exit before reading all of its input; its exit code tells the story.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/** Runs many `ip` commands in one process (`ip [-n ns] -batch -`); stops at the first failure. */
export async function ipBatch(commands: readonly string[], ns: string | null = null): Promise<void> {
  if (commands.length === 0) return;
  const argv = ns === null ? ['ip', '-batch', '-'] : ['ip', '-n', ns, '-batch', '-'];
  await run(argv, { input: `${commands.join('\n')}\n` });
}

/** Runs argv inside namespace `ns` and waits for it. */
export function execIn(
  ns: string,
  argv: readonly string[],
  options: { check?: boolean; timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  return run(['ip', 'netns', 'exec', ns, ...argv], options);
}

/**
 * Starts argv inside `ns`, detached from this process (it outlives it), with
 * stdout and stderr appended to `logFile`; returns its pid.
 */
export function spawnIn(ns: string, argv: readonly string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  // `ip netns exec` setns()es then execs argv, so the pid is argv's own.
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd); // the child holds its own copy
  child.unref();
  if (child.pid === undefined)
    throw new LabCommandError(['ip', 'netns', 'exec', ns, ...argv], null, 'spawn failed');
  return child.pid;
}

/** Sets a sysctl inside `ns` (per-namespace keys such as net.bridge.*). */
export async function sysctlIn(ns: string, key: string, value: string): Promise<void> {
  await execIn(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}

/** Lists the names of all network namespaces. */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** The pids of processes running in namespace `ns` (none if it is gone). */
export async function namespacePids(ns: string): Promise<number[]> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns], { check: false });
  return stdout
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** True while process `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may hold spaces and parentheses, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Sends SIGTERM, waits up to `graceMs` for exit, then SIGKILLs whatever remains. */
export async function killPids(pids: readonly number[], graceMs = 2000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = performance.now() + graceMs;
  while (pids.some(isAlive) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (pids.some(isAlive)) signal('SIGKILL');
}

/**
 * Deletes namespaces after killing every process inside them (a process keeps
 * a namespace's interfaces alive after `ip netns del`). Missing ones are fine.
 */
export async function deleteNamespaces(names: readonly string[]): Promise<void> {
  const existing = new Set(await listNamespaces());
  const doomed = names.filter((n) => existing.has(n));
  const pids = (await Promise.all(doomed.map(namespacePids))).flat();
  await killPids(pids);
  for (const ns of doomed) await run(['ip', 'netns', 'del', ns], { check: false });
}
