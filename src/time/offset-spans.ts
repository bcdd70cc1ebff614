// A time zone's UTC offset over time: the spans between its transitions (DST),
// found with Intl.DateTimeFormat by scanning forward from `now` and bisecting each
// change down to the second. IANA zone + now → offset spans. Pure (now is a parameter).

/** A stretch of time with one UTC offset; an absent bound is open. */
export interface OffsetSpan {
  /** First instant of the span (a transition), absent for the first span. */
  readonly startMs?: number;
  /** First instant after the span (the next transition), absent for the last span. */
  readonly endMs?: number;
  /** Local time minus UTC, in seconds (Chicago in winter: -21600). */
  readonly offsetSeconds: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `name` as an IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in seconds at an instant. */
export function utcOffsetSeconds(timeZone: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(whole))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((local - whole) / 1000);
}

// Transitions of real zones are months apart; twelve hours cannot step over two.
const SCAN_STEP_MS = 12 * 3600 * 1000;

/**
 * The offset spans that cover [nowMs, nowMs + horizonMs]: the first open at its
 * start, the last open at its end, each bounded by a transition instant.
 */
export function offsetSpans(timeZone: string, nowMs: number, horizonMs: number): OffsetSpan[] {
  const transitions: { atMs: number; offsetSeconds: number }[] = [];
  const first = utcOffsetSeconds(timeZone, nowMs);
  let before = first;
  let lo = nowMs;
  for (let t = nowMs + SCAN_STEP_MS; lo < nowMs + horizonMs; t += SCAN_STEP_MS) {
    const hi = Math.min(t, nowMs + horizonMs);
    const after = utcOffsetSeconds(timeZone, hi);
    if (after !== before) {
      transitions.push({ atMs: bisect(timeZone, lo, hi, before), offsetSeconds: after });
      before = after;
    }
    lo = hi;
  }
  const spans: OffsetSpan[] = [];
  let current: { startMs?: number; offsetSeconds: number } = { offsetSeconds: first };
  for (const tr of transitions) {
    spans.push({ ...current, endMs: tr.atMs });
    current = { startMs: tr.atMs, offsetSeconds: tr.offsetSeconds };
  }
  spans.push(current);
  return spans;
}

/** The first whole second in (loMs, hiMs] whose offset differs from `before`. */
function bisect(timeZone: string, loMs: number, hiMs: number, before: number): number {
  let lo = Math.floor(loMs / 1000);
  let hi = Math.ceil(hiMs / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetSeconds(timeZone, mid * 1000) === before) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}
