// Golden tests for the compiler: each test/golden/compile/<case>.yaml compiles
// (at a fixed instant) to exactly <case>.nft, and every golden is fed to the
// kernel's own parser in a throwaway network namespace
// (`unshare -n env TZ=UTC nft -c -f <file>`), so a ruleset nft would refuse
// cannot be committed. UPDATE_GOLDEN=1 rewrites the .nft files.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/compile.js';
import { renderNft } from '../src/compile/render.js';
import { renderDiagnostic } from '../src/policy/diagnostic.js';
import { parsePolicy } from '../src/policy/parse.js';

const dir = join(import.meta.dirname, 'golden', 'compile');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

/** Wednesday 25 November 2026, midnight UTC: Chicago on CST, Auckland on NZDT. */
const NOW_MS = Date.UTC(2026, 10, 25);

function compileCase(name: string): string {
  const file = join(dir, `${name}.yaml`);
  const source = readFileSync(file, 'utf8');
  const { policy, diagnostics } = parsePolicy(source, `${name}.yaml`);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => renderDiagnostic(d, source))).toEqual([]);
  return `${renderNft(compile(policy!, { nowMs: NOW_MS }))}\n`;
}

// Root can make a network namespace; elsewhere the kernel check cannot run.
const canUseKernel = spawnSync('unshare', ['-n', 'nft', '--version']).status === 0;

function nft(args: readonly string[], tz = 'UTC'): { status: number | null; output: string } {
  const r = spawnSync('unshare', ['-n', 'env', `TZ=${tz}`, 'nft', ...args], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('golden compile', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s.yaml compiles to %s.nft', (name) => {
    const actual = compileCase(name);
    const goldenFile = join(dir, `${name}.nft`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenFile, actual);
    expect(actual).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it.skipIf(!canUseKernel).each(cases)('nft accepts %s.nft', (name) => {
    const { status, output } = nft(['-c', '-f', join(dir, `${name}.nft`)]);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it.skipIf(!canUseKernel)('loads the same windows whatever TZ nft runs under', () => {
    // Loaded by an nft in Auckland, listed by one in UTC: the hours must be the
    // UTC ones the compiler computed (08:00-10:00 UTC = 02:00-04:00 CST).
    const file = join(dir, 'schedule-chicago.nft');
    const r = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        'TZ=Pacific/Auckland nft -f "$1" && TZ=UTC nft list chain inet picket forward',
        'sh',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('meta hour "08:00"-"09:59:59"');
    expect(r.stdout).toContain('meta time >= "2027-03-14 08:00:00" meta time < "2027-11-07 07:00:00"');
  });
});
