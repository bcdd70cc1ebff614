// EtherNet/IP personality (TCP and UDP 44818): ListIdentity answered with the
// decoy's CIP identity in one reply (what nmap's enip-info parses by offset),
// ListServices, ListInterfaces, Register/UnRegister Session, and SendRRData
// carrying CIP requests (see cip.ts). Encapsulation bytes → replies + notes.
// The CIP Networks Library Vol. 2 (EtherNet/IP adaptation), chapter 2. Pure.

import { ascii, bytesOf, concat, exchange, readU16le, SILENCE, u16be, u16le, u32le } from './bytes.js';
import { answerCip, cipIdentity } from './cip.js';
import { hash32 } from './seeded.js';
import { type Framing, framedConversation } from './stream.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

const HEADER = 24;
/** Largest encapsulated message a decoy accepts. */
const MAX_MESSAGE = 4096;
const INVALID_COMMAND = 0x0001;
const INVALID_SESSION = 0x0064;

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'enip', what: `EtherNet/IP ${what}`, severity };
}

/** Frames one encapsulated message: 24-byte header, length at offset 2 (little-endian). */
export function frameEnip(bytes: Uint8Array): Framing {
  if (bytes.length < HEADER) return { kind: 'partial' };
  const length = HEADER + readU16le(bytes, 2);
  if (length > MAX_MESSAGE)
    return { kind: 'malformed', reason: `encapsulated length ${length} over ${MAX_MESSAGE}` };
  return bytes.length >= length ? { kind: 'complete', length } : { kind: 'partial' };
}

/** An encapsulation reply echoing the request's sender context. */
function encapsulated(
  request: Uint8Array,
  session: number,
  status: number,
  data: readonly number[],
): Uint8Array {
  return concat([
    bytesOf([...u16le(readU16le(request, 0)), ...u16le(data.length), ...u32le(session), ...u32le(status)]),
    request.subarray(12, 20),
    bytesOf([0, 0, 0, 0, ...data]),
  ]);
}

function ipv4Bytes(identity: DecoyIdentity): number[] {
  const parts = String(identity.fields.ipAddress ?? '0.0.0.0')
    .split('.')
    .map((p) => Number.parseInt(p, 10) & 0xff);
  return parts.length === 4 ? parts : [0, 0, 0, 0];
}

/** The CIP Identity item (type 0x0C) of a ListIdentity reply. */
function identityItem(identity: DecoyIdentity): number[] {
  const v = cipIdentity(identity);
  const body = [
    ...u16le(1), // encapsulation protocol version
    ...u16be(2),
    ...u16be(44818),
    ...ipv4Bytes(identity),
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0, // sockaddr_in, big-endian
    ...u16le(v.vendorId),
    ...u16le(v.deviceType),
    ...u16le(v.productCode),
    v.major,
    v.minor,
    ...u16le(v.status),
    ...u32le(v.serial),
    v.name.length,
    ...ascii(v.name),
    v.state,
  ];
  return [...u16le(1), ...u16le(0x000c), ...u16le(body.length), ...body];
}

const SERVICES_ITEM = [
  ...u16le(1),
  ...u16le(0x0100),
  ...u16le(20),
  ...u16le(1),
  ...u16le(0x0120),
  ...ascii('Communications'),
  0,
  0,
];

/** CIP over SendRRData: interface handle, timeout, then a null address and an unconnected data item. */
function sendRRData(identity: DecoyIdentity, request: Uint8Array, session: number): Exchange {
  const data = request.subarray(HEADER);
  const count = readU16le(data, 6);
  let at = 8;
  for (let i = 0; i < count && at + 4 <= data.length; i++) {
    const type = readU16le(data, at);
    const length = readU16le(data, at + 2);
    if (type === 0x00b2) {
      const answer = answerCip(identity, data.subarray(at + 4, at + 4 + length));
      const body = [
        0,
        0,
        0,
        0,
        0,
        0,
        ...u16le(2),
        0,
        0,
        0,
        0,
        ...u16le(0x00b2),
        ...u16le(answer.reply.length),
        ...answer.reply,
      ];
      return exchange([encapsulated(request, session, 0, body)], [answer.note]);
    }
    at += 4 + length;
  }
  return exchange(
    [encapsulated(request, session, INVALID_COMMAND, [])],
    [note('SendRRData without a CIP request', 'medium')],
  );
}

/** Answers one encapsulated message; `state.session` is the registered session (0 before). */
function answerEnip(
  identity: DecoyIdentity,
  request: Uint8Array,
  state: { session: number; nonce: number },
  udp: boolean,
): Exchange {
  const command = readU16le(request, 0);
  switch (command) {
    case 0x0063:
      return exchange(
        [encapsulated(request, 0, 0, identityItem(identity))],
        [note('ListIdentity', 'medium')],
      );
    case 0x0004:
      return exchange([encapsulated(request, 0, 0, SERVICES_ITEM)], [note('ListServices', 'medium')]);
    case 0x0064:
      return exchange([encapsulated(request, 0, 0, u16le(0))], [note('ListInterfaces', 'medium')]);
    default:
      if (udp) return exchange([], [note(`command 0x${command.toString(16)} over UDP`, 'medium')]);
  }
  switch (command) {
    case 0x0065: {
      state.session = (hash32(`${identity.serial}/session/${state.nonce}`) | 1) >>> 0;
      return exchange(
        [encapsulated(request, state.session, 0, [...request.subarray(HEADER, HEADER + 4)])],
        [note('RegisterSession', 'medium')],
      );
    }
    case 0x0066:
      return exchange([], [note('UnRegisterSession', 'low')], true);
    case 0x006f:
    case 0x0070: {
      const session = readU16le(request, 4) + readU16le(request, 6) * 0x10000;
      if (state.session === 0 || session !== state.session)
        return exchange(
          [encapsulated(request, session, INVALID_SESSION, [])],
          [note('request without a registered session', 'medium')],
        );
      if (command === 0x0070)
        return exchange(
          [encapsulated(request, session, INVALID_COMMAND, [])],
          [note('SendUnitData without a connection', 'medium')],
        );
      return sendRRData(identity, request, session);
    }
    default:
      return exchange(
        [encapsulated(request, 0, INVALID_COMMAND, [])],
        [note(`unsupported command 0x${command.toString(16)}`, 'medium')],
      );
  }
}

/** An EtherNet/IP conversation over TCP (a byte stream). */
export function openEnipTcp(identity: DecoyIdentity, nonce = 0): Conversation {
  const state = { session: 0, nonce };
  return framedConversation('enip', frameEnip, (message) => answerEnip(identity, message, state, false));
}

/** An EtherNet/IP peer over UDP: each datagram is one message; anything else is ignored. */
export function openEnipUdp(identity: DecoyIdentity): Conversation {
  const state = { session: 0, nonce: 0 };
  return {
    receive(datagram) {
      const framing = frameEnip(datagram);
      if (framing.kind !== 'complete' || framing.length !== datagram.length)
        return datagram.length === 0 ? SILENCE : exchange([], [note('malformed datagram', 'low')]);
      return answerEnip(identity, datagram, state, true);
    },
  };
}
