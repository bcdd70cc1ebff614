// DNP3 outstation personality: link status, an integrity poll answered with
// static data in frames whose CRCs check (framed by the sense codec), controls
// echoed, restarts answered with a time delay, other addresses ignored.

import { describe, expect, it } from 'vitest';
import { decodeDnp3, frameDnp3 } from '../../sense/protocols/dnp3.js';
import { dnp3Frame } from '../../sense/protocols/samples.fixture.js';
import { openDnp3 } from './dnp3.js';
import { linkUserData } from './dnp3-link.js';
import { IDENTITIES } from './identities.fixture.js';
import { DNP3 } from './requests.fixture.js';
import { hexOf, joined, talk } from './talk.fixture.js';

const identity = IDENTITIES['dnp3-outstation'];

function userDataOf(frame: Uint8Array | undefined): Uint8Array {
  const f = frame ?? new Uint8Array();
  expect(frameDnp3(f)).toEqual({ kind: 'complete', length: f.length });
  return linkUserData(f) ?? new Uint8Array();
}

describe('dnp3 personality', () => {
  it('answers request link status with link status from its address', () => {
    const t = talk(openDnp3(identity), [DNP3.linkStatus(10)]);
    const reply = joined(t);
    expect(hexOf(reply.subarray(0, 8))).toBe('0564050b01000a00');
    expect(frameDnp3(reply)).toEqual({ kind: 'complete', length: 10 });
  });

  it('answers an integrity poll with binary and analog inputs', () => {
    const t = talk(openDnp3(identity), [DNP3.classPoll(10)]);
    const user = userDataOf(t.replies[0]);
    expect(hexOf(user.subarray(1, 5))).toBe('c1810000');
    expect(hexOf(user.subarray(5, 10))).toBe('010200000f');
    expect(hexOf(user.subarray(26, 31))).toBe('1e01000007');
    expect(user.length).toBe(5 + 5 + 16 + 5 + 8 * 5);
    expect(t.notes[0]?.what).toBe('DNP3 read class 1, class 2, class 3, class 0');
  });

  it('echoes a direct operate as accepted and notes it as critical', () => {
    const t = talk(openDnp3(identity), [DNP3.directOperate(10)]);
    const user = userDataOf(t.replies[0]);
    expect(hexOf(user.subarray(1, 5))).toBe('c2810000');
    expect(hexOf(user.subarray(5))).toBe('0c0128010003000101e80300000000000000');
    expect(decodeDnp3(t.replies[0] ?? new Uint8Array())).toMatchObject({ kind: 'message', code: 129 });
    expect(t.notes[0]).toEqual({
      protocol: 'dnp3',
      what: 'DNP3 direct-operate (FC5) g12v1',
      severity: 'critical',
    });
  });

  it('answers a cold restart with a 5 s time delay', () => {
    const t = talk(openDnp3(identity), [DNP3.coldRestart(10)]);
    expect(hexOf(userDataOf(t.replies[0]).subarray(5))).toBe('340207018813');
    expect(t.notes[0]?.severity).toBe('critical');
  });

  it('refuses file operations with IIN2 "function not supported" and notes them', () => {
    const t = talk(openDnp3(identity), [dnp3Frame(1, 10, [0xc3, 0xc4, 25, 70, 3, 0x5b, 1, 0])]);
    expect(hexOf(userDataOf(t.replies[0]).subarray(1, 5))).toBe('c4810001');
    expect(t.notes[0]).toEqual({ protocol: 'dnp3', what: 'DNP3 open-file (FC25) g70v3', severity: 'high' });
  });

  it('does not answer frames for other outstations but notes them', () => {
    const t = talk(openDnp3(identity), [DNP3.linkStatus(11), DNP3.classPoll(11)]);
    expect(t.replies).toEqual([]);
    expect(t.notes.map((n) => n.what)).toEqual(['DNP3 frame for address 11', 'DNP3 frame for address 11']);
  });

  it('gives the same answers whatever the chunking', () => {
    const requests = [DNP3.linkStatus(10), DNP3.classPoll(10), DNP3.directOperate(10), DNP3.coldRestart(10)];
    const whole = hexOf(joined(talk(openDnp3(identity), requests)));
    for (const chunk of [1, 4, 9])
      expect(hexOf(joined(talk(openDnp3(identity), requests, chunk)))).toBe(whole);
  });
});
