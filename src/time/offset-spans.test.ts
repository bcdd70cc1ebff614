import { describe, expect, it } from 'vitest';
import { isTimeZone, offsetSpans, utcOffsetSeconds } from './offset-spans.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const DAYS_400 = 400 * 86_400_000;

describe('utcOffsetSeconds', () => {
  it.each([
    ['America/Chicago', '2026-11-25T12:00:00', -6 * 3600],
    ['America/Chicago', '2027-07-01T12:00:00', -5 * 3600],
    ['Asia/Kolkata', '2026-11-25T12:00:00', 5.5 * 3600],
    ['Pacific/Auckland', '2026-11-25T12:00:00', 13 * 3600],
    ['Pacific/Auckland', '2027-07-01T12:00:00', 12 * 3600],
    ['UTC', '2026-11-25T12:00:00', 0],
  ])('%s at %s is %i s', (zone, at, offset) => {
    expect(utcOffsetSeconds(zone, utc(at))).toBe(offset);
  });
});

describe('offsetSpans', () => {
  it('finds the DST transitions of America/Chicago to the second', () => {
    expect(offsetSpans('America/Chicago', utc('2026-11-25T00:00:00'), DAYS_400)).toEqual([
      { offsetSeconds: -21600, endMs: utc('2027-03-14T08:00:00') },
      { startMs: utc('2027-03-14T08:00:00'), endMs: utc('2027-11-07T07:00:00'), offsetSeconds: -18000 },
      { startMs: utc('2027-11-07T07:00:00'), offsetSeconds: -21600 },
    ]);
  });

  it('finds the southern-hemisphere transitions of Pacific/Auckland', () => {
    expect(offsetSpans('Pacific/Auckland', utc('2026-11-25T00:00:00'), DAYS_400)).toEqual([
      { offsetSeconds: 13 * 3600, endMs: utc('2027-04-03T14:00:00') },
      { startMs: utc('2027-04-03T14:00:00'), endMs: utc('2027-09-25T14:00:00'), offsetSeconds: 12 * 3600 },
      { startMs: utc('2027-09-25T14:00:00'), offsetSeconds: 13 * 3600 },
    ]);
  });

  it.each(['UTC', 'Asia/Kolkata'])('gives %s one open span', (zone) => {
    expect(offsetSpans(zone, utc('2026-11-25T00:00:00'), DAYS_400)).toHaveLength(1);
  });
});

describe('isTimeZone', () => {
  it.each([
    ['America/Chicago', true],
    ['Mars/Olympus_Mons', false],
  ])('%s → %s', (zone, known) => {
    expect(isTimeZone(zone)).toBe(known);
  });
});
