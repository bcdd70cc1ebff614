// What every protocol codec returns: a streaming framer's answer for the bytes
// at the head of a flow, and a decoded message or the reason it is malformed.
// Types only. Pure.

/** The framer's answer for the head of a byte stream. */
export type Frame =
  | { readonly kind: 'complete'; readonly length: number }
  | { readonly kind: 'partial' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** A frame that cannot be decoded: the stream is dropped from here on. */
export interface Malformed {
  readonly kind: 'malformed';
  readonly reason: string;
}

/** One register or coil access a message makes (0-based protocol addresses). */
export interface Access {
  readonly op: 'read' | 'write';
  /** Modbus table, S7 area or DNP3 object group, e.g. `holding-register`. */
  readonly target: string;
  readonly address: number;
  readonly quantity: number;
}

/** A decoded message, common to every protocol: its function and what it touches. */
export interface ProtocolMessage {
  readonly kind: 'message';
  readonly protocol: 'modbus' | 's7' | 'dnp3';
  /** Numeric function code as on the wire. */
  readonly code: number;
  /** Policy name of the function, e.g. `read-holding-registers`, `plc-stop`, `direct-operate`. */
  readonly function: string;
  /** Modbus unit id, DNP3 destination address. */
  readonly unit?: number;
  readonly accesses: readonly Access[];
  /** Human summary, e.g. `Modbus write to holding register 40001 (FC16, unit 1)`. */
  readonly what: string;
}

/** A codec: frames a stream, decodes one framed message, and peeks into an incomplete one. */
export interface ProtocolCodec {
  readonly protocol: ProtocolMessage['protocol'];
  /** Largest message the protocol allows; a longer frame is malformed. */
  readonly maxMessageBytes: number;
  frame(bytes: Uint8Array): Frame;
  decode(message: Uint8Array): ProtocolMessage | Malformed;
  /** What can be known from the first bytes of an incomplete message (its function), if anything. */
  peek(prefix: Uint8Array): ProtocolMessage | undefined;
}

/** A malformed result. */
export function malformed(reason: string): Malformed {
  return { kind: 'malformed', reason };
}

/** Whether a codec result is a malformed one. */
export function isMalformed(x: object): x is Malformed {
  return (x as { kind?: unknown }).kind === 'malformed';
}
