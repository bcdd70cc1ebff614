// S7comm personality: nmap s7-info's exchange answered so its fixed offsets
// find the identity, replies compared byte for byte with a real CPU 315-2
// PN/DP (public snap7 / STEP 7 captures), and the dangerous jobs noted.

import { describe, expect, it } from 'vitest';
import { IDENTITIES } from './identities.fixture.js';
import { S7 } from './requests.fixture.js';
import { openS7 } from './s7.js';
import { hexOf, joined, talk, zString } from './talk.fixture.js';

const identity = IDENTITIES['s7-300'];
const session = (...requests: Uint8Array[]) => talk(openS7(identity), [S7.connect, S7.setup, ...requests]);

describe('s7comm personality', () => {
  it('confirms nmap’s COTP connection to rack 0 slot 2 and refuses its alternative TSAP', () => {
    const cc = talk(openS7(identity), [S7.connect]);
    expect(hexOf(joined(cc))).toBe('0300001611d00014000300c0010ac1020100c2020102');
    const refused = talk(openS7(identity), [S7.connectAlternative]);
    expect(refused.closed).toBe(true);
    expect(joined(refused)[5]).toBe(0x80);
  });

  it('negotiates Setup Communication down to 240 bytes exactly as a real S7-300 does', () => {
    const t = talk(openS7(identity), [S7.connect, S7.setup]);
    expect(hexOf(t.replies[1] ?? new Uint8Array())).toBe(
      '0300001b02f080320300000000000800000000f0000001000100f0',
    );
  });

  it('answers SZL 0x0011 like the real CPU in snap7_s300_everything.pcapng', () => {
    const request = S7.szl0011.slice();
    request[32] = 0; // index 0x0000, as the capture asked
    request[11] = 1; // PDU reference 0x0100, as snap7 numbered it
    const reply = session(request).replies[2] ?? new Uint8Array();
    const real =
      '0300009902f080320700000100000c007c000112081284010200000000ff09007800110000001c0004000136455337203331352d32454831342d304142302000c000030001000636455337203331352d32454831342d304142302000c0000300010007202020202020202020202020202020202020202000c0560302070081426f6f74204c6f61646572202020202020202020000041200909';
    // Identical but for the userdata sequence number the CPU counts (byte 25).
    const ours = hexOf(reply);
    expect(ours.slice(0, 48) + ours.slice(50)).toBe(real.slice(0, 48) + real.slice(50));
  });

  it('puts Module, Basic Hardware and Version where s7-info reads them', () => {
    const t = session(S7.szl0011, S7.szl0011);
    const reply = t.replies[3] ?? new Uint8Array();
    expect(reply.length).toBeGreaterThanOrEqual(125);
    expect(reply[7]).toBe(0x32);
    expect(zString(reply, 44)).toBe('6ES7 315-2EH14-0AB0 ');
    expect(zString(reply, 72)).toBe('6ES7 315-2EH14-0AB0 ');
    expect([reply[122], reply[123], reply[124]]).toEqual([3, 2, 7]);
    expect(t.notes.at(-1)).toEqual({
      protocol: 's7comm',
      what: 'S7 read SZL 0x0011 index 0x0001',
      severity: 'low',
    });
  });

  it('puts System Name, Module Type, Plant, Copyright and Serial where s7-info reads them (SZL 0x001C)', () => {
    const reply = session(S7.szl001c).replies[2] ?? new Uint8Array();
    expect(reply[30]).not.toBe(0x1c); // byte 31: nmap then uses its 4-byte offset, as for a real CPU
    expect(reply.length).toBeLessThanOrEqual(7 + 240);
    expect(zString(reply, 44)).toBe('S7300/ET200M station_1');
    expect(zString(reply, 78)).toBe('PLC_1');
    expect(zString(reply, 112)).toBe('Riverside Water Treatment Plant');
    expect(zString(reply, 146)).toBe('Original Siemens Equipment');
    expect(zString(reply, 180)).toBe('S C-B1U393142011');
  });

  it('reports the CPU in RUN (SZL 0x0424) with the record layout of a real CPU', () => {
    const reply = session(S7.szl0424).replies[2] ?? new Uint8Array();
    expect(hexOf(reply.subarray(0, 4))).toBe('0300003d');
    expect(hexOf(reply.subarray(29, 45))).toBe('ff09001c04240000001400015144ff08');
  });

  it('acknowledges PLC STOP exactly as the real CPU in snap7_s300_stop.pcapng and notes it as critical', () => {
    const t = session(S7.plcStop);
    expect(hexOf(t.replies[2] ?? new Uint8Array())).toBe('0300001402f08032030000000200010000000029');
    expect(t.notes.at(-1)).toEqual({ protocol: 's7comm', what: 'S7 PLC STOP', severity: 'critical' });
  });

  it('acknowledges a PI insert-block like the real CPU and names the block', () => {
    const t = session(S7.insertBlock);
    expect(hexOf(t.replies[2] ?? new Uint8Array())).toBe('0300001402f080320300000f0000010000000028');
    expect(t.notes.at(-1)?.what).toBe('S7 PI service: insert block (_INSE) [..0A00001P]');
    expect(t.notes.at(-1)?.severity).toBe('critical');
  });

  it('reads and writes variables and notes the addresses', () => {
    const t = session(S7.readDb1, S7.writeDb1);
    const read = t.replies[2] ?? new Uint8Array();
    expect(hexOf(read.subarray(19, 25))).toBe('0401ff040020');
    expect(read.length).toBe(25 + 4);
    expect(hexOf((t.replies[3] ?? new Uint8Array()).subarray(17))).toBe('00000501ff');
    expect(t.notes.slice(-2).map((n) => n.what)).toEqual([
      'S7 Read Var DB1.DBB0 (4 bytes)',
      'S7 Write Var DB1.DBB0 (1 bytes) (5 data bytes)',
    ]);
  });

  it('notes block download, upload and delete, refusing the upload', () => {
    const job = (params: number[]) => {
      const s7 = [0x32, 1, 0, 0, 0, 9, 0, params.length, 0, 0, ...params];
      return Uint8Array.from([3, 0, 0, 7 + s7.length, 2, 0xf0, 0x80, ...s7]);
    };
    const deleteBlock = [
      0x28,
      0,
      0,
      0,
      0,
      0,
      0,
      0xfd,
      0,
      10,
      1,
      0,
      ...[...'0A00001P'].map((c) => c.charCodeAt(0)),
      5,
      ...[...'_DELE'].map((c) => c.charCodeAt(0)),
    ];
    const t = session(
      job([0x1a, 0, 1, 0, 0, 0, 0, 0, 9]),
      job([0x1d, 0, 0, 0, 0, 0, 0, 0]),
      job(deleteBlock),
    );
    expect(t.notes.slice(-3).map((n) => [n.what, n.severity])).toEqual([
      ['S7 block download (function 0x1a)', 'critical'],
      ['S7 block upload (function 0x1d)', 'high'],
      ['S7 PI service: delete block (_DELE) [..0A00001P]', 'critical'],
    ]);
    const upload = t.replies[3] ?? new Uint8Array();
    expect(hexOf(upload.subarray(17, 19))).toBe('8104');
  });

  it('closes on S7comm-plus and on data before a connection', () => {
    const plus = Uint8Array.from([3, 0, 0, 11, 2, 0xf0, 0x80, 0x72, 1, 0, 0]);
    expect(talk(openS7(identity), [S7.connect, plus]).closed).toBe(true);
    expect(talk(openS7(identity), [S7.setup]).closed).toBe(true);
  });

  it('gives the same answers whatever the chunking', () => {
    const requests = [S7.connect, S7.setup, S7.szl0011, S7.szl001c, S7.plcStop];
    const whole = hexOf(joined(talk(openS7(identity), requests)));
    for (const chunk of [1, 3, 5, 16])
      expect(hexOf(joined(talk(openS7(identity), requests, chunk)))).toBe(whole);
  });
});
