import { describe, expect, it } from 'vitest';
import { clockTimeOf, parseDurationSeconds } from './clock.js';

describe('clockTimeOf', () => {
  it.each([
    ['00:00', false, 0],
    ['02:30', false, 150],
    ['23:59', false, 1439],
    ['24:00', true, 1440],
    ['24:00', false, undefined],
    ['24:01', true, undefined],
    ['2:30', false, undefined],
    ['12:60', false, undefined],
    ['12h30', false, undefined],
  ])('%s (end of day %s) → %s', (text, endOfDay, minute) => {
    expect(clockTimeOf(text, endOfDay)).toBe(minute);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172_800],
    ['1d2h3m4s', 93_784],
    ['', undefined],
    ['1h 30m', undefined],
    ['30m1h', undefined],
    ['1.5h', undefined],
    ['10', undefined],
  ])('%j → %s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
});
