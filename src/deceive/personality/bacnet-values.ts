// The BACnet objects a building controller decoy holds (its Device object and
// a few analog and binary inputs) and their property values as BACnet
// application-tagged bytes, drawn from the decoy's identity. ASHRAE 135
// clause 20.2 (encoding). (identity, object, property) → bytes. Pure.

import { ascii, u16be, u32be } from './bytes.js';
import { hash32 } from './seeded.js';
import type { DecoyIdentity } from './types.js';

export const DEVICE = 8;
export const ANALOG_INPUT = 0;
export const BINARY_INPUT = 3;
export const WILDCARD_INSTANCE = 0x3fffff;

/** Names of the properties used in notes. */
export const PROPERTY_NAMES: ReadonlyMap<number, string> = new Map([
  [11, 'apdu-timeout'],
  [12, 'application-software-version'],
  [28, 'description'],
  [44, 'firmware-revision'],
  [58, 'location'],
  [62, 'max-apdu-length-accepted'],
  [70, 'model-name'],
  [73, 'number-of-apdu-retries'],
  [75, 'object-identifier'],
  [76, 'object-list'],
  [77, 'object-name'],
  [79, 'object-type'],
  [85, 'present-value'],
  [98, 'protocol-version'],
  [107, 'segmentation-supported'],
  [111, 'status-flags'],
  [112, 'system-status'],
  [117, 'units'],
  [120, 'vendor-identifier'],
  [121, 'vendor-name'],
  [139, 'protocol-revision'],
]);

const POINTS = 4;

/** Application tag `tag` with content bytes (length in the tag octet or an extended length octet). */
function tagged(tag: number, content: readonly number[]): number[] {
  return content.length <= 4
    ? [(tag << 4) | content.length, ...content]
    : [(tag << 4) | 5, content.length, ...content];
}

function unsigned(v: number): number[] {
  if (v < 0x100) return tagged(2, [v]);
  if (v < 0x10000) return tagged(2, u16be(v));
  return tagged(2, u32be(v));
}

function enumerated(v: number): number[] {
  return tagged(9, [v & 0xff]);
}

function text(v: string): number[] {
  return tagged(7, [0, ...ascii(v.slice(0, 200))]);
}

function real(v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v);
  return tagged(4, [...b]);
}

/** The 32-bit object identifier. */
export function objectId(type: number, instance: number): number {
  return ((type & 0x3ff) * 0x400000 + (instance & WILDCARD_INSTANCE)) >>> 0;
}

function objectIdValue(type: number, instance: number): number[] {
  return tagged(12, u32be(objectId(type, instance)));
}

/** The decoy's device instance. */
export function deviceInstance(identity: DecoyIdentity): number {
  const v = identity.fields.deviceInstance;
  return typeof v === 'number' ? v & WILDCARD_INSTANCE : 1;
}

/** The decoy's vendor identifier (ASHRAE-assigned). */
export function vendorId(identity: DecoyIdentity): number {
  const v = identity.fields.vendorId;
  return typeof v === 'number' ? v & 0xffff : 5;
}

function field(identity: DecoyIdentity, name: string, fallback: string): string {
  const v = identity.fields[name];
  return typeof v === 'string' ? v : fallback;
}

function deviceProperty(
  identity: DecoyIdentity,
  property: number,
  index: number | undefined,
): number[] | undefined {
  const instance = deviceInstance(identity);
  switch (property) {
    case 11:
      return unsigned(3000);
    case 12:
      return text(field(identity, 'applicationSoftware', identity.firmware));
    case 28:
      return text(field(identity, 'description', ''));
    case 44:
      return text(identity.firmware);
    case 58:
      return text(`${identity.plantName}, ${field(identity, 'room', 'Mech Room')}`);
    case 62:
      return unsigned(1476);
    case 70:
      return text(identity.model);
    case 73:
      return unsigned(3);
    case 75:
      return objectIdValue(DEVICE, instance);
    case 76: {
      const list = [objectIdValue(DEVICE, instance)];
      for (let i = 1; i <= POINTS; i++)
        list.push(objectIdValue(ANALOG_INPUT, i), objectIdValue(BINARY_INPUT, i));
      if (index === 0) return unsigned(list.length);
      if (index !== undefined) return list[index - 1];
      return list.flat();
    }
    case 77:
      return text(field(identity, 'objectName', identity.hostname));
    case 79:
      return enumerated(DEVICE);
    case 98:
      return unsigned(1);
    case 107:
      return enumerated(3);
    case 112:
      return enumerated(0);
    case 120:
      return unsigned(vendorId(identity));
    case 121:
      return text(identity.vendor);
    case 139:
      return unsigned(14);
    default:
      return undefined;
  }
}

const AI_NAMES = ['Supply Air Temp', 'Return Air Temp', 'Outside Air Temp', 'Duct Static Pressure'];
const BI_NAMES = ['Supply Fan Status', 'Filter Alarm', 'Freeze Stat', 'Occupancy'];

function pointProperty(
  identity: DecoyIdentity,
  type: number,
  instance: number,
  property: number,
): number[] | undefined {
  const h = hash32(`${identity.serial}/${type}/${instance}`);
  const analog = type === ANALOG_INPUT;
  switch (property) {
    case 75:
      return objectIdValue(type, instance);
    case 77:
      return text(`${(analog ? AI_NAMES : BI_NAMES)[instance - 1] ?? 'Point'}`);
    case 79:
      return enumerated(type);
    case 85:
      return analog ? real(instance === 4 ? 1.2 + (h % 40) / 100 : 12 + (h % 150) / 10) : enumerated(h & 1);
    case 111:
      return tagged(8, [0x04, 0x00]);
    case 117:
      return analog ? enumerated(instance === 4 ? 58 : 62) : undefined;
    default:
      return undefined;
  }
}

/** A property's value, `'object'` if the object does not exist, `'property'` if it has no such property. */
export function propertyValue(
  identity: DecoyIdentity,
  type: number,
  instance: number,
  property: number,
  index: number | undefined,
): number[] | 'object' | 'property' {
  const isDevice =
    type === DEVICE && (instance === WILDCARD_INSTANCE || instance === deviceInstance(identity));
  const isPoint = (type === ANALOG_INPUT || type === BINARY_INPUT) && instance >= 1 && instance <= POINTS;
  if (!isDevice && !isPoint) return 'object';
  const value = isDevice
    ? deviceProperty(identity, property, index)
    : pointProperty(identity, type, instance, property);
  return value ?? 'property';
}
