import { describe, expect, it } from 'vitest';
import { median, percentile } from './statistics.js';

describe('median', () => {
  it.each([
    [[], Number.NaN],
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %d', (samples, expected) => {
    expect(median(samples)).toBe(expected);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  it.each([
    [hundred, 50, 50],
    [hundred, 99, 99],
    [hundred, 100, 100],
    [[7], 99, 7],
    [[1, 2], 99, 2],
  ])('case %#: nearest rank', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });
  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
