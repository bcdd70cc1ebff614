import { describe, expect, it } from 'vitest';
import { timedUtcPieces, type UtcPiece, utcPieces, type WeeklyWindow } from './weekly-window.js';

const SUN = 0;
const MON = 1;
const FRI = 5;
const SAT = 6;
const h = (hours: number, minutes = 0) => hours * 3600 + minutes * 60;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const window = (days: number[], from: string, to: string): WeeklyWindow => {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return { days, fromMinute: minutes(from), toMinute: minutes(to) };
};

describe('utcPieces', () => {
  const cases: [string, WeeklyWindow, number, UtcPiece[]][] = [
    [
      'Chicago winter (-6): Sat 02:00–04:00 → Sat 08:00–10:00 UTC',
      window([SAT], '02:00', '04:00'),
      -6 * 3600,
      [{ utcDays: [SAT], fromSecond: h(8), toSecond: h(10) - 1 }],
    ],
    [
      'Chicago summer (-5): Sat 02:00–04:00 → Sat 07:00–09:00 UTC',
      window([SAT], '02:00', '04:00'),
      -5 * 3600,
      [{ utcDays: [SAT], fromSecond: h(7), toSecond: h(9) - 1 }],
    ],
    [
      'UTC: Fri 23:00–01:00 crosses midnight into Saturday',
      window([FRI], '23:00', '01:00'),
      0,
      [
        { utcDays: [FRI], fromSecond: h(23), toSecond: h(24) - 1 },
        { utcDays: [SAT], fromSecond: 0, toSecond: h(1) - 1 },
      ],
    ],
    [
      'Chicago winter: Fri 23:00–01:00 local is all Saturday in UTC',
      window([FRI], '23:00', '01:00'),
      -6 * 3600,
      [{ utcDays: [SAT], fromSecond: h(5), toSecond: h(7) - 1 }],
    ],
    [
      'Kolkata (+05:30): Mon 02:00–04:00 → Sun 20:30–22:30 UTC (the day goes backwards)',
      window([MON], '02:00', '04:00'),
      5.5 * 3600,
      [{ utcDays: [SUN], fromSecond: h(20, 30), toSecond: h(22, 30) - 1 }],
    ],
    [
      'Kolkata: Mon 05:00–06:00 → Sun 23:30 to Mon 00:30 UTC, split at UTC midnight',
      window([MON], '05:00', '06:00'),
      5.5 * 3600,
      [
        { utcDays: [SUN], fromSecond: h(23, 30), toSecond: h(24) - 1 },
        { utcDays: [MON], fromSecond: 0, toSecond: h(0, 30) - 1 },
      ],
    ],
    [
      'Kolkata: Sun 02:00–04:00 wraps the week back to Saturday',
      window([SUN], '02:00', '04:00'),
      5.5 * 3600,
      [{ utcDays: [SAT], fromSecond: h(20, 30), toSecond: h(22, 30) - 1 }],
    ],
    [
      'Auckland summer (+13): Mon–Fri 09:00–17:00 → Sun–Thu 20:00 to Mon–Fri 04:00 UTC',
      window([1, 2, 3, 4, 5], '09:00', '17:00'),
      13 * 3600,
      [
        { utcDays: [0, 1, 2, 3, 4], fromSecond: h(20), toSecond: h(24) - 1 },
        { utcDays: [1, 2, 3, 4, 5], fromSecond: 0, toSecond: h(4) - 1 },
      ],
    ],
    [
      'every day, all day (to = 1440) is one piece on all seven days',
      window([0, 1, 2, 3, 4, 5, 6], '00:00', '24:00'),
      -6 * 3600,
      [{ utcDays: [0, 1, 2, 3, 4, 5, 6], fromSecond: 0, toSecond: h(24) - 1 }],
    ],
    [
      'Sat and Sun 22:00–02:00 in UTC group by time of day',
      window([SAT, SUN], '22:00', '02:00'),
      0,
      [
        { utcDays: [SUN, MON], fromSecond: 0, toSecond: h(2) - 1 },
        { utcDays: [SUN, SAT], fromSecond: h(22), toSecond: h(24) - 1 },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, w, offset, expected) => {
    expect(utcPieces(w, offset)).toEqual(expected);
  });
});

describe('timedUtcPieces', () => {
  it('gives America/Chicago one piece per DST span, bounded by the transitions', () => {
    const result = timedUtcPieces(
      window([SAT], '02:00', '04:00'),
      'America/Chicago',
      utc('2026-11-25T00:00:00'),
    );
    expect(result).toEqual({
      pieces: [
        { utcDays: [SAT], fromSecond: h(8), toSecond: h(10) - 1, notAfterMs: utc('2027-03-14T08:00:00') },
        {
          utcDays: [SAT],
          fromSecond: h(7),
          toSecond: h(9) - 1,
          notBeforeMs: utc('2027-03-14T08:00:00'),
          notAfterMs: utc('2027-11-07T07:00:00'),
        },
        { utcDays: [SAT], fromSecond: h(8), toSecond: h(10) - 1, notBeforeMs: utc('2027-11-07T07:00:00') },
      ],
      lastTransitionMs: utc('2027-11-07T07:00:00'),
    });
  });

  it('gives a zone without DST open pieces and no recompile time', () => {
    expect(
      timedUtcPieces(window([MON], '02:00', '04:00'), 'Asia/Kolkata', utc('2026-11-25T00:00:00')),
    ).toEqual({
      pieces: [{ utcDays: [SUN], fromSecond: h(20, 30), toSecond: h(22, 30) - 1 }],
    });
  });

  it('keeps a window open across the night the clocks change (Chicago, Sun 01:00–04:00)', () => {
    const { pieces } = timedUtcPieces(
      window([SUN], '01:00', '04:00'),
      'America/Chicago',
      utc('2026-11-25T00:00:00'),
    );
    // Before 08:00 UTC on 14 March the CST piece (07:00–10:00) holds, after it the
    // CDT piece (06:00–09:00): together 07:00–09:00 UTC = 01:00 CST to 04:00 CDT.
    expect(pieces.slice(0, 2)).toEqual([
      { utcDays: [SUN], fromSecond: h(7), toSecond: h(10) - 1, notAfterMs: utc('2027-03-14T08:00:00') },
      {
        utcDays: [SUN],
        fromSecond: h(6),
        toSecond: h(9) - 1,
        notBeforeMs: utc('2027-03-14T08:00:00'),
        notAfterMs: utc('2027-11-07T07:00:00'),
      },
    ]);
  });
});
