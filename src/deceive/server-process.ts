// The decoy server as a child process in a network namespace of its own:
// `unshare --net node server-main.js`, so the namespace lives exactly as long as
// the server — a node that stops or crashes (the server sees stdin close) leaves
// no decoy namespace behind. JSON lines to its stdin (the desired set), JSON
// lines from its stdout (ready, touch, error). Driver.

import { type ChildProcess, spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PicketError } from '../cli/errors.js';
import type { DecoyIdentity } from './personality/index.js';
import type { ServerEvent } from './server.js';

/** The decoy server could not be started. */
export class DecoyServerError extends PicketError {
  constructor(message: string, cause?: unknown) {
    super('decoy-server', message, {
      cause,
      hint: 'run as root with util-linux unshare; see docs/DECEPTION.md',
    });
  }
}

/** One decoy as the server takes it. */
export interface ServedDecoy {
  readonly id: string;
  readonly ip: string;
  readonly identity: DecoyIdentity;
}

/** A running decoy server. */
export interface DecoyServerProcess {
  /** The server's pid; its network namespace is /proc/<pid>/ns/net. */
  readonly pid: number;
  /** Replaces the set of decoys served (the addresses must already exist in the namespace). */
  send(decoys: readonly ServedDecoy[]): void;
  /** Ends the server (and with it the namespace). */
  close(): Promise<void>;
}

const DEFAULT_MAIN = fileURLToPath(new URL('./server-main.js', import.meta.url));
const NAMESPACE_WAIT_MS = 5_000;

function netnsOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** Waits until the child has left our network namespace (unshare runs before exec). */
async function awaitOwnNamespace(child: ChildProcess): Promise<number> {
  const own = netnsOf('self');
  const deadline = Date.now() + NAMESPACE_WAIT_MS;
  for (;;) {
    const pid = child.pid;
    if (child.exitCode !== null)
      throw new DecoyServerError(`the decoy server exited at start (${child.exitCode})`);
    const ns = pid === undefined ? undefined : netnsOf(pid);
    if (pid !== undefined && ns !== undefined && ns !== own) return pid;
    if (Date.now() > deadline)
      throw new DecoyServerError('the decoy server did not get its own network namespace');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts the decoy server in a new network namespace. */
export async function startDecoyServer(options: {
  readonly onEvent: (event: ServerEvent) => void;
  readonly onExit: (code: number | null) => void;
  readonly serverMain?: string;
}): Promise<DecoyServerProcess> {
  const child = spawn('unshare', ['--net', process.execPath, options.serverMain ?? DEFAULT_MAIN], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let closing = false;
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new DecoyServerError('cannot run unshare', error))),
  );
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      try {
        options.onEvent(JSON.parse(line) as ServerEvent);
      } catch {
        options.onEvent({
          type: 'error',
          message: `unreadable line from the decoy server: ${line.slice(0, 200)}`,
        });
      }
    }
  });
  child.stdin?.on('error', () => {}); // EPIPE when the server dies; onExit reports it.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      if (!closing) options.onExit(code);
      resolve();
    }),
  );
  const pid = await Promise.race([awaitOwnNamespace(child), spawnError]);
  return {
    pid,
    send(decoys) {
      child.stdin?.write(`${JSON.stringify({ decoys })}\n`);
    },
    async close() {
      closing = true;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
