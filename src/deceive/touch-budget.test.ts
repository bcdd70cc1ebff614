// Touch budget: a burst passes, the excess is held back and counted, the rate
// refills with time, sources are independent, and memory stays bounded.

import { describe, expect, it } from 'vitest';
import { touchBudget } from './touch-budget.js';

describe('touchBudget', () => {
  it('lets a burst through, holds back the rest and reports how many on the next allowed event', () => {
    const budget = touchBudget(10, 3);
    const first = [0, 0, 0, 0, 0].map(() => budget.take('10.0.0.1', 1000));
    expect(first.map((a) => a.allowed)).toEqual([true, true, true, false, false]);
    expect(budget.take('10.0.0.1', 1050)).toEqual({ allowed: false, folded: 0 });
    expect(budget.take('10.0.0.1', 1100)).toEqual({ allowed: true, folded: 3 });
    expect(budget.take('10.0.0.1', 1100)).toEqual({ allowed: false, folded: 0 });
  });

  it('keeps sources apart', () => {
    const budget = touchBudget(1, 1);
    expect(budget.take('a', 0).allowed).toBe(true);
    expect(budget.take('a', 0).allowed).toBe(false);
    expect(budget.take('b', 0).allowed).toBe(true);
  });

  it('forgets the least recently seen source beyond its bound (it starts again with a full burst)', () => {
    const budget = touchBudget(1, 1, 2);
    budget.take('a', 0);
    budget.take('b', 0);
    budget.take('c', 0); // forgets a
    expect(budget.take('a', 0).allowed).toBe(true);
    expect(budget.take('c', 0).allowed).toBe(false);
  });
});
