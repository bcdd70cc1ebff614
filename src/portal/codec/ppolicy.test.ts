import { describe, expect, it } from 'vitest';
import { passwordPolicyError } from './ppolicy.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('passwordPolicyError', () => {
  it.each([
    ['accountLocked', '30 03 81 01 01', 'accountLocked'],
    ['passwordExpired', '30 03 81 01 00', 'passwordExpired'],
    ['a warning, then an error', '30 07 a0 02 81 00 81 01 02', 'changeAfterReset'],
    ['only a warning (grace logins)', '30 05 a0 03 81 01 02', undefined],
    ['an empty value', '30 00', undefined],
    ['an unknown error code', '30 03 81 01 63', 'unknown'],
    ['not a sequence', '04 03 81 01 01', undefined],
    ['a truncated element', '30 03 81 05 01', undefined],
    ['nothing', '', undefined],
  ])('%s', (_name, value, expected) => {
    expect(passwordPolicyError(hex(value))).toBe(expected);
  });
});
