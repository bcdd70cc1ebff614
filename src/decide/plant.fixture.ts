// A small plant for the decide tests: the Riverside cell (two never-list PLCs,
// an HMI, a historian), its DecideContext, and a packet builder.
// Text → Policy, fields → PacketEvent. Pure.

import { parsePolicy } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';
import type { PacketEvent } from '../sense/packet-event.js';
import { createDecideContext, type DecideContext, type DecideOptions } from './context.js';

const PLANT = `version: 1
site: riverside
zones:
  cell-a: { networks: [10.20.1.0/24] }
  scada: { networks: [10.20.0.0/24] }
assets:
  plc-a1: { ip: 10.20.1.10, mac: "00:80:f4:12:34:56", zone: cell-a, role: plc, critical: true }
  plc-a2: { ip: 10.20.1.11, mac: "00:80:f4:12:34:57", zone: cell-a, role: plc }
  hmi-a: { ip: 10.20.0.50, mac: "00:0c:29:00:00:50", zone: scada, role: hmi }
  hist-1: { ip: 10.20.0.5, zone: scada, role: historian }
services:
  modbus: { tcp: [502], protocol: modbus }
rules:
  - name: hmi-reads-plcs
    from: hmi-a
    to: plc-a1
    services: [modbus]
enforcement:
  mode: MODE
  unrecognized: block
  out-of-profile: ACTION
  quarantine: { duration: 1h, never: [plc-a1] }
`;

/** The plant's policy in a mode and with an out-of-profile action. */
export function plantPolicy(mode = 'enforce', action = 'quarantine'): Policy {
  const result = parsePolicy(PLANT.replace('MODE', mode).replace('ACTION', action), 'policy.yaml');
  if (!result.policy) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
  return result.policy;
}

/** The plant's DecideContext (node `node-1`). */
export function plantContext(
  mode = 'enforce',
  action = 'quarantine',
  options: Partial<DecideOptions> = {},
): DecideContext {
  return createDecideContext(plantPolicy(mode, action), { node: 'node-1', ...options });
}

/** A TCP SYN from `srcIp` to `dstIp:dstPort`, with overrides. */
export function packet(
  srcIp: string,
  dstIp: string,
  dstPort: number,
  fields: Partial<PacketEvent> = {},
): PacketEvent {
  return {
    timeMs: 0,
    origin: 'block',
    family: 4,
    srcIp,
    dstIp,
    l4: 'tcp',
    protocol: 6,
    srcPort: 40_000,
    dstPort,
    tcpFlags: 'S',
    length: 44,
    summary: `${srcIp}:40000 → ${dstIp}:${dstPort} tcp S len 44`,
    ...fields,
  };
}

/** An ARP request from `senderMac`/`senderIp` for `targetIp`. */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): PacketEvent {
  return {
    timeMs: 0,
    origin: 'capture',
    srcMac: senderMac,
    dstMac: 'ff:ff:ff:ff:ff:ff',
    etherType: 0x0806,
    arp: { op: 1, senderIp, senderMac, targetIp },
    length: 42,
    summary: `arp who-has ${targetIp} tell ${senderIp} (${senderMac})`,
  };
}
