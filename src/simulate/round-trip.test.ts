// Simulate on the public captures in ../shared/pcaps: every capture (the
// malformed and fuzzed ones included) is judged without a crash; a capture
// simulated under the policy `picket learn` proposes from it blocks nothing
// that policy could have allowed (every would-block packet is explained:
// conntrack-invalid, refused by the node's protocol codecs, reconnaissance
// learn left out, traffic no rule can name, or a flow first seen from its
// server side); hand-written policies show exactly where added traffic (a
// scan, a write from a new source, a write the protocol rule forbids) is
// flagged.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitPolicy } from '../learn/emit.js';
import { createLearner } from '../learn/learner.js';
import { parseAddress } from '../net/address.js';
import { parsePolicy } from '../policy/parse.js';
import { readCaptureFile } from '../sense/capture-file.js';
import { decodeLinkLayer } from '../sense/decode-frame.js';
import { bytes, ethernet, ipv4Packet, tcp } from '../sense/packet-builder.js';
import { OUTCOME, OUTCOME_NAMES } from './outcome.js';
import { simulationReport } from './report.js';
import { createSimulation, type Simulation, simulateFrame } from './simulator.js';
import { matchTuple } from './tuple-sets.js';

const PCAPS = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');

interface Frame {
  readonly linktype: number;
  readonly timeMs: number;
  readonly data: Uint8Array;
}

function frames(file: string): Frame[] {
  const out: Frame[] = [];
  readCaptureFile(file, (f) => out.push({ linktype: f.linktype, timeMs: f.timeMs, data: f.data }));
  return out;
}

function describeFrame(linktype: number, b: Uint8Array, at: number, end: number, timeMs: number): string {
  const d = decodeLinkLayer(linktype, b.subarray(at, end), { timeMs, origin: 'capture' });
  return d.ok ? d.event.summary : d.malformed;
}

