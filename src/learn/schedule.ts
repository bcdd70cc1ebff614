// Time-of-day patterns worth a schedule: a service seen on several days, each
// time only inside the same tight daily window (UTC hours), becomes a proposed
// schedule covering exactly those hours — on every day when it was seen on
// every day of the capture, else on the weekdays it was seen. A suggestion:
// the capture cannot show what happens on days it did not cover.
// (hour mask, days) → window or nothing. Pure.

import type { Weekday } from '../policy/types.js';

/** Days seen (of the service, and of the whole capture) before a pattern counts. */
export const MIN_SCHEDULE_DAYS = 3;
/** Widest daily window that still counts as a pattern, in hours. */
export const MAX_WINDOW_HOURS = 6;

export interface DailyWindow {
  /** UTC hour the window opens (0-23) and closes (1-24, exclusive); from > to crosses midnight. */
  readonly fromHour: number;
  readonly toHour: number;
  readonly days: readonly Weekday[];
}

const WEEKDAYS: readonly Weekday[] = ['thu', 'fri', 'sat', 'sun', 'mon', 'tue', 'wed'];

/** The weekday of a day number (days since 1970-01-01, a Thursday). */
export function weekdayOf(day: number): Weekday {
  return WEEKDAYS[((day % 7) + 7) % 7]!;
}

/** The smallest circular run of hours covering every set bit of a 24-bit mask: [start, length]. */
function coveringRun(mask: number): [number, number] {
  let best: [number, number] = [0, 24];
  for (let start = 0; start < 24; start++) {
    if (!(mask & (1 << start))) continue;
    let length = 0;
    for (let h = 0; h < 24; h++) if (mask & (1 << h)) length = Math.max(length, ((h - start + 24) % 24) + 1);
    if (length < best[1]) best = [start, length];
  }
  return best;
}

/** The daily window of a service, if it has one worth proposing. */
export function dailyWindow(
  hourMask: number,
  serviceDays: readonly number[],
  captureDays: readonly number[],
): DailyWindow | undefined {
  if (serviceDays.length < MIN_SCHEDULE_DAYS || captureDays.length < MIN_SCHEDULE_DAYS) return undefined;
  if (hourMask === 0) return undefined;
  const [start, length] = coveringRun(hourMask);
  if (length > MAX_WINDOW_HOURS) return undefined;
  const everyDay = captureDays.every((d) => serviceDays.includes(d));
  // A window across midnight belongs to the day it opened on: only an every-day pattern is safe to name.
  if (start + length > 24 && !everyDay) return undefined;
  const days = everyDay
    ? (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Weekday[])
    : (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Weekday[]).filter((w) =>
        serviceDays.some((d) => weekdayOf(d) === w),
      );
  return { fromHour: start, toHour: (start + length) % 24 || 24, days };
}
