import { describe, expect, it } from 'vitest';
import { durationChoices, durationText, grantSeconds } from './grant.js';

describe('grantSeconds', () => {
  const limits = { defaultSeconds: 3600, maxSeconds: 8 * 3600, roleMaxSeconds: 4 * 3600 };
  it.each([
    ['nothing asked: the default', undefined, 3600],
    ['asked within the role max', 7200, 7200],
    ['asked above the role max: cut to it', 8 * 3600, 4 * 3600],
    ['asked nonsense: the default', -5, 3600],
    ['asked a fraction: the default', 1.5, 3600],
  ])('%s', (_name, asked, expected) => {
    expect(grantSeconds(limits, asked)).toBe(expected);
  });

  it('without a role max, the grant max caps', () => {
    expect(grantSeconds({ defaultSeconds: 60, maxSeconds: 3600 }, 99_999)).toBe(3600);
  });

  it('a default above a short role max is cut to the role max', () => {
    expect(grantSeconds({ defaultSeconds: 3600, maxSeconds: 7200, roleMaxSeconds: 3 })).toBe(3);
  });
});

describe('durationChoices and durationText', () => {
  it('offers common durations up to the max, with the default and the max', () => {
    expect(durationChoices({ defaultSeconds: 3, maxSeconds: 5400 })).toEqual([3, 900, 1800, 3600, 5400]);
  });
  it.each([
    [3, '3s'],
    [90, '1m30s'],
    [3600, '1h'],
    [5400, '1h30m'],
  ])('%i s is %s', (s, text) => {
    expect(durationText(s)).toBe(text);
  });
});
