// Roles from behaviour: a host that serves (answers) an industrial protocol is a
// controller (`rtu` for DNP3 and IEC 60870-5-104 outstations, `plc` for
// Modbus, S7comm, EtherNet/IP and BACnet); a client that writes or programs
// controllers (Modbus writes, S7 download, PI service, stop) is `engineering`;
// one that polls several controllers is `scada`, one or two `hmi`; anything
// else `unknown`. Each role says why, and whether it rests on ports alone.
// (services with their protocols) → role per host. Pure.

import { MODBUS_WRITE_FUNCTIONS } from '../policy/protocol-names.js';
import type { LearnedService } from './state.js';

export interface RoleGuess {
  readonly role: string;
  readonly why: string;
  /** The role rests on port numbers, not on what the payloads said. */
  readonly fromPortOnly: boolean;
}

/** A service with the protocol settled for it. */
export interface TaggedService {
  readonly service: LearnedService;
  /** Policy protocol tag (`modbus`, `s7comm`, …), if any. */
  readonly protocol: string | undefined;
  /** The tag came from the payloads, not the port. */
  readonly byContent: boolean;
}

const CONTROLLER_PROTOCOLS: Readonly<Record<string, string>> = {
  modbus: 'plc',
  s7comm: 'plc',
  enip: 'plc',
  bacnet: 'plc',
  dnp3: 'rtu',
  iec104: 'rtu',
};

/** S7 operations that change a controller's program or state. */
const S7_ENGINEERING = new Set(['download', 'upload', 'pi-service', 'plc-start', 'plc-stop', 'delete-block']);
/** DNP3 functions beyond operating points: restarts, application control, configuration, files. */
const DNP3_ENGINEERING = new Set([13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29, 30, 31]);
/** Controllers a client must poll to be called a SCADA server rather than an HMI. */
const SCADA_CONTROLLERS = 3;

function programs(t: TaggedService): string | undefined {
  const l = t.service.learning;
  if (l?.kind === 'modbus') {
    const writes = [...l.functions].filter((fc) => MODBUS_WRITE_FUNCTIONS.has(fc));
    return writes.length > 0 ? `Modbus writes (FC ${writes.sort((a, b) => a - b).join(', ')})` : undefined;
  }
  if (l?.kind === 's7') {
    const ops = [...l.functions].filter((f) => S7_ENGINEERING.has(f));
    return ops.length > 0 ? `S7 ${ops.sort().join(', ')}` : undefined;
  }
  if (l?.kind === 'dnp3') {
    const ops = [...l.functions].filter((f) => DNP3_ENGINEERING.has(f));
    return ops.length > 0 ? `DNP3 function ${ops.sort((a, b) => a - b).join(', ')}` : undefined;
  }
  return undefined;
}

/** Guesses a role for every host index that appears in `services`. */
export function inferRoles(services: readonly TaggedService[]): Map<number, RoleGuess> {
  const served = new Map<number, TaggedService[]>();
  const used = new Map<number, TaggedService[]>();
  for (const t of services) {
    if (t.protocol === undefined || CONTROLLER_PROTOCOLS[t.protocol] === undefined) continue;
    // Only a server that answered serves: a controller calling a laptop's port 102 in vain makes no PLC of it.
    if (t.service.synAcks > 0 || t.service.payloadReplies > 0) {
      const s = served.get(t.service.server) ?? [];
      s.push(t);
      served.set(t.service.server, s);
    }
    const u = used.get(t.service.client) ?? [];
    u.push(t);
    used.set(t.service.client, u);
  }
  const roles = new Map<number, RoleGuess>();
  for (const [host, list] of served) {
    const protocols = [...new Set(list.map((t) => t.protocol ?? ''))].sort();
    const role = protocols.some((p) => CONTROLLER_PROTOCOLS[p] === 'rtu') ? 'rtu' : 'plc';
    const fromPortOnly = !list.some((t) => t.byContent);
    roles.set(host, { role, why: `serves ${protocols.join(', ')}`, fromPortOnly });
  }
  for (const [host, list] of used) {
    if (roles.has(host)) continue;
    const fromPortOnly = !list.some((t) => t.byContent);
    const program = list.map(programs).find((p) => p !== undefined);
    if (program !== undefined) {
      roles.set(host, { role: 'engineering', why: `sends ${program} to controllers`, fromPortOnly });
      continue;
    }
    const controllers = new Set(list.map((t) => t.service.server)).size;
    const protocols = [...new Set(list.map((t) => t.protocol ?? ''))].sort().join(', ');
    roles.set(host, {
      role: controllers >= SCADA_CONTROLLERS ? 'scada' : 'hmi',
      why: `polls ${controllers} controller${controllers === 1 ? '' : 's'} over ${protocols}`,
      fromPortOnly,
    });
  }
  return roles;
}
