import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as check } from './check.js';
import { UsageError } from './errors.js';
import { main as schema } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'picket-check-'));
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

describe('picket check', () => {
  it('exits 0 on the example policy and says so', async () => {
    const io = capture();
    expect(await check([example])).toBe(0);
    expect(io.err()).toMatch(/policy\.yaml: ok \(2 zones, 5 assets, 3 rules\)\n$/);
  });

  it('exits 1 and shows every problem with its line and caret', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\nsite: x\nzones:\n  a: { networks: [10.0.0.1/8], netwroks: [] }\n');
    const io = capture();
    expect(await check([file])).toBe(1);
    expect(io.err()).toContain(`${file}:4:19: error[host-bits-set]`);
    expect(io.err()).toContain(
      '   4 |   a: { networks: [10.0.0.1/8], netwroks: [] }\n     |                   ^',
    );
    expect(io.err()).toContain(`${file}:4:32: error[unknown-key]`);
    expect(io.err()).toMatch(/: 2 errors, 0 warnings\n$/);
  });

  it.each([[[]], [['a.yaml', 'b.yaml']], [[join(dir, 'missing.yaml')]], [[dir]]])(
    'is a usage error (exit 2) for %j',
    async (argv) => {
      await expect(check(argv)).rejects.toBeInstanceOf(UsageError);
    },
  );
});

describe('picket schema', () => {
  it('prints the JSON Schema', async () => {
    const io = capture();
    expect(await schema([])).toBe(0);
    expect(JSON.parse(io.out()).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
