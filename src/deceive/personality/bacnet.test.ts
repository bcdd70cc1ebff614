// BACnet/IP personality: every ReadProperty nmap's bacnet-info sends answered
// so its fixed offsets find the value; Who-Is answered with I-Am; unknown
// properties and objects answered with BACnet errors; writes and device
// control noted.

import { describe, expect, it } from 'vitest';
import { answerBacnet } from './bacnet.js';
import { IDENTITIES } from './identities.fixture.js';
import { BACNET } from './requests.fixture.js';
import { hexOf } from './talk.fixture.js';

const identity = IDENTITIES['bacnet-controller'];
const ask = (request: Uint8Array) => answerBacnet(identity, request);

/** bacnet-info's reading of a string property reply (1-based offsets). */
function nmapString(r: Uint8Array): string {
  const tag = r[17] ?? 0;
  if (tag >> 4 !== 7) return '<not a string>';
  if ((tag & 0x0f) < 5) return String.fromCharCode(...r.subarray(19, 19 + (tag & 0x0f) - 1));
  return String.fromCharCode(...r.subarray(20, 20 + (r[18] ?? 0) - 1));
}

describe('bacnet personality', () => {
  it('answers the object identifier with the device instance at bytes 20–22', () => {
    const [reply] = ask(BACNET.readProperty(75)).replies;
    const r = reply ?? new Uint8Array();
    expect(hexOf(r)).toBe('810a0017010030010c0c020001f4194b3ec4020001f43f');
    expect(((r[19] ?? 0) << 16) | ((r[20] ?? 0) << 8) | (r[21] ?? 0)).toBe(500);
  });

  it('answers the vendor identifier as a one-byte unsigned', () => {
    const r = ask(BACNET.readProperty(120)).replies[0] ?? new Uint8Array();
    expect([r[17], r[18]]).toEqual([0x21, 5]);
  });

  it('answers every string property nmap asks for', () => {
    const values = [121, 44, 12, 77, 70, 28, 58].map((p) =>
      nmapString(ask(BACNET.readProperty(p)).replies[0] ?? new Uint8Array()),
    );
    expect(values).toEqual([
      'Johnson Controls, Inc.',
      '9.0.0.3012',
      'NAE 6.5',
      'NAE-01',
      'MS-NAE5510-2',
      'Air Handler 1',
      'Riverside Water Treatment Plant, Mech Room 2',
    ]);
  });

  it('notes each query with the property asked', () => {
    expect(ask(BACNET.readProperty(121)).notes).toEqual([
      { protocol: 'bacnet', what: 'BACnet ReadProperty device,4194303 vendor-name', severity: 'medium' },
    ]);
  });

  it('answers Who-Is with I-Am carrying the instance and vendor', () => {
    const r = ask(BACNET.whoIs).replies[0] ?? new Uint8Array();
    // BVLC unicast, NPDU, I-Am: device,500, max APDU 1476, no segmentation, vendor 5.
    expect(hexOf(r)).toBe('810a001401001000c4020001f42205c491032105');
  });

  it('answers an unknown property with an Error PDU (property / unknown-property)', () => {
    const r = ask(BACNET.readProperty(0x99)).replies[0] ?? new Uint8Array();
    expect(hexOf(r.subarray(6))).toBe('50010c91029120');
  });

  it('notes WriteProperty and ReinitializeDevice, refusing the latter', () => {
    const write = ask(Uint8Array.from([0x81, 0x0a, 0, 12, 1, 4, 0x00, 0x05, 7, 15, 0x0c, 0]));
    expect(write.notes[0]?.severity).toBe('high');
    const reinit = ask(Uint8Array.from([0x81, 0x0a, 0, 10, 1, 4, 0x00, 0x05, 8, 20]));
    expect(hexOf(reinit.replies[0]?.subarray(6) ?? new Uint8Array())).toBe('5008149104911a');
    expect(reinit.notes[0]?.severity).toBe('critical');
  });

  it('ignores datagrams that are not BACnet/IP', () => {
    expect(ask(Uint8Array.from([1, 2, 3])).replies).toEqual([]);
  });
});
