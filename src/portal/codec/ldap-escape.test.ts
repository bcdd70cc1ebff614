import { describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue, groupFilterFor, userDnFor } from './ldap-escape.js';

describe('escapeDnValue (RFC 4514 §2.4)', () => {
  it.each([
    ['alice', 'alice'],
    ['x,ou=people', 'x\\,ou\\=people'],
    ['a+b', 'a\\+b'],
    ['"quoted"', '\\"quoted\\"'],
    ['back\\slash', 'back\\\\slash'],
    ['<tag>;', '\\<tag\\>\\;'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    ['#hash', '\\#hash'],
    ['mid#dle mid', 'mid#dle mid'],
    ['nul\0byte', 'nul\\00byte'],
    ['*', '*'],
    ['jürgen', 'jürgen'],
  ])('%j → %j', (input, expected) => {
    expect(escapeDnValue(input)).toBe(expected);
  });
});

describe('escapeFilterValue (RFC 4515 §3)', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['admin)(|(uid=*', 'admin\\29\\28|\\28uid=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\0', 'nul\\00'],
    ['jürgen', 'jürgen'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });
});

describe('templates', () => {
  it('puts the DN-escaped user into the bind DN template', () => {
    expect(userDnFor('uid={user},ou=people,dc=plant,dc=example', 'x,ou=people')).toBe(
      'uid=x\\,ou\\=people,ou=people,dc=plant,dc=example',
    );
  });

  it('filter-escapes every value in the group filter, and never expands placeholders inside values', () => {
    expect(groupFilterFor('(|(member={dn})(memberUid={user}))', 'a*{dn}', 'uid=a\\2a,dc=x')).toBe(
      '(|(member=uid=a\\5c2a,dc=x)(memberUid=a\\2a{dn}))',
    );
  });

  it('leaves unknown placeholders alone', () => {
    expect(userDnFor('cn={name},{user}', 'bob')).toBe('cn={name},bob');
  });
});
