// RADIUS packets for the portal's PAP login (RFC 2865) with
// Message-Authenticator (RFC 3579 §3.2): encode an Access-Request with the
// hidden User-Password, decode and verify an Access-Accept / -Reject /
// -Challenge (Response Authenticator, Message-Authenticator). The random
// Request Authenticator and the identifier are passed in. Pure (hashing only).

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Packet codes (RFC 2865 §3). */
export const radiusCode = {
  accessRequest: 1,
  accessAccept: 2,
  accessReject: 3,
  accessChallenge: 11,
} as const;

/** The attribute types the portal sends or reads (RFC 2865 §5, RFC 3579 §3.2). */
export const radiusAttribute = {
  userName: 1,
  userPassword: 2,
  nasIpAddress: 4,
  filterId: 11,
  replyMessage: 18,
  state: 24,
  class: 25,
  callingStationId: 31,
  nasIdentifier: 32,
  messageAuthenticator: 80,
} as const;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Uint8Array;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Uint8Array;
  readonly attributes: readonly RadiusAttribute[];
}

const headerLength = 20;
const maxPacketLength = 4096;
const maxAttributeValue = 253;
/** RFC 2865 §5.2: User-Password is at most 128 octets. */
export const maxPasswordLength = 128;

function md5(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Hides a password (RFC 2865 §5.2): padded with NULs to a multiple of 16,
 * c1 = p1 XOR MD5(secret + Request Authenticator), ci = pi XOR MD5(secret + c(i-1)).
 */
export function hidePassword(
  password: Uint8Array,
  secret: Uint8Array,
  requestAuthenticator: Uint8Array,
): Buffer {
  if (password.length > maxPasswordLength) throw new RangeError('User-Password longer than 128 octets');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(password.length / 16) * 16));
  padded.set(password);
  const out = Buffer.alloc(padded.length);
  let previous: Uint8Array = requestAuthenticator;
  for (let offset = 0; offset < padded.length; offset += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[offset + i] = (padded[offset + i] as number) ^ (key[i] as number);
    previous = out.subarray(offset, offset + 16);
  }
  return out;
}

