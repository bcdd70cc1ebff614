// Modbus/TCP framing for the lab's HMI poller: a Read Holding Registers (FC3)
// request → MBAP bytes, and a byte stream → complete ADUs → decoded responses
// (registers or a Modbus exception). Pure.

/** MBAP header (7 bytes) + function code: the smallest ADU. */
const MBAP_BYTES = 7;
/** Modbus/TCP caps an ADU at 260 bytes (MBAP 7 + PDU 253). */
const MAX_ADU_BYTES = 260;

/** What an FC3 request asks for. */
export interface ReadHoldingRequest {
  readonly transactionId: number;
  readonly unitId: number;
  readonly address: number;
  readonly quantity: number;
}

/** A decoded response: registers, an exception code, or a framing error. */
export type ModbusResponse =
  | { readonly kind: 'registers'; readonly transactionId: number; readonly registers: readonly number[] }
  | {
      readonly kind: 'exception';
      readonly transactionId: number;
      readonly functionCode: number;
      readonly exceptionCode: number;
    }
  | { readonly kind: 'invalid'; readonly transactionId: number; readonly reason: string };

/** Encodes an FC3 request as one Modbus/TCP ADU (MBAP header + PDU). */
export function encodeReadHolding(req: ReadHoldingRequest): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint16(0, req.transactionId & 0xffff);
  view.setUint16(2, 0); // protocol id: 0 = Modbus
  view.setUint16(4, 6); // length: unit id + 5-byte PDU
  view.setUint8(6, req.unitId & 0xff);
  view.setUint8(7, 3);
  view.setUint16(8, req.address & 0xffff);
  view.setUint16(10, req.quantity & 0xffff);
  return out;
}

/**
 * Splits a TCP byte stream into complete ADUs by the MBAP length field; returns
 * the ADUs and the unconsumed rest (a partial ADU), or an error for garbage.
 */
export function splitAdus(
  buffer: Uint8Array,
): { readonly adus: readonly Uint8Array[]; readonly rest: Uint8Array } | { readonly error: string } {
  const adus: Uint8Array[] = [];
  let offset = 0;
  while (buffer.length - offset >= MBAP_BYTES) {
    const view = new DataView(buffer.buffer, buffer.byteOffset + offset);
    const protocol = view.getUint16(2);
    const length = view.getUint16(4);
    if (protocol !== 0) return { error: `MBAP protocol id ${protocol} is not 0` };
    if (length < 2 || 6 + length > MAX_ADU_BYTES) return { error: `MBAP length ${length} out of range` };
    if (buffer.length - offset < 6 + length) break;
    adus.push(buffer.subarray(offset, offset + 6 + length));
    offset += 6 + length;
  }
  return { adus, rest: buffer.subarray(offset) };
}

/** Decodes one complete ADU that answers an FC3 request for `quantity` registers. */
export function decodeReadHolding(adu: Uint8Array, quantity: number): ModbusResponse {
  const view = new DataView(adu.buffer, adu.byteOffset, adu.byteLength);
  const transactionId = view.getUint16(0);
  const fc = view.getUint8(7);
  if (fc === 0x83) {
    if (adu.length < 9) return { kind: 'invalid', transactionId, reason: 'short exception response' };
    return { kind: 'exception', transactionId, functionCode: 3, exceptionCode: view.getUint8(8) };
  }
  if (fc !== 3) return { kind: 'invalid', transactionId, reason: `unexpected function code ${fc}` };
  const byteCount = adu.length > 8 ? view.getUint8(8) : -1;
  if (byteCount !== quantity * 2 || adu.length !== 9 + byteCount) {
    return { kind: 'invalid', transactionId, reason: `byte count ${byteCount} for ${quantity} registers` };
  }
  const registers: number[] = [];
  for (let i = 0; i < quantity; i++) registers.push(view.getUint16(9 + 2 * i));
  return { kind: 'registers', transactionId, registers };
}
