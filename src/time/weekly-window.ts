// Converts a local weekly time window into the UTC pieces the kernel can match with
// `meta day` + `meta hour`, one offset span at a time. The day and the hour are
// converted together because a local window can cross UTC midnight (either way),
// and each piece stays within one UTC day so no `meta hour` range wraps.
// Weekly window + zone + now → UTC pieces with their validity span. Pure.

import { offsetSpans } from './offset-spans.js';

/** A weekly window in local time. `toMinute <= fromMinute` crosses midnight into the next day. */
export interface WeeklyWindow {
  /** Local days, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
  /** Minutes after local midnight, 0..1439. */
  readonly fromMinute: number;
  /** Minutes after local midnight, 1..1440 (1440 = end of day). */
  readonly toMinute: number;
}

/** Part of a window in UTC: on `utcDays` (0 = Sunday), seconds `fromSecond`..`toSecond` inclusive. */
export interface UtcPiece {
  readonly utcDays: readonly number[];
  readonly fromSecond: number;
  readonly toSecond: number;
}

/** A UTC piece that holds while the wall clock is in [notBeforeMs, notAfterMs); absent bounds are open. */
export interface TimedUtcPiece extends UtcPiece {
  readonly notBeforeMs?: number;
  readonly notAfterMs?: number;
}

const DAY = 86_400;
const WEEK = 7 * DAY;

/** How far ahead the zone's transitions are computed. */
export const HORIZON_MS = 400 * DAY * 1000;

/** The window's UTC pieces under one constant offset (local − UTC, seconds). */
export function utcPieces(window: WeeklyWindow, offsetSeconds: number): UtcPiece[] {
  const length =
    (window.toMinute <= window.fromMinute ? window.toMinute + 1440 : window.toMinute) * 60 -
    window.fromMinute * 60;
  const intervals: [number, number][] = [];
  for (const day of new Set(window.days)) {
    const start = mod(day * DAY + window.fromMinute * 60 - offsetSeconds, WEEK);
    const end = start + length;
    if (end <= WEEK) intervals.push([start, end]);
    else intervals.push([start, WEEK], [0, end - WEEK]);
  }
  const byTime = new Map<string, UtcPiece & { utcDays: number[] }>();
  for (const [start, end] of merge(intervals)) {
    for (let day = Math.floor(start / DAY); day * DAY < end; day++) {
      const fromSecond = Math.max(start, day * DAY) - day * DAY;
      const toSecond = Math.min(end, (day + 1) * DAY) - day * DAY - 1;
      const key = `${fromSecond}-${toSecond}`;
      const piece = byTime.get(key) ?? { utcDays: [], fromSecond, toSecond };
      piece.utcDays.push(day % 7);
      byTime.set(key, piece);
    }
  }
  return [...byTime.values()]
    .map((p) => ({ ...p, utcDays: [...new Set(p.utcDays)].sort((a, b) => a - b) }))
    .sort((a, b) => (a.utcDays[0] ?? 0) - (b.utcDays[0] ?? 0) || a.fromSecond - b.fromSecond);
}

/**
 * The window's UTC pieces across the zone's offset spans from `nowMs` over the
 * horizon, and the last transition seen (when the result should be recomputed).
 */
export function timedUtcPieces(
  window: WeeklyWindow,
  timeZone: string,
  nowMs: number,
): { readonly pieces: TimedUtcPiece[]; readonly lastTransitionMs?: number } {
  const spans = offsetSpans(timeZone, nowMs, HORIZON_MS);
  const pieces = spans.flatMap((span) =>
    utcPieces(window, span.offsetSeconds).map((p) => ({
      ...p,
      ...(span.startMs === undefined ? {} : { notBeforeMs: span.startMs }),
      ...(span.endMs === undefined ? {} : { notAfterMs: span.endMs }),
    })),
  );
  const last = spans.at(-1)?.startMs;
  return last === undefined ? { pieces } : { pieces, lastTransitionMs: last };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Sorts and merges overlapping or touching intervals [start, end). */
function merge(intervals: readonly [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
