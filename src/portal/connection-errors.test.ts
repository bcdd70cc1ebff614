import { describe, expect, it } from 'vitest';
import { describeConnectionError } from './connection-errors.js';

const url = 'ldaps://10.0.0.5:636';
const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('describeConnectionError', () => {
  it.each([
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), /TLS certificate not accepted.*set `ca:`/],
    [err('SELF_SIGNED_CERT_IN_CHAIN'), /not trusted; set `ca:`/],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), /does not name the host/],
    [err('CERT_HAS_EXPIRED'), /expired/],
    [err('ECONNREFUSED'), /connection refused during bind: check the host and port/],
    [err('ENOTFOUND'), /does not resolve/],
    [err('ETIMEDOUT'), /no answer during bind/],
    [new Error('Connection timeout'), /no answer during bind \(timeout\)/],
    [
      err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'),
      /connection closed/,
    ],
    [new Error('something odd'), /bind failed: something odd/],
  ])('%s', (error, expected) => {
    const line = describeConnectionError(error, url, 'bind');
    expect(line).toMatch(expected);
    expect(line.startsWith(url)).toBe(true);
  });
});
