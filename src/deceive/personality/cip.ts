// CIP requests carried in EtherNet/IP SendRRData: the Identity object's
// Get_Attributes_All / Get_Attribute_Single answered from the decoy identity,
// Unconnected Send unwrapped, tag reads/writes and Reset/Start/Stop noted and
// refused, everything else "service not supported". CIP message → reply + note.
// The CIP Networks Library Vol. 1 (common services, Identity object). Pure.

import { ascii, readU16le, u16le, u32le } from './bytes.js';
import { perIdentity } from './memo.js';
import type { DecoyIdentity, TouchNote } from './types.js';

/** The reply bytes of a CIP request and what it was. */
export interface CipAnswer {
  readonly reply: readonly number[];
  readonly note: TouchNote;
}

const SUCCESS = 0x00;
const PATH_UNKNOWN = 0x05;
const PRIVILEGE_VIOLATION = 0x0f;
const NOT_SUPPORTED = 0x08;
const ATTRIBUTE_UNSUPPORTED = 0x14;

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'enip', what: `CIP ${what}`, severity };
}

/** Identity values of the decoy, as the Identity object (class 1) holds them. */
export function cipIdentity(identity: DecoyIdentity) {
  const num = (name: string, fallback: number) => {
    const v = identity.fields[name];
    return typeof v === 'number' ? v : fallback;
  };
  const [major = 20, minor = 11] = identity.firmware.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return {
    vendorId: num('vendorId', 1),
    deviceType: num('deviceType', 14),
    productCode: num('productCode', 55),
    major: major & 0xff,
    minor: minor & 0xff,
    status: num('status', 0x0060),
    serial: Number.parseInt(identity.serial, 16) >>> 0,
    name: identity.model.slice(0, 32),
    state: num('state', 3),
  };
}

/** Identity attributes 1–7 as bytes. */
function attribute(identity: DecoyIdentity, id: number): number[] | undefined {
  const v = cipIdentity(identity);
  switch (id) {
    case 1:
      return u16le(v.vendorId);
    case 2:
      return u16le(v.deviceType);
    case 3:
      return u16le(v.productCode);
    case 4:
      return [v.major, v.minor];
    case 5:
      return u16le(v.status);
    case 6:
      return u32le(v.serial);
    case 7:
      return [v.name.length, ...ascii(v.name)];
    default:
      return undefined;
  }
}

/** Identity attributes 1–7 in order, as Get_Attributes_All returns them (built once per identity). */
const allAttributes = perIdentity((identity) =>
  [1, 2, 3, 4, 5, 6, 7].flatMap((id) => attribute(identity, id) ?? []),
);

function reply(service: number, status: number, data: readonly number[] = []): number[] {
  return [service | 0x80, 0, status, 0, ...data];
}

/** Class and instance of an 8-bit logical path (`20 cc 24 ii`), or undefined for anything else. */
function logicalPath(path: Uint8Array): { cls: number; instance: number; attribute?: number } | undefined {
  if (path[0] !== 0x20 || path[2] !== 0x24) return undefined;
  const cls = path[1] ?? 0;
  const instance = path[3] ?? 0;
  return path[4] === 0x30 ? { cls, instance, attribute: path[5] ?? 0 } : { cls, instance };
}

function symbol(path: Uint8Array): string {
  if (path[0] !== 0x91) return 'a tag';
  return String.fromCharCode(...path.subarray(2, 2 + (path[1] ?? 0))).replace(/[^\x20-\x7e]/g, '?');
}

/** Answers one CIP request; `depth` bounds nested Unconnected Sends. */
export function answerCip(identity: DecoyIdentity, message: Uint8Array, depth = 0): CipAnswer {
  const service = (message[0] ?? 0) & 0x7f;
  const path = message.subarray(2, 2 + 2 * (message[1] ?? 0));
  const data = message.subarray(2 + 2 * (message[1] ?? 0));
  const target = logicalPath(path);
  const identityObject = target?.cls === 0x01 && target.instance === 1;
  if (service === 0x01 && identityObject) {
    const all = allAttributes(identity);
    return {
      reply: reply(service, SUCCESS, all),
      note: note('Get_Attributes_All of the Identity object', 'medium'),
    };
  }
  if (service === 0x0e && identityObject) {
    const value = attribute(identity, target.attribute ?? 0);
    const what = `Get_Attribute_Single of Identity attribute ${target.attribute ?? 0}`;
    return {
      reply: value ? reply(service, SUCCESS, value) : reply(service, ATTRIBUTE_UNSUPPORTED),
      note: note(what, 'medium'),
    };
  }
  if (service === 0x52 && target?.cls === 0x06 && depth < 2) {
    const size = readU16le(data, 2);
    return answerCip(identity, data.subarray(4, 4 + size), depth + 1);
  }
  if (service === 0x4c || service === 0x52)
    return { reply: reply(service, PATH_UNKNOWN), note: note(`read of tag ${symbol(path)}`, 'medium') };
  if (service === 0x4d || service === 0x53)
    return { reply: reply(service, PRIVILEGE_VIOLATION), note: note(`write of tag ${symbol(path)}`, 'high') };
  if (service === 0x05 || service === 0x06 || service === 0x07) {
    const name = service === 0x05 ? 'Reset (device restart)' : service === 0x06 ? 'Start' : 'Stop';
    return { reply: reply(service, PRIVILEGE_VIOLATION), note: note(`${name} service`, 'critical') };
  }
  if (service === 0x54 || service === 0x5b)
    return {
      reply: reply(service, NOT_SUPPORTED),
      note: note('Forward Open (connected messaging)', 'medium'),
    };
  return { reply: reply(service, NOT_SUPPORTED), note: note(`service 0x${service.toString(16)}`, 'medium') };
}
