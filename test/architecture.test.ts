// Enforces the shape of the code base: which module may import which (the
// folders are the data flow), and that the functional core stays pure.
// Runs in milliseconds, no root.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');

/** Module → the modules it may import, and why the others are banned. */
const allowed: Readonly<Record<string, readonly string[]>> = {
  // Values under everything: they know nothing of policy or the kernel.
  net: [],
  time: [],
  // The policy language knows addresses, nothing downstream of it.
  policy: ['net', 'time'],
  // The compiler turns a Policy into a Ruleset; it must not reach the kernel.
  compile: ['policy', 'net', 'time'],
  // Apply drives the kernel with a compiled Ruleset; it never re-parses.
  apply: ['compile', 'policy', 'net', 'time', 'cli/errors'],
  // The lab builds test plants; it is a driver and knows no policy.
  lab: ['net', 'cli/errors'],
  // Intake turns kernel logs and captures into PacketEvents; it knows addresses, not the compiler.
  sense: ['policy', 'net', 'time', 'cli/errors'],
  // The detectors are a pure function of (state, event, now, policy): they read
  // PacketEvents and the Policy, never drivers, the clock or the node's wiring.
  decide: ['sense', 'policy', 'compile', 'net', 'time'],
  // Benchmarks wire real parts together like the CLI does.
  bench: ['*'],
  // The node is the long-running shell: it wires intake, decide and apply, and
  // must not reach up into the CLI (beyond its error classes) or the lab.
  node: ['sense', 'decide', 'apply', 'compile', 'policy', 'deceive', 'portal', 'net', 'time', 'cli/errors'],
  // Learning proposes a policy from decoded packets: pure, it sees packets and
  // the policy language, never drivers (the OUI registry is passed in).
  learn: ['sense', 'decide', 'policy', 'net', 'time'],
  // Simulation evaluates packets under a compiled Ruleset exactly as the kernel
  // would (and protocol rules as the node's judge would): pure.
  simulate: ['sense', 'decide', 'compile', 'policy', 'net', 'time'],
  // Deception: decoy profiles, identities and protocol personalities (pure), and
  // the drivers that host decoys on the bridge. The node wires it; it never
  // reaches up into the node.
  deceive: ['sense', 'apply', 'compile', 'policy', 'net', 'time', 'cli/errors'],
  // The identity portal: backends (LDAP, RADIUS, HTTP API), the HTTPS login
  // flow and permits as kernel set elements. The node wires it.
  portal: ['apply', 'compile', 'policy', 'net', 'time', 'cli/errors'],
  // The CLI is the only place where drivers are created and wired.
  cli: ['*'],
};

/** The functional core: no clock, no disk, no network, no processes, no randomness. */
const pure = new Set(['net', 'time', 'policy', 'compile', 'decide', 'learn', 'simulate']);
/**
 * Pure files inside modules that also hold drivers: the codecs and the packet
 * decoder of sense/, decoy personalities and placement plans of deceive/, the
 * portal's codecs and login logic.
 */
const pureFiles =
  /^sense\/(decode-|nflog-codec|nflog-event|nfqueue-codec|pcap-reader|packet-|intake|protocols\/)|^deceive\/(personality|plan)\/|^portal\/(codec|logic)\//;
const impureImports =
  /^(node:)?(fs|fs\/promises|child_process|net|dgram|http|https|os|worker_threads|cluster)$/;
const impureCalls =
  /\bDate\.now\(|\bnew Date\(\)|\bMath\.random\(|\bprocess\.(env|argv|exit|stdout|stderr)\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function moduleOf(file: string): string {
  return relative(srcDir, file).split('/')[0] ?? '';
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(
    /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    const spec = m[1] ?? m[2];
    if (spec) found.push(spec);
  }
  return found;
}

const files = sourceFiles(srcDir);

describe('architecture', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [relative(srcDir, f), f]))(
    '%s imports only what its module may',
    (_name, file) => {
      const from = moduleOf(file);
      const may = allowed[from];
      expect(may, `module "${from}" is missing from the table in test/architecture.test.ts`).toBeDefined();
      const source = readFileSync(file, 'utf8');
      for (const spec of importsOf(source)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(srcDir, join(file, '..', spec));
        const to = target.split('/')[0] ?? '';
        if (to === from || may?.includes('*')) continue;
        const ok = may?.includes(to) || may?.includes(target.replace(/\.js$/, ''));
        expect(
          ok,
          `${relative(srcDir, file)} imports ${target}: ${from} may import only [${may?.join(', ')}]`,
        ).toBe(true);
      }
    },
  );

  it.each(
    files
      .filter((f) => pure.has(moduleOf(f)) || pureFiles.test(relative(srcDir, f)))
      .map((f) => [relative(srcDir, f), f]),
  )('%s is pure (no I/O, clock or randomness)', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    for (const spec of importsOf(source)) {
      expect(impureImports.test(spec), `${relative(srcDir, file)} imports ${spec}`).toBe(false);
    }
    expect(source.match(impureCalls)?.[0], `${relative(srcDir, file)} reads the world`).toBeUndefined();
  });
});
