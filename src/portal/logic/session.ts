// Signed session cookies and request checks for the portal: a cookie carries
// a session id and its expiry, signed with HMAC-SHA256 under the node's key,
// so a forged or expired one is refused before any lookup; CSRF tokens are
// compared in constant time; a state-changing request must come from the
// portal's own origin (Origin, else Referer). Key, values and now in. Pure.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain. */
export const SESSION_COOKIE = '__Host-picket-portal';

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Constant-time equality of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookie value for session `id`, valid until `expiresMs`. */
export function signSession(key: Buffer, id: string, expiresMs: number): string {
  const body = `${id}.${expiresMs}`;
  return `${body}.${mac(key, body)}`;
}

/** The session id in a cookie value if its signature is right and it has not expired. */
export function verifySession(key: Buffer, value: string | undefined, nowMs: number): string | undefined {
  if (value === undefined) return undefined;
  const m = /^([A-Za-z0-9_-]{16,64})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return undefined;
  const [, id, expires, signature] = m as unknown as [string, string, string, string];
  if (!safeEqual(mac(key, `${id}.${expires}`), signature)) return undefined;
  return Number(expires) > nowMs ? id : undefined;
}

/** `Set-Cookie` for a session: Secure, HttpOnly, SameSite=Strict, as long as the session. */
export function sessionCookieHeader(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; Secure; HttpOnly; SameSite=Strict`;
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * True when a state-changing request comes from the portal's own pages: its
 * Origin (or, without one, its Referer) is https://<host>. A request with
 * neither is refused: every browser sends one of them on a form POST.
 */
export function sameOrigin(headers: {
  readonly host?: string;
  readonly origin?: string;
  readonly referer?: string;
}): boolean {
  if (!headers.host) return false;
  const expected = `https://${headers.host}`;
  if (headers.origin !== undefined) return headers.origin === expected;
  if (headers.referer !== undefined)
    return headers.referer === expected || headers.referer.startsWith(`${expected}/`);
  return false;
}
