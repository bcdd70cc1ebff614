// For many drawn identities of every profile, what nmap's ICS scripts would
// print — read from the replies with the scripts' own fixed offsets (see
// shared/ICS-PROBES.md) — is exactly the identity: no value too long for its
// field, no string without its terminator, whatever the seed.

import { describe, expect, it } from 'vitest';
import { answerBacnet } from './bacnet.js';
import { openEnipTcp } from './enip.js';
import { openIec104 } from './iec104.js';
import { drawIdentity } from './index.js';
import { openModbus } from './modbus.js';
import { modbusMapOf } from './modbus-map.js';
import { BACNET, ENIP, IEC104, MODBUS, S7 } from './requests.fixture.js';
import { openS7 } from './s7.js';
import { joined, talk, zString } from './talk.fixture.js';
import type { DecoyIdentity } from './types.js';

const SEEDS = Array.from({ length: 150 }, (_, i) => `site-${i}`);
const draws = (profile: Parameters<typeof drawIdentity>[0]) =>
  SEEDS.map((seed, i) => drawIdentity(profile, seed, i % 7));
const text = (identity: DecoyIdentity, name: string) => String(identity.fields[name]);

describe('what nmap prints for drawn identities', () => {
  it('s7-info: module, version, names, serial, plant and copyright', () => {
    for (const id of draws('s7-300')) {
      const t = talk(openS7(id), [S7.connect, S7.setup, S7.szl0011, S7.szl001c]);
      const [, , modules, components] = t.replies.map((r) => r ?? new Uint8Array());
      const m = modules ?? new Uint8Array();
      const c = components ?? new Uint8Array();
      expect(zString(m, 44).trim()).toBe(text(id, 'orderNumber'));
      expect(`V${m[122]}.${m[123]}.${m[124]}`).toBe(id.firmware);
      expect([44, 78, 112, 146, 180].map((at) => zString(c, at))).toEqual([
        text(id, 'systemName'),
        text(id, 'moduleName'),
        id.plantName,
        'Original Siemens Equipment',
        id.serial,
      ]);
    }
  });

  it('modbus-discover: server id data and device identification', () => {
    for (const id of draws('modicon-m340')) {
      const conversation = openModbus(id, modbusMapOf(id));
      const fc17 = joined(talk(conversation, [MODBUS.reportServerId(1)]));
      expect(String.fromCharCode(...fc17.subarray(11, 9 + (fc17[8] ?? 0)))).toBe(
        `${id.model} ${id.firmware}`,
      );
      const fc43 = joined(talk(conversation, [MODBUS.readDeviceId(1)]));
      const values: string[] = [];
      for (let at = 14, i = 0; i < (fc43[13] ?? 0); i++) {
        values.push(String.fromCharCode(...fc43.subarray(at + 2, at + 2 + (fc43[at + 1] ?? 0))));
        at += 2 + (fc43[at + 1] ?? 0);
      }
      expect(values).toEqual([id.vendor, id.model, id.firmware]);
    }
  });

  it('enip-info: product name, serial, product code and revision', () => {
    for (const id of draws('controllogix')) {
      const r = joined(talk(openEnipTcp(id), [ENIP.listIdentity]));
      const u16 = (at: number) => (r[at - 1] ?? 0) | ((r[at] ?? 0) << 8);
      expect(r[26]).toBe(0x0c);
      expect(String.fromCharCode(...r.subarray(63, 63 + (r[62] ?? 0)))).toBe(id.model);
      expect(((u16(59) | (u16(61) << 16)) >>> 0).toString(16).padStart(8, '0')).toBe(id.serial.toLowerCase());
      expect(u16(53)).toBe(id.fields.productCode);
      expect(`${r[54]}.${r[55]}`).toBe(id.firmware.split('.').map(Number).join('.'));
    }
  });

  it('bacnet-info: every string property and the device instance', () => {
    for (const id of draws('bacnet-controller')) {
      const read = (p: number) => answerBacnet(id, BACNET.readProperty(p)).replies[0] ?? new Uint8Array();
      const str = (r: Uint8Array) =>
        (r[17] ?? 0) === 0x75
          ? String.fromCharCode(...r.subarray(20, 20 + (r[18] ?? 0) - 1))
          : String.fromCharCode(...r.subarray(19, 19 + ((r[17] ?? 0) & 0x0f) - 1));
      const instance = read(75);
      expect(((instance[19] ?? 0) << 16) | ((instance[20] ?? 0) << 8) | (instance[21] ?? 0)).toBe(
        id.fields.deviceInstance,
      );
      expect([121, 44, 12, 77, 70, 28, 58].map((p) => str(read(p)))).toEqual([
        id.vendor,
        id.firmware,
        text(id, 'applicationSoftware'),
        text(id, 'objectName'),
        id.model,
        text(id, 'description'),
        `${id.plantName}, ${text(id, 'room')}`,
      ]);
    }
  });

  it('iec-identify: the common address of every reply', () => {
    for (const id of draws('iec104-rtu')) {
      const t = talk(openIec104(id), [IEC104.testfr, IEC104.startdt, IEC104.interrogation]);
      for (const apdu of t.replies.slice(2))
        expect((apdu[10] ?? 0) | ((apdu[11] ?? 0) << 8)).toBe(id.fields.asduAddress);
    }
  });

  it('plant names fit the S7 plant designation (31 characters)', () => {
    for (const seed of SEEDS)
      expect(drawIdentity('s7-300', seed, 0).plantName.length).toBeLessThanOrEqual(31);
  });
});
