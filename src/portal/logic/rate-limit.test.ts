import { describe, expect, it } from 'vitest';
import { checkAttempt, createRateState, recordFailure, recordSuccess } from './rate-limit.js';

const limits = {
  windowMs: 60_000,
  maxFailuresPerUser: 3,
  maxFailuresPerSource: 5,
  lockoutMs: 30_000,
  maxEntries: 4,
};

describe('login rate limit', () => {
  it('locks a user after too many failures in the window, for the lockout time', () => {
    const s = createRateState(limits);
    for (let i = 0; i < 3; i++) {
      expect(checkAttempt(s, '10.0.0.1', 'alice', i * 1000).ok).toBe(true);
      recordFailure(s, '10.0.0.1', 'alice', i * 1000);
    }
    expect(checkAttempt(s, '10.0.0.9', 'Alice', 3000)).toEqual({
      ok: false,
      by: 'user',
      retryAfterMs: 29_000,
    });
    expect(checkAttempt(s, '10.0.0.9', 'bob', 3000).ok).toBe(true);
    expect(checkAttempt(s, '10.0.0.9', 'alice', 32_000).ok).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const s = createRateState(limits);
    recordFailure(s, 'a', 'u', 0);
    recordFailure(s, 'a', 'u', 1000);
    recordFailure(s, 'a', 'u', 70_000);
    expect(checkAttempt(s, 'a', 'u', 70_001).ok).toBe(true);
  });

  it('locks a source that guesses across many user names', () => {
    const s = createRateState({ ...limits, maxEntries: 100 });
    for (let i = 0; i < 5; i++) recordFailure(s, '10.0.0.66', `user${i}`, i);
    expect(checkAttempt(s, '10.0.0.66', 'someone', 10)).toMatchObject({ ok: false, by: 'source' });
  });

  it('a success clears the user but not the source', () => {
    const s = createRateState({ ...limits, maxEntries: 100 });
    for (let i = 0; i < 2; i++) recordFailure(s, 'x', 'carol', i);
    recordSuccess(s, 'x', 'carol');
    recordFailure(s, 'x', 'carol', 5);
    expect(checkAttempt(s, 'x', 'carol', 6).ok).toBe(true);
  });

  it('stays bounded', () => {
    const s = createRateState(limits);
    for (let i = 0; i < 50; i++) recordFailure(s, `10.0.0.${i}`, `u${i}`, i);
    expect(s.entries.size).toBeLessThanOrEqual(4);
  });
});