function simulate(policyText: string, input: readonly Frame[]): { sim: Simulation; outcomes: string[] } {
  const { policy, diagnostics } = parsePolicy(policyText, 'policy.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const sim = createSimulation(policy!, input[0]?.timeMs ?? 0, { describe: describeFrame });
  const outcomes = input.map(
    (f) => OUTCOME_NAMES[simulateFrame(sim, f.linktype, f.data, 0, f.data.length, f.timeMs)]!,
  );
  return { sim, outcomes };
}

function blockedSources(sim: Simulation): string[] {
  return simulationReport(sim)
    .sources.filter((s) => s.dropped > 0)
    .map((s) => s.address)
    .sort();
}

/** A TCP frame with sequence and acknowledgement numbers. */
function segment(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: number,
  seq: number,
  ack: number,
  payload?: Uint8Array,
) {
  const t = tcp({ sport, dport, flags }, payload as Uint8Array<ArrayBuffer> | undefined);
  const view = new DataView(t.buffer, t.byteOffset);
  view.setUint32(4, seq);
  view.setUint32(8, ack);
  return ethernet({ dst: '02:00:00:00:00:02', type: 0x0800 }, ipv4Packet({ src, dst, protocol: 6 }, t));
}

/** A Modbus session from `client`: handshake, then one request with function `fc`. */
function modbusSession(client: string, server: string, port: number, fc: number): Uint8Array[] {
  const pdu = fc === 6 ? [6, 0, 8, 3, 9] : [fc, 0, 0, 0, 2];
  const adu = bytes([0, 9, 0, 0, 0, pdu.length + 1, 1], pdu);
  return [
    segment(client, server, port, 502, 0x02, 100, 0),
    segment(server, client, 502, port, 0x12, 700, 101),
    segment(client, server, port, 502, 0x10, 101, 701),
    segment(client, server, port, 502, 0x18, 101, 701, adu),
  ];
}

/** The capture followed by `extra` frames, 10 ms apart after its last packet. */
function withExtra(capture: readonly Frame[], extra: readonly Uint8Array[]): Frame[] {
  const last = capture.at(-1)?.timeMs ?? 0;
  return [...capture, ...extra.map((data, i) => ({ linktype: 1, timeMs: last + 10 * (i + 1), data }))];
}

const MODBUS_POLICY = (protocol: string) => `version: 1
site: round-trip
zones:
  lan: { networks: [192.168.110.0/24] }
assets:
  hmi: { ip: 192.168.110.131, zone: lan }
  plc: { ip: 192.168.110.138, zone: lan }
services:
  modbus: { tcp: [502]${protocol === '' ? '' : ', protocol: modbus'} }
rules:
  - name: hmi-polls-plc
    from: hmi
    to: plc
    services: [modbus]
${protocol}enforcement:
  out-of-profile: quarantine
`;

const S7_POLICY = `version: 1
site: round-trip-s7
zones:
  lan: { networks: [192.168.0.0/24] }
assets:
  hmi: { ip: 192.168.0.21, zone: lan }
  plc: { ip: 192.168.0.2, zone: lan }
services:
  s7: { tcp: [102], protocol: s7comm }
rules:
  - name: hmi-reads-plc
    from: hmi
    to: plc
    services: [s7]
    s7: {}
enforcement:
  out-of-profile: quarantine
`;

describe('round trip on public captures', () => {
  const modbus = frames(join(PCAPS, 'modbus', 'ekin_Modbus.pcap'));

  it('a Modbus polling capture under the policy written from it: nothing blocked', () => {
    const { sim } = simulate(MODBUS_POLICY(''), modbus);
    const r = simulationReport(sim);
    expect(r.wouldBlockAnything).toBe(false);
    expect(r.totals.allowed).toBe(modbus.length);
  });

  it('the same capture with a scan and a write from new sources: exactly those sources are flagged', () => {
    const scan = Array.from({ length: 50 }, (_, i) =>
      segment('192.168.110.200', '192.168.110.138', 61000, 1 + i, 0x02, 5, 0),
    );
    const write = modbusSession('192.168.110.201', '192.168.110.138', 40100, 6);
    const { sim, outcomes } = simulate(MODBUS_POLICY(''), withExtra(modbus, [...scan, ...write]));
    const r0 = simulationReport(sim);
    const quarantined = r0.sources.filter((s) => s.quarantinedAt !== undefined).map((s) => s.address);
    expect(quarantined.sort()).toEqual(['192.168.110.200', '192.168.110.201']);
    // The PLC loses only its answer to the quarantined writer; the HMI loses nothing.
    expect(blockedSources(sim)).toEqual(['192.168.110.138', '192.168.110.200', '192.168.110.201']);
    expect(r0.sources.find((s) => s.address === '192.168.110.138')).toMatchObject({ dropped: 1 });
    expect(r0.sources.find((s) => s.address === '192.168.110.138')?.firstDropped?.why).toBe(
      'from or to a quarantined address',
    );
    expect(outcomes.slice(0, modbus.length).every((o) => o === 'allowed' || o === 'established')).toBe(true);
    const r = simulationReport(sim);
    expect(r.sources.find((s) => s.address === '192.168.110.200')?.quarantinedAt?.frame).toBe(
      modbus.length + 1,
    );
    expect(r.totals.quarantinedSources).toBe(2);
  });

  it('under a read-only protocol rule, a write by the polling HMI itself is dropped — and only that', () => {
    const rule = '    modbus: { functions: [read-holding-registers] }\n';
    const clean = simulate(MODBUS_POLICY(rule), modbus);
    expect(simulationReport(clean.sim).wouldBlockAnything).toBe(false);
    const write = modbusSession('192.168.110.131', '192.168.110.138', 40200, 6);
    const { sim, outcomes } = simulate(MODBUS_POLICY(rule), withExtra(modbus, write));
    expect(outcomes.filter((o) => o === 'protocol-dropped')).toHaveLength(1);
    expect(outcomes.at(-1)).toBe('protocol-dropped');
    expect(simulationReport(sim).findings[0]?.what).toMatch(/Modbus write to holding register/);
  });

  it('an S7 capture under its policy (default S7 allow list): nothing blocked; a PLC stop from the HMI is dropped', () => {
    const s7 = frames(join(PCAPS, 's7comm', 'iti_s7comm_clean.pcap'));
    const { sim } = simulate(S7_POLICY, s7);
    expect(simulationReport(sim).wouldBlockAnything).toBe(false);
    const stop = frames(join(PCAPS, 's7comm', 'snap7_s300_stop.pcapng'));
    const stopPolicy = S7_POLICY.replace('192.168.0.0/24', '134.249.0.0/16')
      .replace('192.168.0.21', '134.249.62.206')
      .replace('192.168.0.2,', '134.249.61.163,');
    const stopped = simulate(stopPolicy, stop);
    // The stop capture has no handshake: the request is picked up mid-stream and judged.
    expect(stopped.outcomes).toContain('protocol-dropped');
  });
});

describe('every shared capture', () => {
  const files = readdirSync(PCAPS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(PCAPS, d.name)).map((f) => join(PCAPS, d.name, f)))
    .filter((f) => /\.pcap(ng)?$/.test(f));

  it('has the captures', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('is simulated without a crash, every frame judged, under a policy that allows nothing and one with protocol rules', () => {
    const none = `version: 1
site: nothing
zones:
  any: { networks: [0.0.0.0/0] }
assets:
  a: { ip: 10.0.0.1, zone: any }
rules: []
enforcement:
  out-of-profile: quarantine
`;
    const protocols = `version: 1
site: protocols
zones:
  any: { networks: [0.0.0.0/0] }
assets:
  a: { ip: 10.0.0.1, zone: any }
services:
  modbus: { tcp: [502], protocol: modbus }
  s7: { tcp: [102], protocol: s7comm }
  dnp3: { tcp: [20000], protocol: dnp3 }
rules:
  - { name: m, from: any, to: any, services: [modbus], modbus: { functions: [read-coils, read-holding-registers] } }
  - { name: s, from: any, to: any, services: [s7], s7: {} }
  - { name: d, from: any, to: any, services: [dnp3], dnp3: {} }
enforcement:
  mode: monitor
`;
    for (const file of files) {
      const input = frames(file);
      for (const policy of [none, protocols]) {
        const { sim, outcomes } = simulate(policy, input);
        expect(outcomes, file).toHaveLength(input.length);
        expect(simulationReport(sim).totals.frames, file).toBe(input.length);
      }
    }
  }, 120_000);
});

/** Why a packet the learned policy would block could not have been allowed by any policy learn proposes, or undefined. */
function explained(
  sim: Simulation,
  why: string,
  frame: Frame,
  recon: ReadonlySet<string>,
): string | undefined {
  if (why.includes('invalid state')) return 'conntrack invalid';
  if (why.includes('malformed') || why.includes('retransmission that differs'))
    return 'refused by the protocol codec';
  const d = decodeLinkLayer(frame.linktype, frame.data, { timeMs: 0, origin: 'capture' });
  if (!d.ok || d.event.srcIp === undefined || d.event.dstIp === undefined) return 'not IP';
  const e = d.event;
  if (recon.has(e.srcIp!)) return 'reconnaissance left out';
  if (e.l4 !== 'tcp' && e.l4 !== 'udp') return 'not TCP or UDP';
  if (e.srcIp === e.dstIp) return 'host to itself';
  if (e.srcPort === 0 || e.dstPort === 0) return 'port 0';
  if (/^(0\.0\.0\.0|::|22[4-9]\..*|23\d\..*|ff.*)$/.test(e.srcIp!) || /\.255$/.test(e.srcIp!)) {
    return 'unspecified, multicast or broadcast source';
  }
  if (/^(22[4-9]|23\d|255)\.|\.255$|^ff/.test(e.dstIp!)) return 'broadcast or multicast destination';
  // A flow first seen from its server side: conntrack makes the server the originator.
  const family = e.family === 4 ? 4 : 6;
  const value = (ip: string) => (family === 4 ? Number(parseAddressValue(ip)) : parseAddressValue(ip));
  const reversed = matchTuple(
    sim.sets.always,
    family,
    value(e.dstIp!),
    value(e.srcIp!),
    e.protocol ?? 0,
    e.srcPort ?? 0,
  );
  if (reversed !== undefined) return 'flow picked up from its server side';
  return undefined;
}

function parseAddressValue(ip: string): bigint {
  return parseAddress(ip)?.value ?? 0n;
}

describe('learn, then simulate, every shared capture', () => {
  it('blocks nothing the learned policy could have allowed', () => {
    const files = readdirSync(PCAPS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(PCAPS, d.name)).map((f) => join(PCAPS, d.name, f)));
    const unexplained: string[] = [];
    const reasons = new Map<string, number>();
    let clean = 0;
    for (const file of files) {
      const input = frames(file);
      const learner = createLearner();
      for (const f of input) learner.observe(f.timeMs, f.linktype, f.data);
      const proposal = learner.propose({});
      const { policy, diagnostics } = parsePolicy(emitPolicy(proposal), 'learned.yaml');
      expect(
        diagnostics.filter((x) => x.severity === 'error'),
        file,
      ).toEqual([]);
      const sim = createSimulation(policy!, input[0]?.timeMs ?? 0, { describe: describeFrame });
      const recon = new Set(proposal.recon.map((r) => r.source));
      let blocked = 0;
      for (const f of input) {
        const outcome = simulateFrame(sim, f.linktype, f.data, 0, f.data.length, f.timeMs);
        if (outcome !== OUTCOME.wouldBlock && outcome < OUTCOME.quarantined) continue;
        blocked++;
        const reason = explained(sim, sim.why, f, recon);
        if (reason === undefined)
          unexplained.push(
            `${file} #${sim.frame}: ${describeFrame(f.linktype, f.data, 0, f.data.length, 0)} (${sim.why})`,
          );
        else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      if (blocked === 0) clean++;
    }
    expect(unexplained).toEqual([]);
    // Most captures round-trip with nothing blocked at all.
    expect(clean).toBeGreaterThan(files.length / 3);
  }, 120_000);
});