/** The inverse of hidePassword, trailing NUL padding removed (what a server does). */
export function revealPassword(
  hidden: Uint8Array,
  secret: Uint8Array,
  requestAuthenticator: Uint8Array,
): Buffer {
  const out = Buffer.alloc(hidden.length);
  let previous: Uint8Array = requestAuthenticator;
  for (let offset = 0; offset + 16 <= hidden.length; offset += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[offset + i] = (hidden[offset + i] as number) ^ (key[i] as number);
    previous = hidden.subarray(offset, offset + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/** Serialises a packet as it stands (no authenticator is computed here). */
export function encodePacket(packet: RadiusPacket): Buffer {
  const length = headerLength + packet.attributes.reduce((sum, a) => sum + 2 + a.value.length, 0);
  if (length > maxPacketLength) throw new RangeError(`RADIUS packet of ${length} octets exceeds 4096`);
  const out = Buffer.alloc(length);
  out[0] = packet.code;
  out[1] = packet.identifier;
  out.writeUInt16BE(length, 2);
  out.set(packet.authenticator, 4);
  let offset = headerLength;
  for (const attribute of packet.attributes) {
    if (attribute.value.length > maxAttributeValue)
      throw new RangeError(`attribute ${attribute.type} too long`);
    out[offset] = attribute.type;
    out[offset + 1] = attribute.value.length + 2;
    out.set(attribute.value, offset + 2);
    offset += attribute.value.length + 2;
  }
  return out;
}

/** Parses a packet; octets past the Length field are padding and ignored (RFC 2865 §3). */
export function decodePacket(bytes: Uint8Array): RadiusPacket | { readonly error: string } {
  if (bytes.length < headerLength) return { error: `packet of ${bytes.length} octets is shorter than 20` };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const length = view.readUInt16BE(2);
  if (length < headerLength || length > maxPacketLength || length > bytes.length) {
    return { error: `bad length ${length} for a datagram of ${bytes.length} octets` };
  }
  const attributes: RadiusAttribute[] = [];
  let offset = headerLength;
  while (offset < length) {
    if (offset + 2 > length) return { error: `truncated attribute at offset ${offset}` };
    const type = view[offset] as number;
    const attributeLength = view[offset + 1] as number;
    if (attributeLength < 2 || offset + attributeLength > length) {
      return { error: `attribute ${type} at offset ${offset} has bad length ${attributeLength}` };
    }
    attributes.push({ type, value: Uint8Array.from(view.subarray(offset + 2, offset + attributeLength)) });
    offset += attributeLength;
  }
  return {
    code: view[0] as number,
    identifier: view[1] as number,
    authenticator: Uint8Array.from(view.subarray(4, 20)),
    attributes,
  };
}

/** The offset of the Message-Authenticator's value in an encoded packet, or -1. */
function messageAuthenticatorOffset(bytes: Uint8Array, length: number): number {
  let offset = headerLength;
  while (offset + 2 <= length) {
    if (bytes[offset] === radiusAttribute.messageAuthenticator && bytes[offset + 1] === 18) return offset + 2;
    offset += Math.max(2, bytes[offset + 1] as number);
  }
  return -1;
}

/**
 * HMAC-MD5 over the packet with the Message-Authenticator's value zeroed and
 * `authenticator` in the header (RFC 3579 §3.2: the Request Authenticator, for
 * requests and for the responses to them).
 */
function messageAuthenticator(bytes: Uint8Array, authenticator: Uint8Array, secret: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  copy.set(authenticator, 4);
  const at = messageAuthenticatorOffset(copy, copy.length);
  copy.fill(0, at, at + 16);
  return createHmac('md5', secret).update(copy).digest();
}

/** What the portal puts in an Access-Request. */
export interface AccessRequest {
  readonly identifier: number;
  /** 16 random octets, fresh for each login (kept on retransmits). */
  readonly requestAuthenticator: Uint8Array;
  readonly user: string;
  readonly password: string;
  readonly nasIdentifier: string;
  /** The client's IP address, as text. */
  readonly callingStationId: string;
  /** State from an Access-Challenge, sent back with the one-time code. */
  readonly state?: Uint8Array;
}

/** Encodes an Access-Request with a hidden User-Password and a Message-Authenticator. */
export function encodeAccessRequest(request: AccessRequest, secret: Uint8Array): Buffer {
  const text = (type: number, value: string): RadiusAttribute => ({
    type,
    value: Buffer.from(value, 'utf8'),
  });
  const attributes: RadiusAttribute[] = [
    // First, so a server can find it quickly (RFC 3579 §3.2 allows any position).
    { type: radiusAttribute.messageAuthenticator, value: new Uint8Array(16) },
    text(radiusAttribute.userName, request.user),
    {
      type: radiusAttribute.userPassword,
      value: hidePassword(Buffer.from(request.password, 'utf8'), secret, request.requestAuthenticator),
    },
    text(radiusAttribute.nasIdentifier, request.nasIdentifier),
    text(radiusAttribute.callingStationId, request.callingStationId),
  ];
  if (request.state !== undefined) attributes.push({ type: radiusAttribute.state, value: request.state });
  const packet = encodePacket({
    code: radiusCode.accessRequest,
    identifier: request.identifier,
    authenticator: request.requestAuthenticator,
    attributes,
  });
  packet.set(messageAuthenticator(packet, request.requestAuthenticator, secret), headerLength + 2);
  return packet;
}

/** Why a datagram is not a trustworthy answer to our request. */
export type ResponseProblem =
  | 'malformed'
  | 'not-a-response'
  | 'identifier-mismatch'
  | 'response-authenticator-mismatch'
  | 'message-authenticator-mismatch';

/**
 * Checks a datagram against the request it should answer: identifier, Response
 * Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret) (RFC 2865
 * §3), and the Message-Authenticator when present. A wrong shared secret fails here.
 */
export function verifyResponse(
  bytes: Uint8Array,
  request: { readonly identifier: number; readonly requestAuthenticator: Uint8Array },
  secret: Uint8Array,
): { readonly packet: RadiusPacket } | { readonly problem: ResponseProblem; readonly detail: string } {
  const packet = decodePacket(bytes);
  if ('error' in packet) return { problem: 'malformed', detail: packet.error };
  const codes: readonly number[] = [
    radiusCode.accessAccept,
    radiusCode.accessReject,
    radiusCode.accessChallenge,
  ];
  if (!codes.includes(packet.code)) return { problem: 'not-a-response', detail: `code ${packet.code}` };
  if (packet.identifier !== request.identifier) {
    return { problem: 'identifier-mismatch', detail: `identifier ${packet.identifier}` };
  }
  const length = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt16BE(2);
  const exact = Buffer.from(bytes.subarray(0, length));
  const expected = md5(exact.subarray(0, 4), request.requestAuthenticator, exact.subarray(20), secret);
  if (!timingSafeEqual(expected, exact.subarray(4, 20))) {
    return {
      problem: 'response-authenticator-mismatch',
      detail: 'check that both sides use the same shared secret',
    };
  }
  const at = messageAuthenticatorOffset(exact, length);
  if (at >= 0) {
    const mac = messageAuthenticator(exact, request.requestAuthenticator, secret);
    if (!timingSafeEqual(mac, exact.subarray(at, at + 16))) {
      return { problem: 'message-authenticator-mismatch', detail: 'check the shared secret' };
    }
  }
  return { packet };
}

/** The values of one attribute type, as UTF-8 text, in packet order. */
export function textAttributes(packet: RadiusPacket, type: number): string[] {
  return packet.attributes.filter((a) => a.type === type).map((a) => Buffer.from(a.value).toString('utf8'));
}

/** The first value of one attribute type, raw. */
export function rawAttribute(packet: RadiusPacket, type: number): Uint8Array | undefined {
  return packet.attributes.find((a) => a.type === type)?.value;
}
