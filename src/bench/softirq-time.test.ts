import { describe, expect, it } from 'vitest';
import { statTicks } from './softirq-time.js';

describe('statTicks', () => {
  it('adds utime and stime, even when the command name has spaces and parentheses', () => {
    const stat = '15 (ksoftirqd/0) S 2 0 0 0 -1 69238848 0 0 0 0 7 131 0 0 20 0 1 0 3 0 0';
    expect(statTicks(stat)).toBe(138);
    expect(statTicks('99 (a b) c)) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0')).toBe(11);
  });
});
