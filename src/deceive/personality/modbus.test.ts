// Modbus personality: nmap modbus-discover's FC17 and FC43/14 requests answered
// byte for byte; reads from a plausible map, writes remembered across
// connections of one decoy, exceptions for bad functions and addresses, and
// any chunking of the stream gives the same answers.

import { describe, expect, it } from 'vitest';
import { IDENTITIES } from './identities.fixture.js';
import { openModbus } from './modbus.js';
import { modbusMapOf } from './modbus-map.js';
import { MODBUS } from './requests.fixture.js';
import { hexOf, joined, talk } from './talk.fixture.js';

const identity = IDENTITIES['modicon-m340'];
const open = () => openModbus(identity, modbusMapOf(identity));

/** Registers of an FC3/FC4 reply ADU. */
function registers(adu: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 9; i + 1 < adu.length; i += 2) out.push(((adu[i] ?? 0) << 8) | (adu[i + 1] ?? 0));
  return out;
}

describe('modbus personality', () => {
  it('answers Report Server ID (FC17) with run status and the model, as modbus-discover reads it', () => {
    const t = talk(open(), [MODBUS.reportServerId(1)]);
    expect(hexOf(joined(t))).toBe(
      // MBAP (length 23), unit 1, FC17, byte count 20, server id 1, run 0xFF, "BMX P34 2020 v2.70".
      '00000000001701111401ff424d582050333420323032302076322e3730',
    );
    expect(t.notes).toEqual([
      { protocol: 'modbus', what: 'Modbus Report Server ID (FC17)', severity: 'medium' },
    ]);
  });

  it('answers Read Device Identification with vendor, product code and revision in one reply', () => {
    const reply = joined(talk(open(), [MODBUS.readDeviceId(1)]));
    // nmap: byte 8 (1-based) is 0x2B, byte 14 the object count, objects from byte 15.
    expect(reply[7]).toBe(0x2b);
    expect(hexOf(reply.subarray(8, 14))).toBe('0e0182000003');
    const values: string[] = [];
    let at = 14;
    for (let i = 0; i < (reply[13] ?? 0); i++) {
      const length = reply[at + 1] ?? 0;
      values.push(String.fromCharCode(...reply.subarray(at + 2, at + 2 + length)));
      at += 2 + length;
    }
    expect(values.join(' ')).toBe('Schneider Electric BMX P34 2020 v2.70');
    expect(at).toBe(reply.length);
  });

  it('reads holding registers and remembers a write for the next connection to the same decoy', () => {
    const map = modbusMapOf(identity);
    const first = talk(openModbus(identity, map), [MODBUS.readHolding10, MODBUS.writeRegister]);
    const before = registers(first.replies[0] ?? new Uint8Array());
    expect(before).toHaveLength(10);
    expect(hexOf(first.replies[1] ?? new Uint8Array())).toBe(hexOf(MODBUS.writeRegister));
    expect(first.notes.map((n) => n.what)).toEqual([
      'Modbus read of 10 holding registers from 0',
      'Modbus write to holding register 40001 (value 1234)',
    ]);
    const after = registers(
      talk(openModbus(identity, map), [MODBUS.readHolding10]).replies[0] ?? new Uint8Array(),
    );
    expect(after).toEqual([1234, ...before.slice(1)]);
  });

  it('draws the same map for the same identity and a different one for another serial', () => {
    const a = joined(talk(open(), [MODBUS.readHolding10]));
    const b = joined(talk(open(), [MODBUS.readHolding10]));
    const other = { ...identity, serial: '20F0999999' };
    const c = joined(talk(openModbus(other, modbusMapOf(other)), [MODBUS.readHolding10]));
    expect(hexOf(a)).toBe(hexOf(b));
    expect(hexOf(a)).not.toBe(hexOf(c));
  });

  it('answers FC16 and FC23 and notes the values written', () => {
    const t = talk(open(), [MODBUS.writeRegisters, MODBUS.readWrite, MODBUS.readCoils10]);
    expect(hexOf(t.replies[0] ?? new Uint8Array())).toBe('000400000006011000020002');
    expect(hexOf((t.replies[1] ?? new Uint8Array()).subarray(7, 9))).toBe('1704');
    expect(hexOf((t.replies[2] ?? new Uint8Array()).subarray(7, 9))).toBe('0102');
    expect(t.notes.map((n) => n.what)).toEqual([
      'Modbus write of 2 holding registers from 40003 (values 1, 2)',
      'Modbus read/write: read 2 holding registers from 0, write 2 from 40017 (values 7, 8)',
      'Modbus read of 10 coils from 0',
    ]);
    expect(t.notes.map((n) => n.severity)).toEqual(['high', 'high', 'medium']);
  });

  it('applies a mask write (FC22) to the remembered value', () => {
    const map = modbusMapOf(identity);
    const t = talk(openModbus(identity, map), [
      Uint8Array.from([0, 8, 0, 0, 0, 6, 1, 6, 0, 5, 0x12, 0x34]),
      Uint8Array.from([0, 9, 0, 0, 0, 8, 1, 22, 0, 5, 0x00, 0xf2, 0x00, 0x25]),
    ]);
    expect(hexOf(t.replies[1] ?? new Uint8Array())).toBe('0009000000080116000500f20025');
    // (0x1234 AND 0x00F2) OR (0x0025 AND NOT 0x00F2) = 0x0030 OR 0x0005
    expect(map.read('holding-register', 5)).toBe(0x0035);
    expect(t.notes[1]).toEqual({
      protocol: 'modbus',
      what: 'Modbus mask write to holding register 40006 (and 0xf2, or 0x25)',
      severity: 'high',
    });
  });

  it('answers exceptions: illegal address beyond the map, illegal function for unknown codes', () => {
    const t = talk(open(), [MODBUS.readOutOfRange, MODBUS.unknownFunction]);
    expect(hexOf(t.replies[0] ?? new Uint8Array())).toBe('000600000003018302');
    expect(hexOf(t.replies[1] ?? new Uint8Array())).toBe('00070000000301c101');
  });

  it('gives the same answers whatever the chunking of the stream', () => {
    const requests = [
      MODBUS.reportServerId(1),
      MODBUS.readDeviceId(1),
      MODBUS.readHolding10,
      MODBUS.writeRegister,
    ];
    const whole = hexOf(joined(talk(open(), requests)));
    for (const chunk of [1, 2, 3, 7, 11]) expect(hexOf(joined(talk(open(), requests, chunk)))).toBe(whole);
  });

  it('closes on a non-Modbus stream', () => {
    const t = talk(open(), [Uint8Array.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])]);
    expect(t.closed).toBe(true);
    expect(t.replies).toEqual([]);
  });
});
