// Login attempt limits: failures are counted per source address and per user
// name in a sliding window; too many lock that source (or user) out for a
// while. Bounded: the oldest entries are forgotten first. The caller passes
// `now`. State + attempt + now → verdict. Pure (mutates only the state given).

/** Limits; the defaults suit people typing passwords, not scripts. */
export interface RateLimits {
  readonly windowMs: number;
  readonly maxFailuresPerUser: number;
  readonly maxFailuresPerSource: number;
  readonly lockoutMs: number;
  /** Most sources or users remembered at once. */
  readonly maxEntries: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  windowMs: 10 * 60_000,
  maxFailuresPerUser: 5,
  maxFailuresPerSource: 10,
  lockoutMs: 5 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  failuresMs: number[];
  lockedUntilMs: number;
}

/** Failure history per key (`s:<address>`, `u:<user>`). */
export interface RateState {
  readonly limits: RateLimits;
  readonly entries: Map<string, Entry>;
}

/** A fresh state. */
export function createRateState(limits: RateLimits = DEFAULT_RATE_LIMITS): RateState {
  return { limits, entries: new Map() };
}

/** Whether an attempt may go to a backend now; when not, who is locked and for how long. */
export type RateVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly by: 'source' | 'user'; readonly retryAfterMs: number };

const keys = (source: string, user: string) => ({ s: `s:${source}`, u: `u:${user.toLowerCase()}` });

/** Checks an attempt from `source` as `user` before it is tried. */
export function checkAttempt(state: RateState, source: string, user: string, nowMs: number): RateVerdict {
  const { s, u } = keys(source, user);
  for (const [key, by] of [
    [s, 'source'],
    [u, 'user'],
  ] as const) {
    const entry = state.entries.get(key);
    if (entry && entry.lockedUntilMs > nowMs)
      return { ok: false, by, retryAfterMs: entry.lockedUntilMs - nowMs };
  }
  return { ok: true };
}

function note(state: RateState, key: string, max: number, nowMs: number): void {
  const entry = state.entries.get(key) ?? { failuresMs: [], lockedUntilMs: 0 };
  state.entries.delete(key);
  entry.failuresMs = entry.failuresMs.filter((t) => t > nowMs - state.limits.windowMs);
  entry.failuresMs.push(nowMs);
  if (entry.failuresMs.length >= max) {
    entry.lockedUntilMs = nowMs + state.limits.lockoutMs;
    entry.failuresMs = [];
  }
  state.entries.set(key, entry);
  while (state.entries.size > state.limits.maxEntries) {
    const oldest = state.entries.keys().next().value;
    if (oldest === undefined) break;
    state.entries.delete(oldest);
  }
}

/** Records a failed attempt (wrong password, unknown user); may start a lockout. */
export function recordFailure(state: RateState, source: string, user: string, nowMs: number): void {
  const { s, u } = keys(source, user);
  note(state, s, state.limits.maxFailuresPerSource, nowMs);
  note(state, u, state.limits.maxFailuresPerUser, nowMs);
}

/** A success clears the user's failures (not the source's: one good login must not launder a guesser). */
export function recordSuccess(state: RateState, _source: string, user: string): void {
  state.entries.delete(keys('', user).u);
}
