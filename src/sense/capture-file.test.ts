import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFileError, readCaptureFile } from './capture-file.js';

const dir = mkdtempSync(join(tmpdir(), 'picket-capture-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A classic little-endian microsecond pcap with `count` 60-byte Ethernet frames. */
function pcap(count: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = Array.from({ length: count }, (_v, i) => {
    const r = Buffer.alloc(16 + 60);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(0, 4);
    r.writeUInt32LE(60, 8);
    r.writeUInt32LE(60, 12);
    r[16 + 59] = i & 0xff;
    return r;
  });
  return Buffer.concat([header, ...records]);
}

describe('readCaptureFile', () => {
  it('reads every frame across chunk boundaries, in order, reporting progress', () => {
    const path = join(dir, 'many.pcap');
    writeFileSync(path, pcap(1000));
    const last: number[] = [];
    let progressCalls = 0;
    const summary = readCaptureFile(path, (f) => last.push(f.data[59] ?? -1), {
      chunkBytes: 333,
      onProgress: () => progressCalls++,
    });
    expect(summary).toMatchObject({ format: 'pcap', frames: 1000, truncated: false });
    expect(last.slice(0, 3)).toEqual([0, 1, 2]);
    expect(last[999]).toBe(999 & 0xff);
    expect(progressCalls).toBeGreaterThan(100);
  });

  it('says a cut-short capture is truncated and keeps the good frames', () => {
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, pcap(3).subarray(0, 24 + 76 * 2 + 30));
    let frames = 0;
    expect(readCaptureFile(path, () => frames++)).toMatchObject({ frames: 2, truncated: true });
    expect(frames).toBe(2);
  });

  it('refuses a missing file, an empty file and a file that is not a capture, with what to do', () => {
    expect(() => readCaptureFile(join(dir, 'missing.pcap'), () => {})).toThrow(CaptureFileError);
    writeFileSync(join(dir, 'empty.pcap'), '');
    expect(() => readCaptureFile(join(dir, 'empty.pcap'), () => {})).toThrow(/is empty/);
    writeFileSync(join(dir, 'text.pcap'), 'this is a text file, not a capture at all');
    expect(() => readCaptureFile(join(dir, 'text.pcap'), () => {})).toThrow(/not a pcap or pcapng/);
  });
});
