// BACnet/IP personality (UDP 47808): BVLC + NPDU + APDU. Who-Is answered with
// I-Am, ReadProperty of the Device object and a few inputs answered as nmap's
// bacnet-info expects (Complex-ACK, one-byte property id, no array index),
// errors for unknown objects and properties, writes and device control noted
// (WriteProperty acknowledged, ReinitializeDevice and DeviceCommunicationControl
// refused). One datagram → replies + notes. ASHRAE 135 annex J, clauses 6, 20.
// Pure.

import {
  DEVICE,
  deviceInstance,
  objectId,
  PROPERTY_NAMES,
  propertyValue,
  vendorId,
  WILDCARD_INSTANCE,
} from './bacnet-values.js';
import { bytesOf, exchange, readU16be, SILENCE, u16be, u32be } from './bytes.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'bacnet', what: `BACnet ${what}`, severity };
}

/** Where the request came from behind a router, so the reply can be addressed back (DNET/DADR). */
interface Npdu {
  readonly apduAt: number;
  readonly source: readonly number[] | undefined;
}

/** Parses the NPDU at `at`; undefined for network-layer messages or bad lengths. */
function parseNpdu(d: Uint8Array, at: number): Npdu | undefined {
  if (d[at] !== 0x01) return undefined;
  const control = d[at + 1] ?? 0;
  if (control & 0x80) return undefined;
  let p = at + 2;
  const hasDestination = (control & 0x20) !== 0;
  if (hasDestination) p += 3 + (d[p + 2] ?? 0);
  let source: number[] | undefined;
  if (control & 0x08) {
    const length = d[p + 2] ?? 0;
    source = [...d.subarray(p, p + 3 + length)];
    p += 3 + length;
  }
  if (hasDestination) p += 1; // hop count
  return p < d.length ? { apduAt: p, source } : undefined;
}

function reply(npdu: Npdu, apdu: readonly number[]): Uint8Array {
  const network = npdu.source ? [0x01, 0x20, ...npdu.source, 0xff] : [0x01, 0x00];
  const body = [...network, ...apdu];
  return bytesOf([0x81, 0x0a, ...u16be(4 + body.length), ...body]);
}

function objectName(type: number, instance: number): string {
  const types: Record<number, string> = { 0: 'analog-input', 3: 'binary-input', 8: 'device' };
  return `${types[type] ?? `object-type-${type}`},${instance}`;
}

/** ReadProperty: context 0 object id, context 1 property id (1–2 bytes), optional context 2 array index. */
function readProperty(identity: DecoyIdentity, npdu: Npdu, invoke: number, args: Uint8Array): Exchange {
  if (args[0] !== 0x0c || args.length < 7)
    return exchange([reply(npdu, [0x60, invoke, 0x01])], [note('malformed ReadProperty', 'low')]);
  const id =
    ((args[1] ?? 0) * 0x1000000 + ((args[2] ?? 0) << 16) + ((args[3] ?? 0) << 8) + (args[4] ?? 0)) >>> 0;
  const type = Math.floor(id / 0x400000);
  const instance = id & WILDCARD_INSTANCE;
  const propertyLength = (args[5] ?? 0) & 0x07;
  if (((args[5] ?? 0) & 0xf8) !== 0x18 || propertyLength < 1 || propertyLength > 2)
    return exchange([reply(npdu, [0x60, invoke, 0x01])], [note('malformed ReadProperty', 'low')]);
  const property = propertyLength === 1 ? (args[6] ?? 0) : readU16be(args, 6);
  const indexAt = 6 + propertyLength;
  const index = args[indexAt] === 0x29 ? args[indexAt + 1] : undefined;
  const what = `ReadProperty ${objectName(type, instance)} ${PROPERTY_NAMES.get(property) ?? `property ${property}`}`;
  const value = propertyValue(identity, type, instance, property, index);
  if (value === 'object' || value === 'property') {
    // Error class object (1) / unknown-object (31), or property (2) / unknown-property (32).
    const error = value === 'object' ? [0x91, 1, 0x91, 31] : [0x91, 2, 0x91, 32];
    return exchange([reply(npdu, [0x50, invoke, 0x0c, ...error])], [note(what, 'medium')]);
  }
  const echoed = type === DEVICE ? objectId(DEVICE, deviceInstance(identity)) : id;
  const head = [0x30, invoke, 0x0c, 0x0c, ...u32be(echoed), ...args.subarray(5, indexAt)];
  const indexPart = index === undefined ? [] : [0x29, index];
  return exchange([reply(npdu, [...head, ...indexPart, 0x3e, ...value, 0x3f])], [note(what, 'medium')]);
}

