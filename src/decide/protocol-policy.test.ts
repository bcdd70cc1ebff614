// Verdicts of the S7 and DNP3 constraints on messages built like real clients
// send them (snap7's PLC stop, a DNP3 direct operate), and on broken frames.

import { describe, expect, it } from 'vitest';
import type { Dnp3Constraint, S7Constraint } from '../policy/types.js';
import { dnp3Codec } from '../sense/protocols/dnp3.js';
import type { ProtocolCodec } from '../sense/protocols/frame.js';
import { s7Codec } from '../sense/protocols/s7comm.js';
import { cotpConnect, dnp3Frame, s7Fragments, s7Job } from '../sense/protocols/samples.fixture.js';
import { judgeMessage } from './protocol-policy.js';
import { createFlowStream, judgeSegment } from './protocol-stream.js';

const loc = { file: 'p.yaml', line: 1, col: 1 };
const S7_DEFAULT: S7Constraint = { kind: 's7', allow: ['read', 'setup', 'szl'], loc };
const DNP3_READS: Dnp3Constraint = { kind: 'dnp3', functions: [0, 1, 23], loc };

function verdict(codec: ProtocolCodec, c: S7Constraint | Dnp3Constraint, ...segments: Uint8Array[]) {
  const s = createFlowStream(codec);
  judgeSegment(s, 0, new Uint8Array(0), true, () => ({ allowed: true }));
  let seq = 1;
  return segments.map((bytes) => {
    const v = judgeSegment(s, seq, bytes, false, (m) => judgeMessage(c, m));
    if (v.verdict === 'accept') seq += bytes.length;
    return [v.verdict, ...v.findings.map((f) => f.what)];
  });
}

const setup = s7Job([0xf0, 0, 0, 1, 0, 1, 3, 0xc0]);
const readDb1 = s7Job([0x04, 1, 0x12, 0x0a, 0x10, 2, 0, 4, 0, 1, 0x84, 0, 0, 0]);
const writeDb1 = s7Job([0x05, 1, 0x12, 0x0a, 0x10, 2, 0, 2, 0, 1, 0x84, 0, 0, 0], [0, 4, 0, 16, 0, 1]);
const plcStop = s7Job([0x29, 0, 0, 0, 0, 0, 9, ...'P_PROGRAM'.split('').map((c) => c.charCodeAt(0))]);
const deleteBlock = s7Job([
  0x28,
  0,
  0,
  0,
  0,
  0,
  0,
  0xfd,
  0,
  2,
  0x30,
  0x38,
  5,
  ...'_DELE'.split('').map((c) => c.charCodeAt(0)),
]);

describe('S7 constraint (default allow: setup, read, szl)', () => {
  it('passes the connection, setup and a DB read', () => {
    expect(verdict(s7Codec, S7_DEFAULT, cotpConnect(), setup, readDb1).map((v) => v[0])).toEqual([
      'accept',
      'accept',
      'accept',
    ]);
  });

  it.each([
    ['a write', writeDb1, 'S7 write variable DB1.0'],
    ['a PLC stop', plcStop, 'S7 plc-stop'],
    ['a delete block', deleteBlock, 'S7 PI service _DELE'],
  ])('drops %s', (_name, bytes, what) => {
    expect(verdict(s7Codec, S7_DEFAULT, setup, bytes)[1]).toEqual(['drop', what]);
  });

  it('drops S7comm-plus it cannot judge', () => {
    const plus = Uint8Array.from([3, 0, 0, 11, 2, 0xf0, 0x80, 0x72, 1, 0, 0]);
    expect(verdict(s7Codec, S7_DEFAULT, plus)[0]?.[0]).toBe('drop');
  });

  it('judges an S7 PDU split over COTP data TPDUs whole: a read passes, a write is stopped at its first piece', () => {
    const [readHead, readTail] = s7Fragments(readDb1, 12);
    expect(verdict(s7Codec, S7_DEFAULT, setup, readHead, readTail)).toEqual([
      ['accept', 'S7 setup'],
      ['accept'],
      ['accept', 'S7 read variable DB1.0'],
    ]);
    // Both pieces in one segment, too.
    expect(verdict(s7Codec, S7_DEFAULT, Uint8Array.from([...readHead, ...readTail]))).toEqual([
      ['accept', 'S7 read variable DB1.0'],
    ]);
    const [writeHead] = s7Fragments(writeDb1, 12);
    expect(verdict(s7Codec, S7_DEFAULT, setup, writeHead)[1]).toEqual(['drop', 'S7 write']);
  });

  it('drops a piece of a fragmented PDU followed by something that is not its continuation', () => {
    const [head] = s7Fragments(readDb1, 12);
    const v = verdict(s7Codec, S7_DEFAULT, Uint8Array.from([...head, ...cotpConnect()]));
    expect(v[0]?.[0]).toBe('drop');
    expect(v[0]?.[1]).toMatch(/malformed s7 message: fragmented S7 PDU/);
  });
});

describe('DNP3 constraint (confirm, read, delay-measure)', () => {
  const read = dnp3Frame(1, 1024, [0xc0, 0xc1, 1, 60, 2, 6]);
  const directOperate = dnp3Frame(
    1,
    1024,
    [0xc0, 0xc2, 5, 12, 1, 0x17, 1, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );

  it('passes a class read and drops a direct operate', () => {
    expect(verdict(dnp3Codec, DNP3_READS, read, directOperate)).toEqual([
      ['accept', 'DNP3 read (FC1, 1 → 1024)'],
      ['drop', 'DNP3 direct-operate (FC5, 1 → 1024)'],
    ]);
  });

  it('drops a split direct operate once its first data block and CRC are in, not before', () => {
    expect(verdict(dnp3Codec, DNP3_READS, directOperate.subarray(0, 27))[0]?.[0]).toBe('accept');
    expect(verdict(dnp3Codec, DNP3_READS, directOperate.subarray(0, 28))[0]?.[0]).toBe('drop');
  });

  it('drops a frame whose data CRC is wrong', () => {
    const bad = Uint8Array.from(read);
    bad[11] = (bad[11] ?? 0) ^ 1;
    expect(verdict(dnp3Codec, DNP3_READS, bad)[0]).toEqual([
      'drop',
      'malformed dnp3 message: DNP3 data block CRC mismatch at byte 10',
    ]);
  });
});
