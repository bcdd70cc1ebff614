// End-to-end: a chain's rules read over raw netlink (`readChainRules`, one
// GETRULE dump) against the real kernel, and checked against what nft's own
// JSON listing of the same chain says, folded into the node's counters.
//
//   host (vitest, root)
//     │  ip netns exec pk-cr-XXXXXX nft -f -          (a small forward chain)
//     │  ip netns exec pk-cr-XXXXXX node read.mjs …    (netlink and nft, both)
//     ▼
//   ┌──────────────── netns pk-cr-XXXXXX ────────────────┐
//   │  table inet picket                                 │
//   │    chain forward: counted accept, drop, preset     │
//   │                   counter, uncounted, jump         │
//   └────────────────────────────────────────────────────┘
//
// Needs root and nftables; beforeAll builds dist/ with tsc.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelRule } from '../../src/apply/nft-rules-codec.js';
import type { RuleCounter } from '../../src/node/rule-counters.js';

const root = join(import.meta.dirname, '..', '..');
const ns = `pk-cr-${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'picket-e2e-cr-'));
const script = join(work, 'read.mjs');

const RULESET = `table inet picket {
  chain other {
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ip saddr 10.0.0.1 counter accept comment "a"
    ip saddr 10.0.0.2 counter packets 2 bytes 100 accept comment "a"
    counter drop comment "b"
    meta l4proto tcp counter packets 5 bytes 300 accept comment "c"
    ip saddr 10.0.0.3 accept comment "uncounted"
    ip saddr 10.0.0.4 counter packets 1 bytes 60 jump other
  }
}
`;

/** Reads a chain both ways in the namespace: netlink rules, and nft's JSON listing folded into counters. */
const READER = `
import { readChainRules } from ${JSON.stringify(pathToFileURL(join(root, 'dist/apply/nft-netlink.js')).href)};
import { createNft } from ${JSON.stringify(pathToFileURL(join(root, 'dist/apply/nft.js')).href)};
import { ruleCountersFrom, ruleCountersOf } from ${JSON.stringify(pathToFileURL(join(root, 'dist/node/rule-counters.js')).href)};
const [family, table, chain] = process.argv.slice(2);
const rules = readChainRules(family, table, chain);
const nft = createNft();
const listed = ruleCountersFrom(nft.listJson(\`list chain \${family} \${table} \${chain}\`));
process.stdout.write(JSON.stringify({ rules: rules ?? null, counters: ruleCountersOf(rules ?? []), listed }));
`;

interface Read {
  readonly rules: KernelRule[] | null;
  readonly counters: RuleCounter[];
  readonly listed: RuleCounter[];
}

function inNs(args: readonly string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const read = (family: string, table: string, chain: string): Read =>
  JSON.parse(inNs([process.execPath, script, family, table, chain]));

beforeAll(() => {
  // tsc exits non-zero while other modules are unfinished but still emits; the check below is what matters.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  if (!existsSync(join(root, 'dist', 'apply', 'nft-netlink.js'))) throw new Error('build failed: no dist/');
  writeFileSync(script, READER);
  execFileSync('ip', ['netns', 'add', ns]);
  inNs(['nft', '-f', '-'], RULESET);
});

afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(work, { recursive: true, force: true });
});

describe('readChainRules against the kernel', () => {
  it('reads every rule of the chain with its comment, counter and verdict, in order', () => {
    expect(read('inet', 'picket', 'forward').rules).toEqual([
      { comment: 'a', counted: true, packets: 0, bytes: 0, verdict: 'accept' },
      { comment: 'a', counted: true, packets: 2, bytes: 100, verdict: 'accept' },
      { comment: 'b', counted: true, packets: 0, bytes: 0, verdict: 'drop' },
      { comment: 'c', counted: true, packets: 5, bytes: 300, verdict: 'accept' },
      { comment: 'uncounted', counted: false, packets: 0, bytes: 0, verdict: 'accept' },
      { counted: true, packets: 1, bytes: 60, verdict: 'other' },
    ]);
  });

  it('gives the node the same counters as nft’s JSON listing of the chain', () => {
    const { counters, listed } = read('inet', 'picket', 'forward');
    expect(counters).toEqual(listed);
    expect(counters).toEqual([
      { rule: 'a', verdict: 'accept', packets: 2, bytes: 100 },
      { rule: 'b', verdict: 'drop', packets: 0, bytes: 0 },
      { rule: 'c', verdict: 'accept', packets: 5, bytes: 300 },
      { rule: '(no comment)', verdict: 'other', packets: 1, bytes: 60 },
    ]);
  });

  it('tells an empty chain from a missing chain or table', () => {
    expect(read('inet', 'picket', 'other').rules).toEqual([]);
    const script = `import { readChainRules } from ${JSON.stringify(pathToFileURL(join(root, 'dist/apply/nft-netlink.js')).href)};
process.stdout.write(JSON.stringify([readChainRules('inet', 'picket', 'nope'), readChainRules('inet', 'nope', 'forward'), readChainRules('bridge', 'picket', 'forward')].map((r) => r ?? null)));`;
    expect(JSON.parse(inNs([process.execPath, '--input-type=module', '-e', script]))).toEqual([
      null,
      null,
      null,
    ]);
  });
});
