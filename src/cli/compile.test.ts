import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as compile } from './compile.js';
import { UsageError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'picket-compile-'));
const example = join(import.meta.dirname, '..', '..', 'examples', 'policy.yaml');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('picket compile', () => {
  it('prints the transaction for the example policy, citing it by line', async () => {
    const io = capture();
    expect(await compile([example])).toBe(0);
    expect(io.out()).toMatch(/^# picket: generated from policy\.yaml/);
    expect(io.out()).toContain('table inet picket {');
    expect(io.out()).toMatch(/comment "policy\.yaml:\d+ hmi-reads-plcs"/);
    expect(io.err()).toBe('');
  });

  it('exits 1 with the diagnostics and prints no ruleset for a broken policy', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nsite: x\nrules:\n  - { name: r, from: nowhere, to: nowhere, services: [x] }\n',
    );
    const io = capture();
    expect(await compile([file])).toBe(1);
    expect(io.err()).toMatch(/bad\.yaml:4:\d+: error\[/);
    expect(io.out()).toBe('');
  });

  it.each([[[]], [['a.yaml', 'b.yaml']], [[join(dir, 'missing.yaml')]]])(
    'is a usage error for %j',
    async (argv) => {
      await expect(compile(argv)).rejects.toBeInstanceOf(UsageError);
    },
  );
});
