// What a login attempt's outcome means to the person at the laptop and to the
// operator's log: generic to the person (no hint whether the user exists),
// specific in the log (backend, reason, its message) — never a password.
// AuthOutcome or lockout → { person, log }. Pure.

import type { AuthOutcome } from '../backend.js';
import { durationText } from './grant.js';

/** A message for the page and fields for the operator log. */
export interface Explained {
  readonly person: string;
  readonly outcome: LoginResult;
  readonly log: Readonly<Record<string, string | number>>;
}

/** Outcomes counted in metrics (`picket_portal_logins_total{outcome}`). */
export type LoginResult =
  | 'accepted'
  | 'challenge'
  | 'bad-credentials'
  | 'locked'
  | 'rate-limited'
  | 'no-role'
  | 'unavailable'
  | 'csrf'
  | 'kernel-error';

export const LOGIN_RESULTS: readonly LoginResult[] = [
  'accepted',
  'challenge',
  'bad-credentials',
  'locked',
  'rate-limited',
  'no-role',
  'unavailable',
  'csrf',
  'kernel-error',
];

/** The person's message and the log fields for a backend outcome other than accept/challenge. */
export function explainRefusal(
  outcome: Exclude<AuthOutcome, { kind: 'accept' } | { kind: 'challenge' }>,
): Explained {
  if (outcome.kind === 'unavailable') {
    return {
      person:
        'The sign-in service cannot be reached right now. Nothing was opened. Try again in a few minutes, or call the control room.',
      outcome: 'unavailable',
      log: { backend: outcome.backend, problem: outcome.message },
    };
  }
  const log = {
    backend: outcome.backend,
    reason: outcome.reason,
    ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
  };
  switch (outcome.reason) {
    case 'locked':
      return {
        person: 'This account is locked. Nothing was opened. Ask your administrator to unlock it.',
        outcome: 'locked',
        log,
      };
    case 'no-role':
      return {
        person:
          'You signed in, but your account has no access role on this site. Nothing was opened. Ask the plant operator to grant you a role.',
        outcome: 'no-role',
        log,
      };
    case 'bad-credentials':
    case 'unknown-user':
      return { person: 'Wrong user name or password. Nothing was opened.', outcome: 'bad-credentials', log };
  }
}

/** The message for an attempt refused by the portal's own rate limit. */
export function explainRateLimited(by: 'source' | 'user', retryAfterMs: number): Explained {
  const wait = durationText(Math.max(1, Math.ceil(retryAfterMs / 60_000)) * 60);
  return {
    person: `Too many failed sign-ins. Sign-in is locked for ${wait}. Nothing was opened.`,
    outcome: 'rate-limited',
    log: { lockedBy: by, retryAfterMs },
  };
}
