// Reads a capture file of any size in fixed chunks and hands each frame to a
// visitor as (chunk, start, end) offsets instead of a frame object, so that
// millions of frames cost no garbage: the bulk path for `picket learn` and
// `picket simulate`. Classic pcap is walked here directly; pcapng goes
// through the incremental reader (pcap-reader.ts). Errors are those of
// `readCaptureFile` (CaptureFileError). File path → visits. Driver.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  CaptureFileError,
  type CaptureFileProgress,
  type CaptureFileSummary,
  readCaptureFile,
} from './capture-file.js';

/** Called for every frame; `bytes[start, end)` is the frame, valid only during the call. */
export type FrameVisitor = (
  bytes: Uint8Array,
  start: number,
  end: number,
  timeMs: number,
  linktype: number,
  originalLength: number,
) => void;

export interface ScanCaptureOptions {
  readonly onProgress?: (progress: CaptureFileProgress) => void;
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;
const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
/** As in pcap-reader.ts: a larger record means a corrupt file, not a big frame. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Visits every frame of `path` in order; throws CaptureFileError like `readCaptureFile`. */
export function scanCaptureFile(
  path: string,
  visit: FrameVisitor,
  options: ScanCaptureOptions = {},
): CaptureFileSummary {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new CaptureFileError(path, 'cannot open the capture', 'check the path and permissions', error);
  }
  try {
    const totalBytes = fstatSync(fd).size;
    const head = Buffer.alloc(24);
    const got = readSync(fd, head, 0, 24, 0);
    if (got === 0)
      throw new CaptureFileError(path, 'is empty', 'give a capture with at least its file header');
    const magicLe = got >= 4 ? head.readUInt32LE(0) : 0;
    const magicBe = got >= 4 ? head.readUInt32BE(0) : 0;
    const classic = [PCAP_MICRO, PCAP_NANO].includes(magicLe) || [PCAP_MICRO, PCAP_NANO].includes(magicBe);
    if (!classic && magicLe !== PCAPNG_SHB) {
      throw new CaptureFileError(
        path,
        `is not a pcap or pcapng capture (magic 0x${magicLe.toString(16)})`,
        'give a .pcap or .pcapng file (tcpdump -w, tshark -w, Wireshark)',
      );
    }
    if (classic && got < 24) {
      throw new CaptureFileError(
        path,
        `ends inside its ${got}-byte file header`,
        'recapture, or repair it with editcap',
      );
    }
    if (!classic) {
      // pcapng: the incremental reader's frames, visited in place.
      return readCaptureFile(
        path,
        (f) => visit(f.data, 0, f.data.length, f.timeMs, f.linktype, f.originalLength),
        options,
      );
    }
    const little = magicLe === PCAP_MICRO || magicLe === PCAP_NANO;
    const nano = (little ? magicLe : magicBe) === PCAP_NANO;
    const linktype = (little ? head.readUInt32LE(20) : head.readUInt32BE(20)) & 0xffff;
    return walkPcap(fd, path, totalBytes, { little, nano, linktype }, visit, options);
  } finally {
    closeSync(fd);
  }
}

interface PcapHeader {
  readonly little: boolean;
  readonly nano: boolean;
  readonly linktype: number;
}

function walkPcap(
  fd: number,
  path: string,
  totalBytes: number,
  h: PcapHeader,
  visit: FrameVisitor,
  options: ScanCaptureOptions,
): CaptureFileSummary {
  let buffer = Buffer.allocUnsafe(options.chunkBytes ?? DEFAULT_CHUNK);
  let position = 24;
  let held = 0;
  let frames = 0;
  const divisor = h.nano ? 1e6 : 1e3;
  // Plain byte reads: Buffer#readUInt32LE validates its argument on every call, which shows at millions of records.
  const u32 = h.little
    ? (o: number) =>
        (buffer[o]! | (buffer[o + 1]! << 8) | (buffer[o + 2]! << 16) | (buffer[o + 3]! << 24)) >>> 0
    : (o: number) =>
        ((buffer[o]! << 24) | (buffer[o + 1]! << 16) | (buffer[o + 2]! << 8) | buffer[o + 3]!) >>> 0;
  for (;;) {
    if (held === buffer.length) {
      // One record bigger than the chunk: grow to hold it.
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, held);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, held, buffer.length - held, position);
    position += n;
    const length = held + n;
    let at = 0;
    while (length - at >= 16) {
      const caplen = u32(at + 8);
      if (caplen > MAX_RECORD_BYTES) {
        throw new CaptureFileError(
          path,
          `is corrupt after ${frames} frames (pcap: record of ${caplen} bytes)`,
          'the frames before the damage were read; repair the file with editcap or recapture',
        );
      }
      if (length - at < 16 + caplen) break;
      const seconds = u32(at);
      const fraction = u32(at + 4);
      const original = u32(at + 12);
      visit(buffer, at + 16, at + 16 + caplen, seconds * 1000 + fraction / divisor, h.linktype, original);
      frames++;
      at += 16 + caplen;
    }
    held = length - at;
    if (held > 0 && at > 0) buffer.copy(buffer, 0, at, length);
    options.onProgress?.({ path, bytesRead: position, totalBytes, frames });
    if (n === 0) break;
  }
  return { path, format: 'pcap', frames, bytes: position, truncated: held > 0 };
}
