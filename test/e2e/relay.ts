// Starts both halves of the loopback relay (src/lab/loopback-relay.ts, built
// to dist/): the outside half in the test's namespace, the inside half in the
// lab node's namespace, so the node reaches a server the test started on its
// own loopback at the same port. Needs `npm run build`.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../src/lab/lab.js';
import { eventually, root } from './plant.js';

const relayJs = join(root, 'dist', 'lab', 'loopback-relay.js');

/** A running relay; stop() ends both halves. */
export interface Relay {
  stop(): Promise<void>;
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
}

/** Relays 127.0.0.1:`port` (tcp or udp) of the lab node's namespace to the same port here. */
export async function startRelay(
  lab: Lab,
  kind: 'tcp' | 'udp',
  port: number,
  socketPath: string,
): Promise<Relay> {
  const outside = spawn(process.execPath, [relayJs, 'out', kind, String(port), socketPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await ready(outside);
  const inside = lab.spawn(
    lab.spec.node.name,
    [process.execPath, relayJs, 'in', kind, String(port), socketPath],
    `relay-${kind}-${port}`,
  );
  await eventually(
    `the ${kind} relay on port ${port}`,
    () => existsSync(inside.logFile) && readFileSync(inside.logFile, 'utf8').includes('ready'),
    10_000,
    50,
  );
  return {
    async stop() {
      await inside.stop(1000);
      outside.kill('SIGTERM');
    },
  };
}
