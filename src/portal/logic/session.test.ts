import { describe, expect, it } from 'vitest';
import { cookieValue, sameOrigin, sessionCookieHeader, signSession, verifySession } from './session.js';

const key = Buffer.alloc(32, 7);
const id = 'abcdefghijklmnopqrstuv';

describe('signed sessions', () => {
  it('verifies its own cookie until it expires', () => {
    const v = signSession(key, id, 10_000);
    expect(verifySession(key, v, 9_999)).toBe(id);
    expect(verifySession(key, v, 10_000)).toBeUndefined();
  });

  it.each([
    ['another key', (v: string) => v, Buffer.alloc(32, 8)],
    ['a changed expiry', (v: string) => v.replace('.10000.', '.99999.'), key],
    ['a changed id', (v: string) => `x${v.slice(1)}`, key],
    ['garbage', () => 'nope', key],
  ])('refuses %s', (_name, mutate, k) => {
    expect(verifySession(k, mutate(signSession(key, id, 10_000)), 0)).toBeUndefined();
  });

  it('sets Secure, HttpOnly, SameSite=Strict', () => {
    expect(sessionCookieHeader('v', 600)).toMatch(/; Secure; HttpOnly; SameSite=Strict$/);
    expect(cookieValue('a=1; __Host-picket-portal=v.1.x; b=2', '__Host-picket-portal')).toBe('v.1.x');
  });
});

describe('sameOrigin', () => {
  it.each([
    [{ host: '10.20.0.2:8443', origin: 'https://10.20.0.2:8443' }, true],
    [{ host: '10.20.0.2:8443', origin: 'https://evil.example' }, false],
    [{ host: '10.20.0.2:8443', origin: 'http://10.20.0.2:8443' }, false],
    [{ host: '10.20.0.2:8443', referer: 'https://10.20.0.2:8443/login' }, true],
    [{ host: '10.20.0.2:8443', referer: 'https://10.20.0.2:8443.evil/' }, false],
    [{ host: '10.20.0.2:8443' }, false],
  ])('%o → %s', (headers, ok) => {
    expect(sameOrigin(headers)).toBe(ok);
  });
});