function confirmed(identity: DecoyIdentity, npdu: Npdu, apdu: Uint8Array): Exchange {
  if ((apdu[0] ?? 0) & 0x08)
    return exchange([reply(npdu, [0x71, apdu[2] ?? 0, 0x04])], [note('segmented request', 'low')]);
  const invoke = apdu[2] ?? 0;
  const service = apdu[3] ?? 0;
  const args = apdu.subarray(4);
  switch (service) {
    case 12:
      return readProperty(identity, npdu, invoke, args);
    case 15:
      return exchange([reply(npdu, [0x20, invoke, 15])], [note('WriteProperty', 'high')]);
    case 17:
    case 20: {
      const what = service === 17 ? 'DeviceCommunicationControl' : 'ReinitializeDevice';
      // Error class security (4) / password-failure (26).
      return exchange([reply(npdu, [0x50, invoke, service, 0x91, 4, 0x91, 26])], [note(what, 'critical')]);
    }
    default:
      // Reject: unrecognized-service (9).
      return exchange([reply(npdu, [0x60, invoke, 9])], [note(`confirmed service ${service}`, 'medium')]);
  }
}

/** Who-Is with an optional instance range (context tags 0 and 1). */
function whoIs(identity: DecoyIdentity, npdu: Npdu, args: Uint8Array): Exchange {
  const instance = deviceInstance(identity);
  const read = (at: number): [number, number] => {
    const length = (args[at] ?? 0) & 0x07;
    let v = 0;
    for (let i = 1; i <= length && i <= 4; i++) v = v * 256 + (args[at + i] ?? 0);
    return [v, at + 1 + length];
  };
  if (args.length > 0) {
    const [low, next] = read(0);
    const [high] = read(next);
    if (instance < low || instance > high) return exchange([], [note('Who-Is for another range', 'low')]);
  }
  const vendor = vendorId(identity);
  const iAm = [
    0x10,
    0x00,
    0xc4,
    ...u32be(objectId(DEVICE, instance)),
    0x22,
    ...u16be(1476),
    0x91,
    0x03,
    ...(vendor < 0x100 ? [0x21, vendor] : [0x22, ...u16be(vendor)]),
  ];
  return exchange([reply(npdu, iAm)], [note('Who-Is', 'medium')]);
}

/** Answers one BACnet/IP datagram. */
export function answerBacnet(identity: DecoyIdentity, d: Uint8Array): Exchange {
  if (d.length < 4 || d[0] !== 0x81 || readU16be(d, 2) !== d.length)
    return exchange([], [note('malformed BVLC datagram', 'low')]);
  const fn = d[1] ?? 0;
  if (fn === 0x05 || fn === 0x02 || fn === 0x03 || fn === 0x06) {
    // BVLC-Result NAK for foreign-device registration and BDT/FDT access: not a BBMD.
    const code = fn === 0x05 ? 0x30 : fn === 0x06 ? 0x40 : fn === 0x02 ? 0x20 : 0x10;
    return exchange([bytesOf([0x81, 0x00, 0x00, 0x06, 0x00, code])], [note(`BVLC function ${fn}`, 'medium')]);
  }
  const npduAt = fn === 0x0a || fn === 0x0b ? 4 : fn === 0x04 ? 10 : -1;
  if (npduAt < 0) return SILENCE;
  const npdu = parseNpdu(d, npduAt);
  if (npdu === undefined) return exchange([], [note('network-layer message', 'low')]);
  const apdu = d.subarray(npdu.apduAt);
  const type = (apdu[0] ?? 0) >> 4;
  if (type === 0 && apdu.length >= 4) return confirmed(identity, npdu, apdu);
  if (type === 1 && apdu[1] === 8) return whoIs(identity, npdu, apdu.subarray(2));
  if (type === 1) return exchange([], [note(`unconfirmed service ${apdu[1] ?? 0}`, 'low')]);
  return exchange([], [note(`APDU type ${type}`, 'low')]);
}

/** A BACnet/IP peer: each datagram is answered on its own. */
export function openBacnet(identity: DecoyIdentity): Conversation {
  return { receive: (datagram) => answerBacnet(identity, datagram) };
}
