// IEC-104 personality: nmap iec-identify's TESTFR, STARTDT and station
// interrogation answered strictly in order, the interrogation reply counted the
// way iec-identify counts it, and commands confirmed and noted.

import { describe, expect, it } from 'vitest';
import { IDENTITIES } from './identities.fixture.js';
import { openIec104 } from './iec104.js';
import { IEC104 } from './requests.fixture.js';
import { hexOf, joined, talk } from './talk.fixture.js';

const identity = IDENTITIES['iec104-rtu'];

/** iec-identify's loop over at most 10 APDUs after the interrogation. */
function iecIdentify(apdus: readonly Uint8Array[]) {
  let address = -1;
  let objects = 0;
  for (const apdu of apdus.slice(0, 10)) {
    if (((apdu[2] ?? 0) & 0x01) !== 0) continue;
    const [type, vsq, cot] = [apdu[6] ?? 0, (apdu[7] ?? 0) & 0x7f, (apdu[8] ?? 0) & 0x3f];
    address = (apdu[10] ?? 0) | ((apdu[11] ?? 0) << 8);
    if (type === 100 && cot === 10) break;
    if (type !== 100 && cot >= 20 && cot <= 36) objects += vsq;
  }
  return { address, objects };
}

describe('iec104 personality', () => {
  it('confirms TESTFR and STARTDT in order', () => {
    const t = talk(openIec104(identity), [IEC104.testfr, IEC104.startdt]);
    expect(t.replies.map(hexOf)).toEqual(['680483000000', '68040b000000']);
  });

  it('answers the station interrogation with ActCon, data and ActTerm that iec-identify counts', () => {
    const t = talk(openIec104(identity), [IEC104.testfr, IEC104.startdt, IEC104.interrogation]);
    const apdus = t.replies.slice(2);
    expect(apdus).toHaveLength(5);
    // ActCon: N(S) 0, N(R) 1, C_IC_NA_1, COT 7, the RTU's common address 7720, QOI 20.
    expect(hexOf(apdus[0] ?? new Uint8Array())).toBe('680e0000020064010700281e00000014');
    expect(hexOf(apdus[4] ?? new Uint8Array()).slice(12, 18)).toBe('64010a');
    expect(iecIdentify(apdus)).toEqual({ address: 7720, objects: 8 + 3 + 6 });
    expect(t.notes.at(-1)).toEqual({
      protocol: 'iec104',
      what: 'IEC-104 general interrogation (common address 65535)',
      severity: 'medium',
    });
  });

  it('confirms a single command and notes it as critical', () => {
    const t = talk(openIec104(identity), [IEC104.startdt, IEC104.singleCommand]);
    const [con, term] = t.replies.slice(1);
    expect([con?.[6], (con?.[8] ?? 0) & 0x3f, term?.[6], (term?.[8] ?? 0) & 0x3f]).toEqual([45, 7, 45, 10]);
    expect(t.notes.at(-1)).toEqual({
      protocol: 'iec104',
      what: 'IEC-104 single command (type 45) to IOA 1001',
      severity: 'critical',
    });
  });

  it('closes on an I-frame before STARTDT and on bytes that are not IEC-104', () => {
    expect(talk(openIec104(identity), [IEC104.interrogation]).closed).toBe(true);
    expect(talk(openIec104(identity), [Uint8Array.from([0x16, 3, 1])]).closed).toBe(true);
  });

  it('gives the same answers whatever the chunking', () => {
    const requests = [IEC104.testfr, IEC104.startdt, IEC104.interrogation, IEC104.singleCommand];
    const whole = hexOf(joined(talk(openIec104(identity), requests)));
    for (const chunk of [1, 2, 5])
      expect(hexOf(joined(talk(openIec104(identity), requests, chunk)))).toBe(whole);
  });
});
