// Shared pieces of the end-to-end tests that run Picket in a lab plant: the real
// `picket` binary inside the node's namespace, and the lab's observers (probes,
// captures, kernel counters) re-exported from src/lab/observe.ts.
// Needs root. Synchronises on conditions with deadlines, never on bare sleeps.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../src/lab/lab.js';

export {
  type Capture,
  enforcedHash,
  eventually,
  type ProbeResult,
  quarantined,
  ruleCounter,
  startCapture,
  tcpProbe,
} from '../../src/lab/observe.js';

export const root = join(import.meta.dirname, '..', '..');
export const picketBin = join(root, 'bin', 'picket.js');

/** Fails early, with what to do, when dist/ was not built. */
export function requireBuild(): void {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests');
  }
}

/** Runs `picket <args>` in the node's namespace (non-zero exits are returned, not thrown). */
export async function picket(lab: Lab, args: readonly string[], env: Record<string, string> = {}) {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return lab.exec(lab.spec.node.name, ['env', ...envArgs, process.execPath, picketBin, ...args], {
    check: false,
    timeoutMs: 60_000,
  });
}

/**
 * A SPAN/TAP stand-in for sensor mode: namespaces `wireNs` and `sensorNs`
 * joined by a veth (`tap0` in the wire, up; `mon0` in the sensor, for the
 * node to take). The caller deletes both namespaces.
 */
export function createTapPair(wireNs: string, sensorNs: string): void {
  for (const ns of [wireNs, sensorNs]) execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', [
    '-n',
    wireNs,
    'link',
    'add',
    'tap0',
    'type',
    'veth',
    'peer',
    'name',
    'mon0',
    'netns',
    sensorNs,
  ]);
  execFileSync('ip', ['-n', wireNs, 'link', 'set', 'tap0', 'up']);
}
