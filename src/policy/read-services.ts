// Services section → Service[]: TCP/UDP ports and inclusive port ranges, and
// the protocol that speaks there. Pure.

import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { PortRange, Service, Transport } from './types.js';
import { entryOf, type LocatedValue, seqAt, stringAt, uniqueEntries } from './yaml-source.js';

/** Application protocols Picket knows by name; others are allowed with a warning. */
export const KNOWN_PROTOCOLS: readonly string[] = [
  'modbus',
  's7comm',
  'dnp3',
  'enip',
  'bacnet',
  'iec104',
  'iec61850-mms',
  'opcua',
  'fins',
  'melsec',
  'profinet-cm',
  'mqtt',
  'http',
  'https',
  'ssh',
  'snmp',
  'ntp',
  'dns',
  'syslog',
  'rdp',
  'vnc',
];

const validPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

function readPort(
  service: string,
  transport: Transport,
  item: LocatedValue,
  report: Report,
): PortRange | undefined {
  if (item.kind !== 'scalar') return undefined;
  const where = `service "${service}": ${transport} port`;
  if (typeof item.value === 'number') {
    if (validPort(item.value)) return { transport, from: item.value, to: item.value };
    report.error('invalid-port', item.loc, `${where} ${item.value} is out of range`, 'ports are 1-65535');
    return undefined;
  }
  if (typeof item.value !== 'string') return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.value.trim());
  if (!m) {
    report.error(
      'invalid-port',
      item.loc,
      `${where} "${item.value}" is not a port or range`,
      'write 502 or "20000-20100"',
    );
    return undefined;
  }
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (!validPort(from) || !validPort(to)) {
    report.error('invalid-port', item.loc, `${where} "${item.value}" is out of range`, 'ports are 1-65535');
    return undefined;
  }
  if (to < from) {
    report.error(
      'invalid-port-range',
      item.loc,
      `${where} range "${item.value}" ends before it starts`,
      `did you mean "${to}-${from}"?`,
    );
    return undefined;
  }
  return { transport, from, to };
}

/** Reads every service and its ports. */
export function readServices(section: LocatedValue | undefined, report: Report): Service[] {
  const services: Service[] = [];
  for (const { key: name, keyLoc, value } of uniqueEntries(section)) {
    const ports: PortRange[] = [];
    for (const transport of ['tcp', 'udp'] as const) {
      for (const item of seqAt(value, transport)?.items ?? []) {
        const range = readPort(name, transport, item, report);
        if (!range) continue;
        const clash = ports.find(
          (p) => p.transport === transport && p.from <= range.to && range.from <= p.to,
        );
        if (clash) {
          report.warn(
            'duplicate-port',
            item.loc,
            `service "${name}": ${transport} ${range.from === range.to ? range.from : `${range.from}-${range.to}`} is already covered`,
          );
          continue;
        }
        ports.push(range);
      }
    }
    const protocol = stringAt(value, 'protocol');
    if (protocol !== undefined && !KNOWN_PROTOCOLS.includes(protocol)) {
      const loc = entryOf(value, 'protocol')?.value.loc ?? keyLoc;
      report.warn(
        'unknown-protocol',
        loc,
        `service "${name}": protocol "${protocol}" is not one Picket knows`,
        didYouMean(protocol, KNOWN_PROTOCOLS) ?? `known: ${KNOWN_PROTOCOLS.join(', ')}`,
      );
    }
    services.push({ name, ports, ...(protocol === undefined ? {} : { protocol }), loc: keyLoc });
  }
  return services;
}
