import { describe, expect, it } from 'vitest';
import type { AllowEntry } from '../compile/ruleset.js';
import { conntrackOnlyRuleset, flowLast, naiveRuleset } from './baseline-rulesets.js';

const entry = (source: string, transport: 'tcp' | 'udp', ports: string): AllowEntry => ({
  family: 4,
  source,
  destination: '10.65.0.1',
  transport,
  ports,
  rule: 'r',
  line: 1,
});

describe('baseline rulesets', () => {
  it('conntrack-only accepts established flows and lets the rest pass', () => {
    const text = conntrackOnlyRuleset();
    expect(text).toContain('ct state established,related accept');
    expect(text).toContain('policy accept;');
  });

  it('naive list has one rule per entry, after the conntrack fast path, with the flow last', () => {
    const flow = entry('10.30.0.1', 'udp', '9');
    const ordered = flowLast(
      [flow, entry('10.64.0.1', 'tcp', '502'), entry('10.64.0.3', 'tcp', '502')],
      (e) => e.source.startsWith('10.30.'),
    );
    const lines = naiveRuleset(ordered).split('\n');
    const rules = lines.filter((l) => l.includes(' dport '));
    expect(rules).toHaveLength(3);
    expect(rules.at(-1)?.trim()).toBe('ip saddr 10.30.0.1 ip daddr 10.65.0.1 udp dport 9 accept');
    expect(lines.findIndex((l) => l.includes('ct state'))).toBeLessThan(lines.indexOf(rules[0] ?? ''));
    expect(lines.join('\n')).toContain('policy drop;');
  });
});
