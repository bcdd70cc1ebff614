// Whether a schedule's time gate is open at an instant, exactly as the kernel
// evaluates the compiled rule: `meta time` against the DST span in whole
// seconds (≥ floor(notBefore), < ceil(notAfter)), `meta day` as the UTC
// weekday and `meta hour` as whole seconds after UTC midnight, inclusive
// (see timeGate in compile/forward-chain.ts). (UtcWindow[], ms) → boolean. Pure.

import type { UtcWindow } from '../compile/ruleset.js';

const DAY_MS = 86_400_000;

/** True when the piece's gate matches a packet at `timeMs` (ms since the epoch, UTC). */
export function windowOpen(w: UtcWindow, timeMs: number): boolean {
  const seconds = Math.floor(timeMs / 1000);
  if (w.notBeforeMs !== undefined && seconds < Math.floor(w.notBeforeMs / 1000)) return false;
  if (w.notAfterMs !== undefined && seconds >= Math.ceil(w.notAfterMs / 1000)) return false;
  const dayIndex = Math.floor(timeMs / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  const weekday = (((dayIndex + 4) % 7) + 7) % 7;
  if (w.utcDays.length < 7 && !w.utcDays.includes(weekday)) return false;
  const secondOfDay = seconds - dayIndex * 86_400;
  return w.fromSecond <= secondOfDay && secondOfDay <= w.toSecond;
}

/** True when any piece of the schedule is open at `timeMs`. */
export function scheduleOpen(windows: readonly UtcWindow[], schedule: string, timeMs: number): boolean {
  for (const w of windows) if (w.schedule === schedule && windowOpen(w, timeMs)) return true;
  return false;
}
