import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['60s', 60],
    ['2s', 2],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172_800],
  ])('%s → %i', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(['', '60', '1.5h', '-5m', '0s', '5 m', 'soon'])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});
