// Which protocol a payload is, by its bytes rather than its port: a Modbus
// MBAP header on 5020 is Modbus, an HTTP request on 502 is not. Each test is
// the fixed part of the protocol's header (constants, and a length field that
// agrees with the bytes), cheap enough to run on the first payloads of every
// service. And the protocol a port is registered for, used only when no
// payload said otherwise. (payload, transport) → protocol. Pure.

import type { ContentProtocol } from './state.js';

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** EtherNet/IP encapsulation commands (CIP Vol. 2 §2-3.2). */
const ENIP_COMMANDS = new Set([0x0001, 0x0004, 0x0063, 0x0064, 0x0065, 0x0066, 0x006f, 0x0070]);

function startsWith(b: Uint8Array, from: number, to: number, text: string): boolean {
  if (to - from < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

const HTTP_STARTS = ['GET ', 'POST ', 'PUT ', 'HEAD ', 'DELETE ', 'OPTIONS ', 'HTTP/'];

/** The protocol of a TCP payload in `b[from, to)`, or 'other'. */
export function tcpContentProtocol(b: Uint8Array, from: number, to: number): ContentProtocol {
  const n = to - from;
  if (n >= 8 && b[from + 2] === 0 && b[from + 3] === 0) {
    // Modbus MBAP: protocol id 0, a length that covers unit and function, a request function.
    const length = u16(b, from + 4);
    const fc = b[from + 7]! & 0x7f;
    if (length >= 2 && length <= 254 && length + 6 <= n && fc !== 0) return 'modbus';
  }
  if (n >= 7 && b[from] === 3 && b[from + 1] === 0) {
    // TPKT (RFC 1006) with a COTP TPDU: S7comm when the data carries protocol id 0x32 or 0x72.
    const length = u16(b, from + 2);
    const cotp = b[from + 5]! & 0xf0;
    if (length >= 7 && length <= n && (cotp === 0xf0 || cotp === 0xe0 || cotp === 0xd0 || cotp === 0x80)) {
      if (cotp !== 0xf0) return 's7comm';
      const id = b[from + 7];
      if (id === 0x32 || id === 0x72) return 's7comm';
    }
  }
  if (n >= 10 && b[from] === 0x05 && b[from + 1] === 0x64 && b[from + 2]! >= 5) return 'dnp3';
  if (n >= 24 && ENIP_COMMANDS.has(u16le(b, from)) && u16le(b, from + 2) + 24 <= n) return 'enip';
  if (n >= 6 && b[from] === 0x68 && b[from + 1]! >= 4 && b[from + 1]! + 2 <= n) return 'iec104';
  if (n >= 3 && b[from] === 0x16 && b[from + 1] === 0x03 && b[from + 2]! <= 0x04) return 'tls';
  if (startsWith(b, from, to, 'SSH-')) return 'ssh';
  for (const s of HTTP_STARTS) if (startsWith(b, from, to, s)) return 'http';
  return 'other';
}

/** The protocol of a UDP payload in `b[from, to)`, or 'other'. */
export function udpContentProtocol(b: Uint8Array, from: number, to: number): ContentProtocol {
  const n = to - from;
  // BACnet/IP BVLC (ASHRAE 135 Annex J): type 0x81, a function, the length of the whole datagram.
  if (n >= 4 && b[from] === 0x81 && b[from + 1]! <= 0x0c && u16(b, from + 2) === n) return 'bacnet';
  if (n >= 24 && ENIP_COMMANDS.has(u16le(b, from)) && u16le(b, from + 2) + 24 <= n) return 'enip';
  if (n >= 10 && b[from] === 0x05 && b[from + 1] === 0x64) return 'dnp3';
  return 'other';
}

/** A well-known port: the name a service gets and the protocol tag it carries. */
export interface PortName {
  readonly name: string;
  readonly protocol?: string;
}

const TCP_PORTS: ReadonlyMap<number, PortName> = new Map([
  [502, { name: 'modbus', protocol: 'modbus' }],
  [102, { name: 's7', protocol: 's7comm' }],
  [20000, { name: 'dnp3', protocol: 'dnp3' }],
  [44818, { name: 'enip', protocol: 'enip' }],
  [2404, { name: 'iec104', protocol: 'iec104' }],
  [4840, { name: 'opcua', protocol: 'opcua' }],
  [9600, { name: 'fins', protocol: 'fins' }],
  [80, { name: 'http', protocol: 'http' }],
  [443, { name: 'https', protocol: 'https' }],
  [22, { name: 'ssh', protocol: 'ssh' }],
  [3389, { name: 'rdp', protocol: 'rdp' }],
  [5900, { name: 'vnc', protocol: 'vnc' }],
  [1883, { name: 'mqtt', protocol: 'mqtt' }],
  [53, { name: 'dns', protocol: 'dns' }],
  [139, { name: 'netbios-ssn' }],
  [445, { name: 'smb' }],
  [135, { name: 'msrpc' }],
  [1433, { name: 'mssql' }],
]);

const UDP_PORTS: ReadonlyMap<number, PortName> = new Map([
  [47808, { name: 'bacnet', protocol: 'bacnet' }],
  [2222, { name: 'enip-io', protocol: 'enip' }],
  [44818, { name: 'enip-udp', protocol: 'enip' }],
  [20000, { name: 'dnp3-udp', protocol: 'dnp3' }],
  [161, { name: 'snmp', protocol: 'snmp' }],
  [162, { name: 'snmp-trap', protocol: 'snmp' }],
  [123, { name: 'ntp', protocol: 'ntp' }],
  [53, { name: 'dns', protocol: 'dns' }],
  [514, { name: 'syslog', protocol: 'syslog' }],
  [67, { name: 'dhcp' }],
  [68, { name: 'dhcp-client' }],
  [137, { name: 'netbios-ns' }],
  [138, { name: 'netbios-dgm' }],
  [1900, { name: 'ssdp' }],
  [5353, { name: 'mdns' }],
  [5355, { name: 'llmnr' }],
  [546, { name: 'dhcpv6-client' }],
  [547, { name: 'dhcpv6' }],
]);

/** The registered name of a port, if it is one the learner knows. */
export function portName(udp: boolean, port: number): PortName | undefined {
  return (udp ? UDP_PORTS : TCP_PORTS).get(port);
}

/** The protocol tag (policy `protocol:`) that content identification gives. */
export const CONTENT_TAG: Readonly<Record<ContentProtocol, string | undefined>> = {
  modbus: 'modbus',
  s7comm: 's7comm',
  dnp3: 'dnp3',
  enip: 'enip',
  iec104: 'iec104',
  bacnet: 'bacnet',
  http: 'http',
  tls: 'https',
  ssh: 'ssh',
  other: undefined,
};
