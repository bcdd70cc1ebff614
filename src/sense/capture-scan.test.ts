import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFileError, readCaptureFile } from './capture-file.js';
import { scanCaptureFile } from './capture-scan.js';

const pcaps = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');
const dir = mkdtempSync(join(tmpdir(), 'picket-capture-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function viaScan(path: string, chunkBytes?: number): string[] {
  const out: string[] = [];
  scanCaptureFile(
    path,
    (b, s, e, t, lt, orig) => out.push(`${t} ${lt} ${orig} ${Buffer.from(b.subarray(s, e)).toString('hex')}`),
    chunkBytes === undefined ? {} : { chunkBytes },
  );
  return out;
}

function viaReader(path: string): string[] {
  const out: string[] = [];
  readCaptureFile(path, (f) =>
    out.push(`${f.timeMs} ${f.linktype} ${f.originalLength} ${Buffer.from(f.data).toString('hex')}`),
  );
  return out;
}

describe('scanCaptureFile', () => {
  it.each(['modbus/ekin_Modbus.pcap', 's7comm/snap7_s300_everything.pcapng', 'dnp3/zeek_dnp3.pcap'])(
    'visits the same frames as readCaptureFile: %s',
    (file) => {
      const path = join(pcaps, file);
      const expected = viaReader(path);
      expect(viaScan(path)).toEqual(expected);
      // Chunks smaller than a frame: records are carried over and the buffer grows.
      expect(viaScan(path, 64)).toEqual(expected);
    },
  );

  it('refuses a file that is not a capture, and one cut inside its header', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    expect(() => viaScan(text)).toThrow(CaptureFileError);
    expect(() => viaScan(text)).toThrow(/is not a pcap or pcapng capture/);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(join(pcaps, 'modbus', 'ekin_Modbus.pcap')).subarray(0, 10));
    expect(() => viaScan(cut)).toThrow(/ends inside its 10-byte file header/);
  });

  it('reports a capture that ends inside a record as truncated', () => {
    const cut = join(dir, 'truncated.pcap');
    const full = readFileSync(join(pcaps, 'modbus', 'ekin_Modbus.pcap'));
    writeFileSync(cut, full.subarray(0, full.length - 5));
    const summary = scanCaptureFile(cut, () => {});
    expect(summary.truncated).toBe(true);
    expect(summary.frames).toBe(101);
  });
});
