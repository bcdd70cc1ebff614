// Reconnaissance in the learned traffic, so that learning never blesses an
// attack it happened to record: port scans and host sweeps (the node's scan
// thresholds: distinct ports or hosts within a window, confirmed by most of
// the attempts failing — a SCADA server that polls 30 PLCs also fans out, but
// its connections succeed), ping sweeps, storms of failed connections, ARP
// sweeps (the node's arp-scan thresholds) and nmap-like Modbus unit-id probes.
// (state, thresholds) → findings and the hosts to leave out. Pure.

import type { Thresholds } from '../decide/context.js';
import { ipv4FromNumber, macFromNumber } from '../sense/decode-fast.js';
import type { LearnedService, LearnState } from './state.js';

export type ReconKind =
  | 'port-scan'
  | 'host-sweep'
  | 'ping-sweep'
  | 'failed-connections'
  | 'arp-sweep'
  | 'unit-id-probe';

/** One source that behaved like reconnaissance, and what it did. */
export interface ReconFinding {
  readonly kind: ReconKind;
  /** The source address (or MAC, for an ARP sweep whose sender address is not its own). */
  readonly source: string;
  readonly detail: string;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** What reconnaissance was found, and which hosts (indexes) are left out of the proposal. */
export interface ReconResult {
  readonly findings: readonly ReconFinding[];
  readonly excluded: ReadonlySet<number>;
}

/** A connection attempt that got nothing back: no SYN-ACK and no payload, or a reset. */
export function failed(s: LearnedService): boolean {
  if (s.payloadRequests > 0 && s.payloadReplies > 0) return false;
  if (s.udp) return s.replies === 0;
  return s.synAcks === 0 || (s.resets > 0 && s.payloadRequests === 0);
}

/** Modbus device-identification probes (report server id, read device id, diagnostics). */
const PROBE_FUNCTIONS = new Set([8, 17, 43]);
const MIN_PROBED_UNITS = 10;

/** Finds reconnaissance sources in the learned state. */
export function findRecon(state: LearnState, t: Thresholds): ReconResult {
  const byClient = new Map<number, LearnedService[]>();
  for (const s of state.services.values()) {
    const list = byClient.get(s.client);
    if (list === undefined) byClient.set(s.client, [s]);
    else list.push(s);
  }
  const findings: ReconFinding[] = [];
  const excluded = new Set<number>();
  const seconds = Math.round(t.scanWindowMs / 1000);
  const add = (host: number, kind: ReconKind, detail: string, firstMs: number, lastMs: number) => {
    excluded.add(host);
    findings.push({ kind, source: state.hosts[host]?.ip ?? '?', detail, firstMs, lastMs });
  };

  for (const [host, fan] of state.fanOut) {
    const services = byClient.get(host) ?? [];
    const failures = services.filter(failed).length;
    const hosts = new Set(services.map((s) => s.server)).size;
    const mostlyFailed = services.length === 0 || failures * 2 >= services.length;
    if (fan.peakPorts >= t.scanPorts && mostlyFailed) {
      add(
        host,
        'port-scan',
        `${services.length} ports on ${hosts} hosts, ${failures} unanswered or refused; ≥ ${t.scanPorts} distinct ports within ${seconds} s`,
        fan.firstMs,
        fan.lastMs,
      );
    } else if (fan.peakHosts >= t.scanHosts && mostlyFailed) {
      const kind = services.length === 0 ? 'ping-sweep' : 'host-sweep';
      add(
        host,
        kind,
        `reached ≥ ${t.scanHosts} distinct hosts within ${seconds} s, ${failures} of ${services.length} connections unanswered or refused`,
        fan.firstMs,
        fan.lastMs,
      );
    } else if (failures >= t.scanPorts && failures * 2 >= services.length) {
      add(
        host,
        'failed-connections',
        `${failures} of ${services.length} connection attempts unanswered or refused`,
        fan.firstMs,
        fan.lastMs,
      );
    }
  }

  for (const [client, services] of byClient) {
    if (excluded.has(client)) continue;
    for (const s of services) {
      const l = s.learning;
      if (l?.kind !== 'modbus' || l.units.size < MIN_PROBED_UNITS) continue;
      if (![...l.functions].every((fc) => PROBE_FUNCTIONS.has(fc))) continue;
      add(
        client,
        'unit-id-probe',
        `asked ${l.units.size} Modbus unit ids of ${state.hosts[s.server]?.ip} for identification only (FC ${[...l.functions].sort((a, b) => a - b).join(', ')})`,
        s.firstMs,
        s.lastMs,
      );
      break;
    }
  }

  for (const [mac, fan] of state.arpFanOut) {
    if (fan.peakTargets < t.arpTargets) continue;
    const ownIp = fan.senderIp !== 0 && state.arpClaims.get(fan.senderIp) === mac;
    const host = ownIp ? state.hostsV4.get(fan.senderIp) : undefined;
    const source = ownIp ? ipv4FromNumber(fan.senderIp) : macFromNumber(mac);
    const detail = `ARP requests for ≥ ${t.arpTargets} distinct addresses within ${Math.round(t.arpWindowMs / 1000)} s from ${macFromNumber(mac)}`;
    if (host !== undefined) excluded.add(host);
    findings.push({ kind: 'arp-sweep', source, detail, firstMs: fan.firstMs, lastMs: fan.lastMs });
  }
  return { findings, excluded };
}
