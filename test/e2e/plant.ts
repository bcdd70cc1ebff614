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

/**
 * `policyText` with `perSide`² more allowed pairs: two zones of `perSide`
 * assets each (10.21.0.0/24 and 10.21.1.0/24, or fd21::/64 and fd21:0:0:1::/64
 * with `ipv6`; nowhere on the lab's wires) and a rule from every one to every
 * other on `port` (a number, or a range like `"1000-1010"`, which makes the
 * tuples go to the interval set). 64 per side makes 4,096 tuples: enough for
 * apply to stage its allow set and load it over netlink.
 * The policy needs `zones:`, `assets:`, `groups:`, `services:` and `rules:` sections.
 */
export function withBulkPairs(
  policyText: string,
  perSide = 64,
  port: number | string = 502,
  options: { ipv6?: boolean } = {},
): string {
  const net = (side: number) => (options.ipv6 ? `fd21:0:0:${side}::/64` : `10.21.${side}.0/24`);
  const ip = (side: number, i: number) =>
    options.ipv6 ? `"fd21:0:0:${side}::${(i + 1).toString(16)}"` : `10.21.${side}.${i + 1}`;
  const hosts = (side: 'src' | 'dst', n: number) =>
    Array.from(
      { length: perSide },
      (_, i) => `  bulk-${side}-${i}: { ip: ${ip(n, i)}, zone: bulk-${side}-net }`,
    );
  const members = (side: 'src' | 'dst') =>
    Array.from({ length: perSide }, (_, i) => `bulk-${side}-${i}`).join(', ');
  const add = (text: string, header: string, lines: readonly string[]) => {
    if (!text.includes(`\n${header}\n`))
      throw new Error(`withBulkPairs: the policy has no "${header}" section`);
    return text.replace(`\n${header}\n`, `\n${header}\n${lines.join('\n')}\n`);
  };
  let text = add(policyText, 'zones:', [
    `  bulk-src-net: { networks: ["${net(0)}"] }`,
    `  bulk-dst-net: { networks: ["${net(1)}"] }`,
  ]);
  text = add(text, 'assets:', [...hosts('src', 0), ...hosts('dst', 1)]);
  text = add(text, 'groups:', [
    `  bulk-src: { assets: [${members('src')}] }`,
    `  bulk-dst: { assets: [${members('dst')}] }`,
  ]);
  text = add(text, 'services:', [`  bulk-svc: { tcp: [${JSON.stringify(port)}] }`]);
  return add(text, 'rules:', [
    '  - name: bulk-pairs',
    '    from: bulk-src',
    '    to: bulk-dst',
    '    services: [bulk-svc]',
  ]);
}
