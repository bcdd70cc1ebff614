// Reassembly and verdicts on a Modbus flow that allows reading holding
// registers 0-99 of unit 1: messages packed together, split apart, resent,
// reordered, oversized and malformed.

import { describe, expect, it } from 'vitest';
import type { ModbusConstraint } from '../policy/types.js';
import { modbusCodec } from '../sense/protocols/modbus.js';
import { modbusAdu } from '../sense/protocols/samples.fixture.js';
import { judgeMessage } from './protocol-policy.js';
import { createFlowStream, type FlowStream, judgeSegment } from './protocol-stream.js';

const RULE: ModbusConstraint = {
  kind: 'modbus',
  functions: [3],
  units: [1],
  read: [{ from: 0, to: 99 }],
  loc: { file: 'p.yaml', line: 1, col: 1 },
};
const read = modbusAdu(1, 1, [3, 0, 0, 0, 10]);
const write = modbusAdu(2, 1, [6, 0, 0, 0, 7]);
const readOutside = modbusAdu(3, 1, [3, 0, 95, 0, 10]);
const readOtherUnit = modbusAdu(4, 2, [3, 0, 0, 0, 1]);

function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function open(): FlowStream {
  const s = createFlowStream(modbusCodec);
  judgeSegment(s, 999, new Uint8Array(0), true, (m) => judgeMessage(RULE, m));
  return s;
}

function send(s: FlowStream, seq: number, bytes: Uint8Array) {
  return judgeSegment(s, seq, bytes, false, (m) => judgeMessage(RULE, m));
}

describe('protocol stream', () => {
  it.each([
    ['one allowed read', [read], 'accept'],
    ['a write', [write], 'drop'],
    ['a read outside 0-99', [readOutside], 'drop'],
    ['a read of another unit', [readOtherUnit], 'drop'],
    ['two reads in one segment', [read, read], 'accept'],
    ['a read and a write in one segment', [read, write], 'drop'],
  ] as const)('%s → %s', (_name, adus, verdict) => {
    expect(send(open(), 1000, cat(...adus)).verdict).toBe(verdict);
  });

  it('reports what a dropped write does', () => {
    const v = send(open(), 1000, modbusAdu(2, 1, [16, 0, 0, 0, 1, 2, 0, 9]));
    expect(v.findings.map((f) => [f.what, f.allowed])).toEqual([
      ['Modbus write to holding register 40001 (FC16, unit 1)', false],
    ]);
  });

  it('judges a read split over three segments when it is complete', () => {
    const s = open();
    expect(send(s, 1000, read.subarray(0, 3)).verdict).toBe('accept');
    expect(send(s, 1003, read.subarray(3, 9)).verdict).toBe('accept');
    const last = send(s, 1009, read.subarray(9));
    expect(last.verdict).toBe('accept');
    expect(last.findings.map((f) => f.what)).toEqual([
      'Modbus read of holding registers 40001-40010 (FC3, unit 1)',
    ]);
  });

  it('drops the first segment of a write as soon as its function code is in', () => {
    const s = open();
    expect(send(s, 1000, write.subarray(0, 8)).verdict).toBe('drop');
    // Nothing was consumed: the same bytes again get the same verdict, and a read can follow.
    expect(send(s, 1000, write.subarray(0, 8)).verdict).toBe('drop');
    expect(send(s, 1000, read).verdict).toBe('accept');
  });

  it('drops the segment that completes a forbidden read range', () => {
    const s = open();
    expect(send(s, 1000, readOutside.subarray(0, 9)).verdict).toBe('accept');
    expect(send(s, 1009, readOutside.subarray(9)).verdict).toBe('drop');
  });

  it('accepts an identical retransmission and drops one with different bytes', () => {
    const s = open();
    expect(send(s, 1000, read).verdict).toBe('accept');
    expect(send(s, 1000, read).verdict).toBe('accept');
    expect(send(s, 1000, write).verdict).toBe('drop');
  });

  it('compares retransmissions with the last 4 KiB accepted, and refuses older ones', () => {
    const s = open();
    let seq = 1000;
    for (let i = 0; i < 1000; i++) {
      expect(send(s, seq, read).verdict).toBe('accept');
      seq += read.length;
    }
    expect(send(s, seq - read.length, read).verdict).toBe('accept');
    expect(send(s, seq - 2 * read.length, cat(read, read, read)).verdict).toBe('accept');
    expect(send(s, 1000, read).verdict).toBe('drop');
  });

  it('drops a segment after a gap until the missing bytes arrive', () => {
    const s = open();
    expect(send(s, 1012, read).verdict).toBe('drop');
    expect(send(s, 1000, read).verdict).toBe('accept');
    expect(send(s, 1012, read).verdict).toBe('accept');
  });

  it('drops malformed and oversized frames', () => {
    expect(send(open(), 1000, Uint8Array.from([0, 1, 0, 5, 0, 6, 1, 3])).findings[0]?.malformed).toBe(true);
    const big = send(open(), 1000, Uint8Array.from([0, 1, 0, 0, 1, 0, 1, 3]));
    expect([big.verdict, big.findings[0]?.what]).toEqual([
      'drop',
      'malformed modbus frame: MBAP length 256 exceeds the 260-byte ADU',
    ]);
    expect(send(open(), 1000, modbusAdu(1, 1, [3, 0, 0, 0, 200])).verdict).toBe('drop');
  });
});
