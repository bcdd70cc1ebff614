// Golden diagnostics: every test/golden/diagnostics/<case>.yaml is parsed and its
// rendered diagnostics compared with <case>.txt, byte for byte, so a change in any
// message, code, location or hint shows up in review. UPDATE_GOLDEN=1 rewrites the
// expected files. Also: the example policy is clean.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../src/policy/diagnostic.js';
import { parsePolicy } from '../src/policy/parse.js';

const dir = join(import.meta.dirname, 'golden', 'diagnostics');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

function render(source: string, file: string): string {
  const { policy, diagnostics } = parsePolicy(source, file);
  const body = diagnostics.map((d) => renderDiagnostic(d, source)).join('\n\n');
  const summary = policy ? 'policy: ok' : 'policy: rejected';
  return `${body}${body ? '\n\n' : ''}${summary}\n`;
}

describe('golden diagnostics', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('%s', (name) => {
    const source = readFileSync(join(dir, `${name}.yaml`), 'utf8');
    const actual = render(source, `${name}.yaml`);
    const expectedPath = join(dir, `${name}.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, actual);
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });

  it('the example policy is clean', () => {
    const file = join(import.meta.dirname, '..', 'examples', 'policy.yaml');
    const { policy, diagnostics } = parsePolicy(readFileSync(file, 'utf8'), 'examples/policy.yaml');
    expect(diagnostics).toEqual([]);
    expect(policy?.site).toBe('riverside-water');
  });
});
