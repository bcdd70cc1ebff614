// DNP3 codec (IEEE 1815): frames link-layer frames (0x0564, length, control,
// destination, source, a CRC after the header and after every 16-byte data
// block — all verified) out of a TCP stream, and decodes the transport header
// and the application function of the first fragment segment.
// bytes → Frame, frame → ProtocolMessage | Malformed; never throws. Pure.

import { DNP3_FUNCTIONS } from '../../policy/protocol-names.js';
import { type Frame, type Malformed, malformed, type ProtocolCodec, type ProtocolMessage } from './frame.js';

/** 10-byte header plus 250 bytes of user data in 16 CRC-protected blocks. */
export const DNP3_MAX_FRAME = 292;

const NAME_OF = new Map([...DNP3_FUNCTIONS].map(([name, code]) => [code, name]));

/** Policy name of an application function code (`fc-99` for an unnamed one). */
export function dnp3FunctionName(code: number): string {
  return NAME_OF.get(code) ?? `fc-${code}`;
}

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** DNP3 CRC-16 (polynomial 0x3D65, reflected, complemented), as stored little-endian after each block. */
export function dnp3Crc(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return ~crc & 0xffff;
}

function crcOk(b: Uint8Array, from: number, to: number): boolean {
  return dnp3Crc(b, from, to) === ((b[to] ?? 0) | ((b[to + 1] ?? 0) << 8));
}

/** On-the-wire size of a frame whose length byte is `length` (control to end of user data, CRCs excluded). */
function frameSize(length: number): number {
  const user = length - 5;
  return 10 + user + 2 * Math.ceil(user / 16);
}

/** Frames the next link-layer frame; the header CRC is checked as soon as it is in. */
export function frameDnp3(bytes: Uint8Array): Frame {
  if (bytes.length >= 1 && bytes[0] !== 0x05) return malformed('DNP3 start bytes are not 0x0564');
  if (bytes.length >= 2 && bytes[1] !== 0x64) return malformed('DNP3 start bytes are not 0x0564');
  if (bytes.length >= 3 && (bytes[2] ?? 0) < 5) return malformed(`DNP3 length ${bytes[2]} is below 5`);
  if (bytes.length < 10) return { kind: 'partial' };
  if (!crcOk(bytes, 0, 8)) return malformed('DNP3 header CRC mismatch');
  const size = frameSize(bytes[2] ?? 0);
  return bytes.length >= size ? { kind: 'complete', length: size } : { kind: 'partial' };
}

/** User data with the block CRCs verified and removed. */
function userData(frame: Uint8Array): Uint8Array | Malformed {
  const out = new Uint8Array((frame[2] ?? 0) - 5);
  let at = 10;
  for (let copied = 0; copied < out.length; ) {
    const n = Math.min(16, out.length - copied);
    if (!crcOk(frame, at, at + n)) return malformed(`DNP3 data block CRC mismatch at byte ${at}`);
    out.set(frame.subarray(at, at + n), copied);
    copied += n;
    at += n + 2;
  }
  return out;
}

function message(code: number, fn: string, unit: number, what: string): ProtocolMessage {
  return { kind: 'message', protocol: 'dnp3', code, function: fn, unit, accesses: [], what: `DNP3 ${what}` };
}

/** Decodes one framed link-layer frame: link-only, a continuation segment, or the first segment's function. */
export function decodeDnp3(frame: Uint8Array): ProtocolMessage | Malformed {
  const f = frameDnp3(frame);
  if (f.kind === 'malformed') return f;
  if (f.kind !== 'complete' || f.length !== frame.length) return malformed('not exactly one DNP3 frame');
  const destination = (frame[4] ?? 0) | ((frame[5] ?? 0) << 8);
  const source = (frame[6] ?? 0) | ((frame[7] ?? 0) << 8);
  const data = userData(frame);
  if (!(data instanceof Uint8Array)) return data;
  const control = frame[3] ?? 0;
  const route = `${source} → ${destination}`;
  if (data.length === 0)
    return message(-1, 'link', destination, `link function ${control & 0x0f} (${route})`);
  if ((control & 0x40) === 0 || ((control & 0x0f) !== 3 && (control & 0x0f) !== 4)) {
    return malformed(`DNP3 user data in a frame with link control 0x${control.toString(16)}`);
  }
  const transport = data[0] ?? 0;
  // Only the first segment (FIR) carries the application header. Outstations
  // discard later segments that follow no FIR, so a dropped FIR cannot be
  // completed by its continuations.
  if ((transport & 0x40) === 0)
    return message(-2, 'continuation', destination, `transport continuation (${route})`);
  if (data.length < 3) return malformed('DNP3 application header truncated');
  const code = data[2] ?? 0;
  const name = dnp3FunctionName(code);
  return message(code, name, destination, `${name} (FC${code}, ${route})`);
}

/** The function of an incomplete frame, once the first data block (with its CRC) is in. */
export function peekDnp3(prefix: Uint8Array): ProtocolMessage | undefined {
  const user = (prefix[2] ?? 0) - 5;
  const first = Math.min(16, user);
  if (user < 3 || prefix.length < 12 + first || !crcOk(prefix, 0, 8) || !crcOk(prefix, 10, 10 + first)) {
    return undefined;
  }
  if (((prefix[10] ?? 0) & 0x40) === 0) return undefined;
  const destination = (prefix[4] ?? 0) | ((prefix[5] ?? 0) << 8);
  const code = prefix[12] ?? 0;
  const name = dnp3FunctionName(code);
  return message(code, name, destination, `${name} (FC${code})`);
}

/** The DNP3 codec for the stream reassembler. */
export const dnp3Codec: ProtocolCodec = {
  protocol: 'dnp3',
  maxMessageBytes: DNP3_MAX_FRAME,
  frame: frameDnp3,
  decode: decodeDnp3,
  peek: peekDnp3,
};
