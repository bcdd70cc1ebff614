import { describe, expect, it } from 'vitest';
import { decodeReadHolding, encodeReadHolding, splitAdus } from './modbus.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('modbus framing', () => {
  it('encodes FC3 with an MBAP header', () => {
    const bytes = encodeReadHolding({ transactionId: 0x1234, unitId: 1, address: 0, quantity: 10 });
    expect(Buffer.from(bytes).toString('hex')).toBe('123400000006010300' + '00000a');
  });

  it.each([
    [
      'registers',
      '0001 0000 0007 01 03 04 0001 ffff',
      { kind: 'registers', transactionId: 1, registers: [1, 65535] },
    ],
    [
      'exception',
      '0002 0000 0003 01 83 02',
      { kind: 'exception', transactionId: 2, functionCode: 3, exceptionCode: 2 },
    ],
    [
      'wrong count',
      '0003 0000 0005 01 03 02 0001',
      { kind: 'invalid', transactionId: 3, reason: 'byte count 2 for 2 registers' },
    ],
  ])('decodes %s', (_name, frame, expected) => {
    expect(decodeReadHolding(hex(frame), 2)).toEqual(expected);
  });

  it('splits a stream into ADUs and keeps a partial tail', () => {
    const stream = hex('0001 0000 0003 01 83 02  0002 0000 0007 01 03 04 00');
    const result = splitAdus(stream);
    expect('adus' in result && result.adus.length).toBe(1);
    expect('rest' in result && result.rest.length).toBe(10);
  });

  it('rejects a non-Modbus stream', () => {
    expect(splitAdus(hex('4854 5450 2f31 2e31'))).toEqual({ error: 'MBAP protocol id 21584 is not 0' });
  });
});
