import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { formatPrefix, parsePrefix, prefixContains, prefixesOverlap } from './prefix.js';

function prefix(text: string) {
  const parsed = parsePrefix(text);
  if (!parsed) throw new Error(`bad prefix ${text}`);
  return parsed.prefix;
}

describe('parsePrefix', () => {
  it.each([
    ['10.20.1.0/24', '10.20.1.0/24', false],
    ['10.20.1.7/24', '10.20.1.0/24', true],
    ['10.20.1.7', '10.20.1.7/32', false],
    ['0.0.0.0/0', '0.0.0.0/0', false],
    ['fd00:0::/64', 'fd00::/64', false],
    ['fd00::1/64', 'fd00::/64', true],
    ['2001:db8::/32', '2001:db8::/32', false],
  ])('%s → %s (host bits %s)', (text, canonical, hostBits) => {
    const parsed = parsePrefix(text);
    expect(parsed && formatPrefix(parsed.prefix)).toBe(canonical);
    expect(parsed?.hostBitsSet).toBe(hostBits);
  });

  it.each(['10.20.1.0/33', '10.20.1.0/', '10.20.1.0/024', 'fd00::/129', 'x/8', '10.20.1.0/-1'])(
    'refuses %j',
    (text) => {
      expect(parsePrefix(text)).toBeUndefined();
    },
  );
});

describe('containment and overlap', () => {
  it.each([
    ['10.20.1.0/24', '10.20.1.10', true],
    ['10.20.1.0/24', '10.20.0.50', false],
    ['10.20.1.0/24', 'fd00::1', false],
    ['fd00::/64', 'fd00::1', true],
    ['fd00::/64', 'fd00:0:0:1::1', false],
  ])('%s contains %s: %s', (p, a, expected) => {
    expect(prefixContains(prefix(p), parseAddress(a)!)).toBe(expected);
  });

  it.each([
    ['10.20.0.0/16', '10.20.1.0/24', true],
    ['10.20.1.0/24', '10.20.0.0/24', false],
    ['10.20.1.0/25', '10.20.1.128/25', false],
    ['10.20.1.0/24', '10.20.1.255/32', true],
    ['10.0.0.0/8', 'fd00::/8', false],
    ['::/0', 'fd00::/64', true],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(prefixesOverlap(prefix(a), prefix(b))).toBe(expected);
    expect(prefixesOverlap(prefix(b), prefix(a))).toBe(expected);
  });
});
