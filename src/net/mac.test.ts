import { describe, expect, it } from 'vitest';
import { isGroupMac, parseMac } from './mac.js';

describe('parseMac', () => {
  it.each([
    ['00:1b:1b:12:34:56', '00:1b:1b:12:34:56'],
    ['00:1B:1B:12:34:56', '00:1b:1b:12:34:56'],
    ['00-1b-1b-12-34-56', '00:1b:1b:12:34:56'],
    ['001b.1b12.3456', '00:1b:1b:12:34:56'],
  ])('%s → %s', (text, canonical) => {
    expect(parseMac(text)).toBe(canonical);
  });

  it.each(['00:1b:1b:12:34', '00:1b:1b:12:34:5g', '00:1b-1b:12:34:56', '001b1b123456', ''])(
    'refuses %j',
    (text) => {
      expect(parseMac(text)).toBeUndefined();
    },
  );

  it('knows group addresses', () => {
    expect(isGroupMac('01:0c:cd:01:00:01')).toBe(true);
    expect(isGroupMac('00:1b:1b:12:34:56')).toBe(false);
  });
});
