import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from './address.js';

describe('parseAddress → formatAddress', () => {
  it.each([
    ['10.20.1.10', '10.20.1.10'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['fd00:0000:0000:0000:0000:0000:0000:0005', 'fd00::5'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s → %s', (text, canonical) => {
    const address = parseAddress(text);
    expect(address).toBeDefined();
    expect(formatAddress(address!)).toBe(canonical);
  });

  it.each([
    '10.20.1',
    '10.20.1.256',
    '10.020.1.1',
    '10.20.1.1/24',
    '1.2.3.4.5',
    '',
    'plc-a1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '12345::',
    ':1::2',
    '1::2:',
    'fe80::1%eth0',
    '::1.2.3',
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});
