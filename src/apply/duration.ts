// Durations as operators type them on the command line: `60s`, `5m`, `1h30m`, `2d`.
// Text → seconds.
// Pure.

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `1h30m`-style text into whole seconds; undefined when it is not a positive duration. */
export function parseDurationSeconds(text: string): number | undefined {
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhd])/g)) total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0);
  return total > 0 ? total : undefined;
}
