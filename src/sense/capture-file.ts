// Reads a pcap or pcapng file of any size in fixed chunks through the
// incremental reader and hands each frame to a callback, reporting progress
// by bytes read. Memory stays bounded by the chunk size, not the file size.
// Shared by `picket learn` and `picket simulate`. File path → frames. Driver.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PicketError } from '../cli/errors.js';
import { type CapturedFrame, createPcapReader } from './pcap-reader.js';

/** A capture file could not be read: missing, unreadable, not a capture, or corrupt part-way. */
export class CaptureFileError extends PicketError {
  readonly path: string;
  constructor(path: string, message: string, hint: string, cause?: unknown) {
    super('capture-file', `${path}: ${message}`, { hint, ...(cause === undefined ? {} : { cause }) });
    this.path = path;
  }
}

export interface CaptureFileProgress {
  readonly path: string;
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly frames: number;
}

export interface CaptureFileSummary {
  readonly path: string;
  readonly format: 'pcap' | 'pcapng';
  readonly frames: number;
  readonly bytes: number;
  /** The file ended inside a record (a capture cut short); the frames before it were read. */
  readonly truncated: boolean;
}

export interface ReadCaptureOptions {
  /** Called after each chunk; cheap to ignore. */
  readonly onProgress?: (progress: CaptureFileProgress) => void;
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/**
 * Reads every frame of `path` in order, calling `onFrame` for each. Throws a
 * CaptureFileError when the file cannot be opened or is not a capture; a
 * capture that becomes corrupt part-way stops there with an error that says
 * how many frames were good.
 */
export function readCaptureFile(
  path: string,
  onFrame: (frame: CapturedFrame) => void,
  options: ReadCaptureOptions = {},
): CaptureFileSummary {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new CaptureFileError(path, 'cannot open the capture', 'check the path and permissions', error);
  }
  try {
    const totalBytes = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(options.chunkBytes ?? DEFAULT_CHUNK);
    const reader = createPcapReader();
    let bytesRead = 0;
    let frames = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      bytesRead += n;
      // The reader keeps views of what it is given, so each chunk gets its own copy.
      const got = reader.push(Uint8Array.prototype.slice.call(buffer, 0, n));
      for (const frame of got) onFrame(frame);
      frames += got.length;
      if (reader.error !== undefined) {
        const where = frames === 0 ? 'is not a pcap or pcapng capture' : `is corrupt after ${frames} frames`;
        throw new CaptureFileError(
          path,
          `${where} (${reader.error})`,
          frames === 0
            ? 'give a .pcap or .pcapng file (tcpdump -w, tshark -w, Wireshark)'
            : 'the frames before the damage were read; repair the file with editcap or recapture',
        );
      }
      options.onProgress?.({ path, bytesRead, totalBytes, frames });
    }
    if (reader.format === undefined) {
      throw new CaptureFileError(path, 'is empty', 'give a capture with at least its file header');
    }
    return { path, format: reader.format, frames, bytes: bytesRead, truncated: reader.pendingBytes > 0 };
  } finally {
    closeSync(fd);
  }
}
