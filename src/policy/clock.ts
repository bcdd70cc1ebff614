// Clock times and durations as policy text: "HH:MM" → minutes after midnight,
// "1h30m" → seconds. Pure.

/** Minutes after midnight for "HH:MM" (00:00-23:59, and 24:00 when `endOfDay` is allowed). */
export function clockTimeOf(text: string, endOfDay: boolean): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  return endOfDay && text === '24:00' ? 1440 : undefined;
}

const units: Readonly<Record<string, number>> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** Seconds in a duration like 30s, 15m, 1h, 2d or 1h30m (units in that order, each once). */
export function parseDurationSeconds(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  return [
    [d, 'd'],
    [h, 'h'],
    [min, 'm'],
    [s, 's'],
  ].reduce((total, [n, unit]) => total + (n === undefined ? 0 : Number(n) * (units[unit as string] ?? 0)), 0);
}
