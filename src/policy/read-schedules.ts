// Schedules section → Schedule[]: days, a local HH:MM window and a real IANA
// time zone (checked with the runtime's own zone database, Intl). A window of
// zero length is an error: a rule on it could never match. Pure.

import { clockTimeOf } from './clock.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Schedule, Weekday } from './types.js';
import { entryOf, type LocatedValue, seqAt, stringAt, stringItems, uniqueEntries } from './yaml-source.js';

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The canonical IANA name of a time zone, or undefined when the runtime does not know it. */
export function canonicalTimeZone(name: string): string | undefined {
  // Fixed offsets ("+05:00") are refused: a plant's window follows its local clock, DST included.
  if (!/^[A-Za-z]/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function readTime(
  schedule: string,
  value: LocatedValue,
  key: 'from' | 'to',
  report: Report,
): number | undefined {
  const text = stringAt(value, key);
  const node = entryOf(value, key)?.value;
  if (text === undefined || !node) return undefined;
  const minute = clockTimeOf(text, key === 'to');
  if (minute === undefined) {
    const hint =
      key === 'from' && text === '24:00'
        ? '24:00 is only allowed as "to"; use "00:00"'
        : 'write HH:MM, 24-hour, e.g. "02:00"';
    report.error(
      'invalid-time',
      node.loc,
      `schedule "${schedule}": ${key} "${text}" is not a time of day`,
      hint,
    );
  }
  return minute;
}

function readTimeZone(schedule: string, value: LocatedValue, report: Report): string | undefined {
  const text = stringAt(value, 'timezone');
  const node = entryOf(value, 'timezone')?.value;
  if (text === undefined || !node) return undefined;
  const zone = canonicalTimeZone(text);
  if (zone === undefined) {
    report.error(
      'invalid-timezone',
      node.loc,
      `schedule "${schedule}": "${text}" is not an IANA time zone`,
      didYouMean(text, Intl.supportedValuesOf('timeZone')) ?? 'e.g. America/Chicago, Europe/Berlin, UTC',
    );
  }
  return zone;
}

/** Reads and checks every schedule. */
export function readSchedules(section: LocatedValue | undefined, report: Report): Schedule[] {
  const schedules: Schedule[] = [];
  for (const { key: name, keyLoc, value } of uniqueEntries(section)) {
    const days: Weekday[] = [];
    for (const { value: day, loc } of stringItems(seqAt(value, 'days'))) {
      const weekday = weekdays.find((w) => w === day);
      if (weekday === undefined) continue; // the shape check reports it
      if (days.includes(weekday))
        report.warn('duplicate-entry', loc, `schedule "${name}": "${day}" is listed twice`);
      else days.push(weekday);
    }
    const fromMinute = readTime(name, value, 'from', report);
    const toMinute = readTime(name, value, 'to', report);
    const timezone = readTimeZone(name, value, report);
    if (fromMinute !== undefined && fromMinute === toMinute) {
      report.error(
        'empty-window',
        entryOf(value, 'to')?.value.loc ?? keyLoc,
        `schedule "${name}": from and to are both ${stringAt(value, 'to')}, so the window never opens`,
        'for the whole day write from: "00:00", to: "24:00"',
      );
    }
    if (fromMinute === undefined || toMinute === undefined || timezone === undefined) continue;
    // Sorted so the Policy does not depend on how the operator ordered the days.
    days.sort((a, b) => weekdays.indexOf(a) - weekdays.indexOf(b));
    // "to: 00:00" closes at the end of the day the window opened on.
    schedules.push({
      name,
      days,
      fromMinute,
      toMinute: toMinute === 0 ? 1440 : toMinute,
      timezone,
      loc: keyLoc,
    });
  }
  return schedules;
}
