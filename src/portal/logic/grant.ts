// How long a permit lasts: what the person asked for, cut to the role's max
// and the policy's grant max; the grant default when nothing (or nonsense)
// was asked. Also the durations the login form offers. Pure.

/** The grant limits of the policy and the role. */
export interface GrantLimits {
  readonly defaultSeconds: number;
  readonly maxSeconds: number;
  /** The role's own max, at most maxSeconds (checked by `picket check`). */
  readonly roleMaxSeconds?: number;
}

/** Seconds of the permit: requested (if a positive whole number) or the default, never above either max. */
export function grantSeconds(limits: GrantLimits, requestedSeconds?: number): number {
  const cap = Math.min(limits.maxSeconds, limits.roleMaxSeconds ?? limits.maxSeconds);
  const asked =
    requestedSeconds !== undefined && Number.isInteger(requestedSeconds) && requestedSeconds > 0
      ? requestedSeconds
      : limits.defaultSeconds;
  return Math.max(1, Math.min(asked, cap));
}

const CHOICES = [900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600];

/** Durations the login form offers: common ones up to the grant max, plus the default and the max. */
export function durationChoices(limits: GrantLimits): number[] {
  const set = new Set(CHOICES.filter((s) => s <= limits.maxSeconds));
  set.add(Math.min(limits.defaultSeconds, limits.maxSeconds));
  set.add(limits.maxSeconds);
  return [...set].sort((a, b) => a - b);
}

/** `1h30m`, `45m`, `20s`: a duration for people. */
export function durationText(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 && h === 0 ? `${s}s` : ''];
  return parts.join('') || '0s';
}
