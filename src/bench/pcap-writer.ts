// Writes a classic little-endian microsecond pcap (Ethernet link type) in 8 MiB
// chunks, for the benchmarks' synthetic captures of millions of packets. Each
// appended frame is copied into the chunk, where the caller may still patch it
// (ports, sequence numbers) before the next append. Frames → file. Driver.

import { closeSync, openSync, writeSync } from 'node:fs';

export interface PcapWriter {
  /** Copies `frame` in with its timestamp; returns where the copy sits, valid until the next append. */
  append(frame: Uint8Array, timeUs: number): { readonly buffer: Buffer; readonly at: number };
  /** Flushes and closes; returns the bytes written. */
  close(): number;
}

const CHUNK = 8 * 1024 * 1024;

/** Opens `path` for writing and writes the file header. */
export function createPcapWriter(path: string): PcapWriter {
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  let written = 24;
  const chunk = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  return {
    append(frame, timeUs) {
      const n = frame.length;
      if (at + 16 + n > chunk.length) {
        writeSync(fd, chunk, 0, at);
        written += at;
        at = 0;
      }
      chunk.writeUInt32LE(Math.floor(timeUs / 1e6), at);
      chunk.writeUInt32LE(timeUs % 1e6, at + 4);
      chunk.writeUInt32LE(n, at + 8);
      chunk.writeUInt32LE(n, at + 12);
      chunk.set(frame, at + 16);
      const copy = { buffer: chunk, at: at + 16 };
      at += 16 + n;
      return copy;
    },
    close() {
      try {
        writeSync(fd, chunk, 0, at);
        written += at;
        at = 0;
      } finally {
        closeSync(fd);
      }
      return written;
    },
  };
}
