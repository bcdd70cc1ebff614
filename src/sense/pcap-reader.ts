// Incremental reader of capture streams: classic pcap (both byte orders,
// micro- and nanosecond magic) and pcapng (sections of either byte order,
// interface descriptions with their link type and timestamp resolution,
// enhanced, simple and obsolete packet blocks). Chunks of any size in →
// frames out, as soon as each is complete. Never throws: a stream that is not
// a capture stops the reader with `error`. Pure.

/** One captured frame. `data` is a view that stays valid (the reader never reuses its buffers). */
export interface CapturedFrame {
  readonly timeMs: number;
  /** pcap link type (1 Ethernet, 101 raw IP, 113/276 Linux cooked…). */
  readonly linktype: number;
  readonly data: Uint8Array;
  /** Length on the wire; more than `data.length` when the snap length cut the frame. */
  readonly originalLength: number;
}

/** A reader fed one chunk at a time. */
export interface PcapReader {
  /** Feeds the next bytes of the stream; returns the frames they completed. */
  push(chunk: Uint8Array): CapturedFrame[];
  /** Known once the first bytes have arrived. */
  readonly format: 'pcap' | 'pcapng' | undefined;
  /** Why the reader stopped, if it did; later pushes return nothing. */
  readonly error: string | undefined;
  /** Bytes held for an incomplete record: non-zero at the end of a stream means a truncated capture. */
  readonly pendingBytes: number;
}

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const BLOCK = { idb: 1, pb: 2, spb: 3, epb: 6 } as const;
/** No sane frame or block is larger; beyond this the stream is corrupt, not just big. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

interface Interface {
  readonly linktype: number;
  readonly snaplen: number;
  readonly unitsPerSecond: number;
  readonly offsetSeconds: number;
}

/** Creates a reader at the start of a stream. */
export function createPcapReader(): PcapReader {
  let pending: Uint8Array = new Uint8Array(0);
  let format: 'pcap' | 'pcapng' | undefined;
  let error: string | undefined;
  let little = true;
  // Classic pcap: one link type and resolution for the file.
  let pcapLinktype = 0;
  let pcapUnitsPerSecond = 1e6;
  // pcapng: interfaces of the current section, by id.
  let interfaces: Interface[] = [];

  const fail = (why: string): number => {
    error = why;
    return -1;
  };

  /** Reads one record at `at`: returns the bytes used, 0 when more are needed, -1 on error. */
  const step = (b: Uint8Array, v: DataView, at: number, out: CapturedFrame[]): number => {
    const avail = b.length - at;
    if (format === undefined) {
      if (avail < 4) return 0;
      const magic = v.getUint32(at, true);
      if (magic === PCAPNG_SHB) format = 'pcapng';
      else format = 'pcap';
    }
    if (format === 'pcap') return pcapStep(b, v, at, avail, out);
    return pcapngStep(b, v, at, avail, out);
  };

  let headerRead = false;
  const pcapStep = (b: Uint8Array, v: DataView, at: number, avail: number, out: CapturedFrame[]): number => {
    if (!headerRead) {
      if (avail < 24) return 0;
      const le = v.getUint32(at, true);
      const be = v.getUint32(at, false);
      if (le === PCAP_MICRO || le === PCAP_NANO) little = true;
      else if (be === PCAP_MICRO || be === PCAP_NANO) little = false;
      else return fail(`not a pcap or pcapng stream (magic 0x${le.toString(16)})`);
      pcapUnitsPerSecond = (little ? le : be) === PCAP_NANO ? 1e9 : 1e6;
      // The link type is the low 16 bits; the high ones may carry FCS information (pcap spec §4).
      pcapLinktype = v.getUint32(at + 20, little) & 0xffff;
      headerRead = true;
      return 24;
    }
    if (avail < 16) return 0;
    const caplen = v.getUint32(at + 8, little);
    if (caplen > MAX_RECORD_BYTES) return fail(`pcap: record of ${caplen} bytes`);
    if (avail < 16 + caplen) return 0;
    const seconds = v.getUint32(at, little);
    const fraction = v.getUint32(at + 4, little);
    out.push({
      timeMs: seconds * 1000 + (fraction * 1000) / pcapUnitsPerSecond,
      linktype: pcapLinktype,
      data: b.subarray(at + 16, at + 16 + caplen),
      originalLength: v.getUint32(at + 12, little),
    });
    return 16 + caplen;
  };

  const pcapngStep = (
    b: Uint8Array,
    v: DataView,
    at: number,
    avail: number,
    out: CapturedFrame[],
  ): number => {
    if (avail < 12) return 0;
    const type = v.getUint32(at, little);
    if (type === PCAPNG_SHB) {
      // The block type is a palindrome; the byte-order magic after the length decides the section's order.
      const bom = v.getUint32(at + 8, true);
      if (bom === PCAPNG_BYTE_ORDER) little = true;
      else if (v.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER) little = false;
      else return fail(`pcapng: bad byte-order magic 0x${bom.toString(16)}`);
      interfaces = [];
    }
    const length = v.getUint32(at + 4, little);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES)
      return fail(`pcapng: block length ${length}`);
    if (avail < length) return 0;
    const end = at + length - 4;
    switch (type) {
      case BLOCK.idb:
        if (length < 20) return fail('pcapng: short interface block');
        interfaces.push(readInterface(v, at, end, little));
        break;
      case BLOCK.epb:
      case BLOCK.pb: {
        if (length < 32) return fail('pcapng: short packet block');
        const id = type === BLOCK.epb ? v.getUint32(at + 8, little) : v.getUint16(at + 8, little);
        const iface = interfaces[id];
        if (iface === undefined) return fail(`pcapng: packet on undescribed interface ${id}`);
        const caplen = v.getUint32(at + 20, little);
        if (at + 28 + caplen > end) return fail(`pcapng: packet of ${caplen} bytes overruns its block`);
        const units = v.getUint32(at + 12, little) * 2 ** 32 + v.getUint32(at + 16, little);
        out.push({
          timeMs: (units / iface.unitsPerSecond + iface.offsetSeconds) * 1000,
          linktype: iface.linktype,
          data: b.subarray(at + 28, at + 28 + caplen),
          originalLength: v.getUint32(at + 24, little),
        });
        break;
      }
      case BLOCK.spb: {
        const iface = interfaces[0];
        if (iface === undefined) return fail('pcapng: simple packet before any interface');
        const originalLength = v.getUint32(at + 8, little);
        // RFC draft §4.4: captured length = min(original length, snaplen, what the block holds); no timestamp.
        let caplen = Math.min(originalLength, end - (at + 12));
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        out.push({
          timeMs: 0,
          linktype: iface.linktype,
          data: b.subarray(at + 12, at + 12 + caplen),
          originalLength,
        });
        break;
      }
      default:
      // Section header (done above), name resolution, statistics, custom blocks: nothing to deliver.
    }
    return length;
  };

  return {
    push(chunk) {
      const frames: CapturedFrame[] = [];
      if (error !== undefined) return frames;
      let b: Uint8Array = chunk;
      if (pending.length > 0) {
        b = new Uint8Array(pending.length + chunk.length);
        b.set(pending, 0);
        b.set(chunk, pending.length);
      }
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let at = 0;
      for (;;) {
        const used = step(b, v, at, frames);
        if (used <= 0) break;
        at += used;
      }
      // Copy the tail: the frames keep views of `b`, the tail must not pin a large chunk.
      pending = error === undefined ? b.slice(at) : new Uint8Array(0);
      return frames;
    },
    get format() {
      return format;
    },
    get error() {
      return error;
    },
    get pendingBytes() {
      return pending.length;
    },
  };
}

/** Reads an interface description block: link type, snap length and the options that set the clock. */
function readInterface(v: DataView, at: number, end: number, little: boolean): Interface {
  let unitsPerSecond = 1e6;
  let offsetSeconds = 0;
  for (let o = at + 16; o + 4 <= end; ) {
    const code = v.getUint16(o, little);
    const length = v.getUint16(o + 2, little);
    if (code === 0 || o + 4 + length > end) break;
    if (code === 9 && length >= 1) {
      // if_tsresol: high bit set → negative power of 2, else negative power of 10.
      const r = v.getUint8(o + 4);
      unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    } else if (code === 14 && length >= 8) {
      offsetSeconds = Number(v.getBigInt64(o + 4, little));
    }
    o += 4 + ((length + 3) & ~3);
  }
  return {
    linktype: v.getUint16(at + 8, little),
    snaplen: v.getUint32(at + 12, little),
    unitsPerSecond,
    offsetSeconds,
  };
}
