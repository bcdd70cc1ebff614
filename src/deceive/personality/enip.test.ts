// EtherNet/IP personality: nmap enip-info's ListIdentity answered in one reply
// that its fixed offsets parse (TCP and UDP), sessions, and the Identity object
// over SendRRData.

import { describe, expect, it } from 'vitest';
import { openEnipTcp, openEnipUdp } from './enip.js';
import { IDENTITIES } from './identities.fixture.js';
import { ENIP } from './requests.fixture.js';
import { hexOf, joined, talk } from './talk.fixture.js';

const identity = IDENTITIES.controllogix;

/** What enip-info prints, read with its 1-based offsets. */
function enipInfo(r: Uint8Array) {
  const u16 = (at: number) => (r[at - 1] ?? 0) | ((r[at] ?? 0) << 8);
  const nameLength = r[62] ?? 0;
  return {
    ok: r[0] === 0x63 && r.length >= 27 && r[26] === 0x0c,
    deviceIp: [r[36], r[37], r[38], r[39]].join('.'),
    vendor: u16(49),
    type: u16(51),
    productCode: u16(53),
    revision: `${r[54]}.${r[55]}`,
    status: u16(57),
    serial: ((u16(59) | (u16(61) << 16)) >>> 0).toString(16).padStart(8, '0'),
    productName: String.fromCharCode(...r.subarray(63, 63 + nameLength)),
    state: r[63 + nameLength],
  };
}

const expected = {
  ok: true,
  deviceIp: '10.20.1.201',
  vendor: 1,
  type: 14,
  productCode: 93,
  revision: '20.13',
  status: 0x3060,
  serial: '00c0ffee',
  productName: '1756-L71/B LOGIX5571',
  state: 3,
};

describe('enip personality', () => {
  it('answers ListIdentity over TCP the way enip-info parses it, echoing nmap’s sender context', () => {
    const t = talk(openEnipTcp(identity), [ENIP.listIdentity]);
    expect(t.replies).toHaveLength(1);
    const reply = joined(t);
    expect(enipInfo(reply)).toEqual(expected);
    expect(hexOf(reply.subarray(12, 20))).toBe('00000000c1debed1');
    expect(reply.length).toBe(24 + 2 + 4 + 34 + 20);
    expect(t.notes).toEqual([{ protocol: 'enip', what: 'EtherNet/IP ListIdentity', severity: 'medium' }]);
  });

  it('answers ListIdentity over UDP, one datagram each', () => {
    const t = talk(openEnipUdp(identity), [ENIP.listIdentity, ENIP.listIdentity]);
    expect(t.replies).toHaveLength(2);
    expect(enipInfo(t.replies[1] ?? new Uint8Array())).toEqual(expected);
  });

  it('lists its services: CIP over TCP and UDP', () => {
    const reply = joined(talk(openEnipTcp(identity), [ENIP.listServices]));
    expect(hexOf(reply.subarray(24))).toBe(
      `01000001140001002001${hexOf(new TextEncoder().encode('Communications'))}0000`,
    );
  });

  it('registers a session and answers Get_Attributes_All of the Identity object in it', () => {
    const conversation = openEnipTcp(identity);
    const registered = joined(talk(conversation, [ENIP.registerSession]));
    const session =
      ((registered[4] ?? 0) |
        ((registered[5] ?? 0) << 8) |
        ((registered[6] ?? 0) << 16) |
        ((registered[7] ?? 0) << 24)) >>>
      0;
    expect(session).not.toBe(0);
    const t = talk(conversation, [ENIP.getAttributesAll(session)]);
    const reply = joined(t);
    const cip = reply.subarray(24 + 16);
    expect(hexOf(cip.subarray(0, 4))).toBe('81000000');
    expect(hexOf(cip.subarray(4, 14))).toBe('01000e005d00140d6030');
    expect(String.fromCharCode(...cip.subarray(19, 19 + (cip[18] ?? 0)))).toBe('1756-L71/B LOGIX5571');
    expect(t.notes[0]?.what).toBe('CIP Get_Attributes_All of the Identity object');
  });

  it('refuses SendRRData without a registered session', () => {
    const reply = joined(talk(openEnipTcp(identity), [ENIP.getAttributesAll(0x1234)]));
    expect(hexOf(reply.subarray(8, 12))).toBe('64000000');
  });

  it('gives the same answers whatever the chunking', () => {
    const requests = [ENIP.listIdentity, ENIP.listServices, ENIP.registerSession];
    const whole = hexOf(joined(talk(openEnipTcp(identity), requests)));
    for (const chunk of [1, 5, 23])
      expect(hexOf(joined(talk(openEnipTcp(identity), requests, chunk)))).toBe(whole);
  });
});
