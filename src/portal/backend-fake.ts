// A fake identity backend for unit tests of the portal and the chain: answers
// from a table keyed by user name, remembers every request it saw. Pure.

import type { AuthBackend, AuthOutcome, AuthRequest } from './backend.js';

/** What the fake answers for a user; a function sees the whole request (e.g. a challenge continuation). */
export type FakeAnswer =
  | { readonly password: string; readonly role: string }
  | ((request: AuthRequest) => AuthOutcome);

export interface FakeBackend extends AuthBackend {
  readonly requests: readonly AuthRequest[];
  readonly closed: boolean;
}

/**
 * A backend named `name` that accepts `user` with `password` as `role`,
 * rejects other passwords as bad-credentials, and users it has no entry for as
 * unknown-user — or answers `unavailable` for everyone when `down` is set.
 */
export function createFakeBackend(
  name: string,
  users: Readonly<Record<string, FakeAnswer>>,
  options: { readonly down?: boolean } = {},
): FakeBackend {
  const requests: AuthRequest[] = [];
  let closed = false;
  return {
    name,
    requests,
    get closed() {
      return closed;
    },
    async authenticate(request) {
      requests.push(request);
      if (options.down) return { kind: 'unavailable', backend: name, message: 'fake backend is down' };
      const answer = Object.hasOwn(users, request.user) ? users[request.user] : undefined;
      if (answer === undefined) {
        return {
          kind: 'reject',
          backend: name,
          reason: 'unknown-user',
          message: 'wrong user name or password',
        };
      }
      if (typeof answer === 'function') return answer(request);
      if (request.password !== answer.password) {
        return {
          kind: 'reject',
          backend: name,
          reason: 'bad-credentials',
          message: 'wrong user name or password',
        };
      }
      return { kind: 'accept', backend: name, user: request.user, role: answer.role };
    },
    async close() {
      closed = true;
    },
  };
}
