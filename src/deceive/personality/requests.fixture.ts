// Client requests for the personality tests and fuzzing, byte for byte as the
// real clients send them: nmap's ICS scripts (modbus-discover, s7-info,
// enip-info, bacnet-info, iec-identify; see shared/ICS-PROBES.md), pymodbus,
// captures of STEP 7 / TIA Portal, and typical SSH/VNC/HTTP clients. Pure.

import { dnp3Crc } from '../../sense/protocols/dnp3.js';
import { dnp3Frame } from '../../sense/protocols/samples.fixture.js';

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const text = (value: string): Uint8Array => Uint8Array.from(value, (c) => c.charCodeAt(0));

/** modbus-discover, pymodbus and friends. */
export const MODBUS = {
  reportServerId: (sid: number) => hex(`0000 0000 0002 ${sid.toString(16).padStart(2, '0')} 11`),
  readDeviceId: (sid: number) => hex(`0000 0000 0005 ${sid.toString(16).padStart(2, '0')} 2b 0e 01 00`),
  readHolding10: hex('0001 0000 0006 01 03 0000 000a'),
  readCoils10: hex('0002 0000 0006 01 01 0000 000a'),
  writeRegister: hex('0003 0000 0006 01 06 0000 04d2'),
  writeRegisters: hex('0004 0000 000b 01 10 0002 0002 04 0001 0002'),
  readWrite: hex('0005 0000 000f 01 17 0000 0002 0010 0002 04 0007 0008'),
  readOutOfRange: hex('0006 0000 0006 01 03 f000 000a'),
  unknownFunction: hex('0007 0000 0002 01 41'),
};

/** s7-info (nmap), and STOP / PI service from public STEP 7 captures. */
export const S7 = {
  connect: hex('0300 0016 11e0 0000 0014 00c1 0201 00c2 0201 02c0 010a'),
  connectAlternative: hex('0300 0016 11e0 0000 0005 00c1 0201 00c2 0202 00c0 010a'),
  setup: hex('0300 0019 02f0 8032 0100 0000 0000 0800 00f0 0000 0100 0101 e0'),
  szl0011: hex('0300 0021 02f0 8032 0700 0000 0000 0800 0800 0112 0411 4401 00ff 0900 0400 1100 01'),
  szl001c: hex('0300 0021 02f0 8032 0700 0000 0000 0800 0800 0112 0411 4401 00ff 0900 0400 1c00 01'),
  szl0424: hex('0300 0021 02f0 8032 0700 0000 0500 0800 0800 0112 0411 4401 00ff 0900 0404 2400 00'),
  plcStop: hex('0300 0021 02f0 8032 0100 0000 0200 1000 0029 0000 0000 0009 505f 5052 4f47 5241 4d'),
  insertBlock: hex(
    '0300 002b 02f0 8032 0100 000f 0000 1a00 0028 0000 0000 0000 fd00 0a01 0030 4130 3030 3031 5005 5f49 4e53 45',
  ),
  readDb1: hex('0300 001f 02f0 8032 0100 0000 0300 0e00 0004 0112 0a10 0200 0400 0184 0000 00'),
  writeDb1: hex('0300 0024 02f0 8032 0100 0000 0400 0e00 0505 0112 0a10 0200 0100 0184 0000 0000 0400 082a'),
};

/** enip-info (nmap) and a CIP client reading the Identity object. */
export const ENIP = {
  listIdentity: hex('6300 0000 0000 0000 0000 0000 0000 0000 c1de bed1 0000 0000'),
  listServices: hex('0400 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000'),
  registerSession: hex('6500 0400 0000 0000 0000 0000 0102 0304 0506 0708 0000 0000 0100 0000'),
  /** SendRRData with Get_Attributes_All of class 1 instance 1; session bytes 4–7 to be filled in. */
  getAttributesAll: (session: number) =>
    hex(
      `6f00 1600 ${[0, 8, 16, 24].map((s) => ((session >>> s) & 0xff).toString(16).padStart(2, '0')).join('')} 0000 0000 0102 0304 0506 0708 0000 0000` +
        '0000 0000 0a00 0200 0000 0000 b200 0600 0102 2001 2401',
    ),
};

/** bacnet-info (nmap): ReadProperty of the wildcard Device object, one property each; a Who-Is. */
export const BACNET = {
  readProperty: (property: number) =>
    hex(`810a 0011 0104 0005 010c 0c02 3fff ff19 ${property.toString(16).padStart(2, '0')}`),
  whoIs: hex('810b 0008 0100 1008'),
  /** The properties in nmap's order. */
  nmapProperties: [75, 120, 121, 44, 12, 77, 70, 28, 58],
};

/** iec-identify (nmap) and a single command. */
export const IEC104 = {
  testfr: hex('6804 4300 0000'),
  startdt: hex('6804 0700 0000'),
  interrogation: hex('680e 0000 0000 6401 0600 ffff 0000 0014'),
  singleCommand: hex('680e 0200 0200 2d01 0600 ffff e903 0001'),
};

/** A DNP3 master at address 1 talking to outstation `address`. */
export const DNP3 = {
  linkStatus: (address: number) => {
    const header = Uint8Array.of(0x05, 0x64, 0x05, 0xc9, address & 0xff, address >> 8, 0x01, 0x00);
    const crc = dnp3Crc(header, 0, 8);
    return Uint8Array.of(...header, crc & 0xff, crc >> 8);
  },
  classPoll: (address: number) =>
    dnp3Frame(1, address, [0xc0, 0xc1, 0x01, 60, 2, 6, 60, 3, 6, 60, 4, 6, 60, 1, 6]),
  directOperate: (address: number) =>
    dnp3Frame(1, address, [0xc1, 0xc2, 0x05, 12, 1, 0x28, 1, 0, 3, 0, 0x01, 1, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0]),
  coldRestart: (address: number) => dnp3Frame(1, address, [0xc2, 0xc3, 0x0d]),
};

/** Workstation clients. */
export const WORKSTATION = {
  sshIdent: text('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'),
  vncVersion: text('RFB 003.008\n'),
  vncChooseAuth: Uint8Array.of(2),
  vncResponse: new Uint8Array(16).fill(0x41),
  httpGet: text('GET / HTTP/1.1\r\nHost: ews\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n'),
  httpLogin: text(
    'POST /login HTTP/1.1\r\nHost: ews\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 32\r\n\r\nusername=operator&password=s3cr3',
  ),
};
