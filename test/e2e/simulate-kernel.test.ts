// End-to-end: simulation equals enforcement. Captures are replayed through the
// node's bridge with tcpreplay under the ruleset `picket apply` loaded (and,
// for protocol rules, the NFQUEUE judge of node-queue), what came out on the
// far side is captured, and the kernel's per-flow verdicts (packets delivered
// per directional 5-tuple) and quarantine set are compared with what
// `picket simulate`'s evaluator says of the very same file.
//
//   wire ns: eth0 ──[sw-upstream]──up0─[ node: br0 + picket apply (+ node-queue) ]─cell0──[sw-cell]── eth1 :wire ns
//            one tcpreplay (cell-side frames by eth1, the rest by eth0), tcpdump -Q in on both
//
// Scenarios: a public Modbus polling capture, a synthetic scan with a
// never-list asset and port reuse, a public capture with out-of-profile
// sources, a read-only Modbus protocol rule, a time window that closes during
// the replay (the replay runs at wall-clock time, so the kernel's clock and the
// file's timestamps agree), the bridge table (EtherTypes, VLAN tags), and
// monitor mode.
//
// The captures' frames keep their IP addresses (the bridge forwards any frame)
// but get one MAC per side so the bridges learn the sides, timestamps 4 ms
// apart (the replay's pace, so conntrack timeouts see the same gaps), and
// recomputed checksums (the kernel checks them; simulate
// judges packets as they were on the wire). Needs root; the lab is always torn
// down.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../../src/lab/lab.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { accepted } from '../../src/simulate/outcome.js';
import { simulationReport } from '../../src/simulate/report.js';
import { createSimulation, simulateFrame } from '../../src/simulate/simulator.js';
import { type BridgeReplay, bridgeReplay, flowKey, readFrames } from './bridge-replay.js';
import { eventually, picket, requireBuild, root } from './plant.js';
import { l2Capture, scanCapture, windowCapture } from './simulate-captures.js';

const labName = `e2e-simk-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-simk-'));
const env = { PICKET_STATE_DIR: join(work, 'state') };
const PCAPS = join(root, '..', 'shared', 'pcaps');
let lab: Lab;
let enforcer: LabProcess | undefined;
let replay: BridgeReplay;

/** Scenarios A and B: plain rules, quarantine. */
const POLICY_PLAIN = `version: 1
site: e2e-simulate
zones:
  a-up: { networks: [192.168.110.131/32] }
  a-cell: { networks: [192.168.110.138/32] }
  b-net: { networks: [10.0.0.0/24] }
  s-net: { networks: [10.20.9.0/24] }
assets:
  a-hmi: { ip: 192.168.110.131, zone: a-up }
  a-plc: { ip: 192.168.110.138, zone: a-cell }
  b-hmi: { ip: 10.0.0.57, zone: b-net }
  b-plc: { ip: 10.0.0.3, zone: b-net }
  s-hmi: { ip: 10.20.9.50, zone: s-net }
  s-plc: { ip: 10.20.9.10, zone: s-net }
  s-safety: { ip: 10.20.9.20, zone: s-net }
services:
  modbus: { tcp: [502] }
rules:
  - { name: a-polls, from: a-hmi, to: a-plc, services: [modbus] }
  - { name: b-polls, from: b-hmi, to: b-plc, services: [modbus] }
  - { name: s-polls, from: s-hmi, to: s-plc, services: [modbus] }
  - { name: s-safety-polls, from: s-safety, to: s-plc, services: [modbus] }
enforcement:
  out-of-profile: quarantine
  quarantine: { never: [s-safety] }
`;

/** Scenario C: a protocol rule (reads only) judged by the node's NFQUEUE judge; block, so node-queue and simulate agree on containment. */
const POLICY_PROTOCOL = `version: 1
site: e2e-simulate-protocol
zones:
  c-net: { networks: [10.1.0.0/24] }
assets:
  c-plc-3: { ip: 10.1.0.3, zone: c-net }
  c-plc-8: { ip: 10.1.0.8, zone: c-net }
groups:
  c-plcs: { assets: [c-plc-3, c-plc-8] }
services:
  modbus: { tcp: [502], protocol: modbus }
rules:
  - name: c-reads
    from: c-net
    to: c-plcs
    services: [modbus]
    modbus: { functions: [read-coils, read-discrete-inputs, read-holding-registers, read-input-registers] }
enforcement:
  out-of-profile: block
`;

/** Simulate's verdicts on the replayable file: packets delivered per flow, and the quarantined sources. */
function simulated(
  policyText: string,
  file: string,
): { delivered: Map<string, number>; quarantined: string[] } {
  const { policy } = parsePolicy(policyText, 'policy.yaml');
  const frames = readFrames(file);
  const sim = createSimulation(policy!, frames[0]?.timeMs ?? 0);
  const delivered = new Map<string, number>();
  for (const f of frames) {
    const key = flowKey(f.data);
    if (key === undefined) continue;
    delivered.set(key, (delivered.get(key) ?? 0) + 0);
    if (accepted(simulateFrame(sim, 1, f.data, 0, f.data.length, f.timeMs))) {
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
  }
  const quarantined = simulationReport(sim)
    .sources.filter((s) => s.quarantinedAt !== undefined)
    .map((s) => s.address)
    .sort();
  return { delivered, quarantined };
}

/** Simulates, replays, and compares per-flow delivery; returns both for scenario-specific checks. */
async function compare(policyText: string, file: string, startAtMs = 0) {
  const sim = simulated(policyText, file);
  const kernel = await replay.replayed(file, new Set(sim.delivered.keys()), startAtMs);
  expect(Object.fromEntries(kernel)).toEqual(Object.fromEntries(sim.delivered));
  return { sim, kernel };
}

/** A schedule that closes at the UTC minute `boundaryMs` (it opened at midnight), for one Modbus pair. */
function windowPolicy(boundaryMs: number): string {
  const t = new Date(boundaryMs);
  const to = `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
  return `version: 1
site: e2e-simulate-window
zones:
  w-net: { networks: [10.30.0.0/24] }
assets:
  w-hmi: { ip: 10.30.0.50, zone: w-net }
  w-plc: { ip: 10.30.0.10, zone: w-net }
services:
  modbus: { tcp: [502] }
schedules:
  until-boundary: { days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "${to}", timezone: UTC }
rules:
  - { name: w-polls, from: w-hmi, to: w-plc, services: [modbus], when: until-boundary }
enforcement:
  out-of-profile: quarantine
`;
}

/** Scenario monitor: the scan again, on other addresses, under a monitor-mode policy. */
const POLICY_MONITOR = `version: 1
site: e2e-simulate-monitor
zones:
  m-net: { networks: [10.20.8.0/24] }
assets:
  m-hmi: { ip: 10.20.8.50, zone: m-net }
  m-plc: { ip: 10.20.8.10, zone: m-net }
  m-safety: { ip: 10.20.8.20, zone: m-net }
services:
  modbus: { tcp: [502] }
rules:
  - { name: m-polls, from: m-hmi, to: m-plc, services: [modbus] }
  - { name: m-safety-polls, from: m-safety, to: m-plc, services: [modbus] }
enforcement:
  mode: monitor
`;

/** Scenario L2: ARP allowed, every other EtherType dropped; IP under one 802.1Q tag is judged like IP. */
const POLICY_L2 = `version: 1
site: e2e-simulate-l2
zones:
  l-net: { networks: [10.40.0.0/24] }
assets:
  l-hmi: { ip: 10.40.0.50, zone: l-net }
  l-plc: { ip: 10.40.0.10, zone: l-net }
services:
  modbus: { tcp: [502] }
rules:
  - { name: l-polls, from: l-hmi, to: l-plc, services: [modbus] }
enforcement:
  out-of-profile: block
  l2: { allow: [arp], default: drop }
`;

beforeAll(async () => {
  requireBuild();
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  const hosts = [
    { name: 'wire', segment: 'upstream', ipv4: '10.20.0.200', services: [] },
    { name: 'wire-cell', segment: 'cell', ipv4: '10.20.1.200', services: [] },
  ];
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
  // One namespace with a leg on each side, so one tcpreplay keeps the capture's order across both.
  const cellNs = lab.ns('wire-cell');
  const wireNs = lab.ns('wire');
  for (const argv of [
    ['ip', '-n', cellNs, 'link', 'set', 'eth0', 'down'],
    ['ip', '-n', cellNs, 'link', 'set', 'eth0', 'name', 'eth1'],
    ['ip', '-n', cellNs, 'link', 'set', 'eth1', 'netns', wireNs],
    ['ip', '-n', wireNs, 'link', 'set', 'eth1', 'up'],
  ]) {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }
  // A frame sent before the moved link is up would be lost on the wire, not judged.
  await eventually('both legs of the wire namespace to be up', async () => {
    const r = await lab.exec('wire', ['ip', '-o', 'link', 'show', 'up']);
    return /eth0@.*LOWER_UP/.test(r.stdout) && /eth1@.*LOWER_UP/.test(r.stdout);
  });
  replay = bridgeReplay(lab, work);
  writeFileSync(join(work, 'plain.yaml'), POLICY_PLAIN);
  const r = await picket(lab, ['apply', join(work, 'plain.yaml')], env);
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
}, 120_000);

afterAll(async () => {
  await enforcer?.stop();
  await destroyLab(labName);
  rmSync(work, { recursive: true, force: true });
});

describe('simulate equals the kernel', () => {
  it('an allowed Modbus polling capture (picked up mid-stream) is delivered whole, in both', async () => {
    const file = replay.prepare(
      'polling',
      readFrames(join(PCAPS, 'modbus', 'ekin_Modbus.pcap')),
      new Set(['192.168.110.138']),
    );
    const { sim } = await compare(POLICY_PLAIN, file);
    expect([...sim.delivered.values()].reduce((a, b) => a + b, 0)).toBe(102);
    expect(sim.quarantined).toEqual([]);
  }, 60_000);

  it('a scan, a never-list asset and port reuse: the attacker is quarantined at its first probe, the never-list asset only dropped, reopened tuples judged anew', async () => {
    const file = replay.prepare('scan', scanCapture(), new Set(['10.20.9.10']));
    const { sim } = await compare(POLICY_PLAIN, file);
    expect(sim.quarantined).toEqual(['10.20.9.10', '10.20.9.66']);
    expect(await replay.kernelQuarantine()).toEqual(expect.arrayContaining(['10.20.9.10', '10.20.9.66']));
    expect(sim.delivered.get('10.20.9.50:40014 > 10.20.9.10:502 tcp')).toBe(0);
    expect(sim.delivered.get('10.20.9.20:45000 > 10.20.9.10:102 tcp')).toBe(0);
    expect(sim.delivered.get('10.20.9.20:45001 > 10.20.9.10:502 tcp')).toBe(1);
    expect(await replay.kernelQuarantine()).not.toContain('10.20.9.20');
    expect(sim.delivered.get('10.20.9.50:40000 > 10.20.9.10:502 tcp')).toBeGreaterThan(3);
    expect(sim.delivered.get('10.20.9.66:61000 > 10.20.9.10:502 tcp')).toBe(0);
  }, 60_000);

  it('a public capture with out-of-profile sources: the same flows cut, the same sources quarantined', async () => {
    const file = replay.prepare(
      'mixed',
      readFrames(join(PCAPS, 'modbus', 'digitalbond_modbus_test_data_part1.pcap')),
      new Set(['10.0.0.3', '10.0.0.8']),
    );
    const { sim } = await compare(POLICY_PLAIN, file);
    expect(sim.quarantined.length).toBeGreaterThan(0);
    const kernel = await replay.kernelQuarantine();
    for (const a of sim.quarantined) expect(kernel).toContain(a);
  }, 60_000);

  it('a protocol rule: Modbus writes and diagnostics are dropped by the NFQUEUE judge exactly where simulate drops them', async () => {
    writeFileSync(join(work, 'protocol.yaml'), POLICY_PROTOCOL);
    const r = await picket(lab, ['apply', join(work, 'protocol.yaml')], env);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    enforcer = lab.spawn(
      lab.spec.node.name,
      [process.execPath, join(root, 'dist', 'cli', 'node-queue.js'), join(work, 'protocol.yaml')],
      `node-queue-${Date.now()}`,
    );
    const log = enforcer.logFile;
    await eventually(
      'node-queue ready',
      () => existsSync(log) && readFileSync(log, 'utf8').includes('"ready":true'),
      30_000,
    );
    const file = replay.prepare(
      'protocol',
      readFrames(join(PCAPS, 'modbus', 'digitalbond_modbus_test_data_part1.pcap')),
      new Set(['10.1.0.3', '10.1.0.8']),
      { '10.0.0.3': '10.1.0.3', '10.0.0.8': '10.1.0.8', '10.0.0.57': '10.1.0.57', '10.0.0.9': '10.1.0.9' },
      // Queued packets wait for the judge with their conntrack entry unconfirmed: a reply that
      // overtakes its request's verdict finds no flow. Real peers wait a round trip; so does the replay.
      60,
    );
    const { sim, kernel } = await compare(POLICY_PROTOCOL, file);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    // Something was dropped by the judge, and much passed.
    const offered = readFrames(file).length;
    expect(total(kernel)).toBeLessThan(offered);
    expect(total(kernel)).toBeGreaterThan(offered / 4);
    expect(sim.quarantined).toEqual([]);
  }, 90_000);

  it('a time window closes on time in both: the answered session goes on, a new one quarantines its source', async () => {
    // The next minute at least 11 s away; a window from 00:00 cannot close at midnight.
    let boundary = Math.ceil((Date.now() + 11_000) / 60_000) * 60_000;
    if (boundary % 86_400_000 === 0) boundary += 60_000;
    const policyText = windowPolicy(boundary);
    writeFileSync(join(work, 'window.yaml'), policyText);
    const r = await picket(lab, ['apply', join(work, 'window.yaml')], env);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const file = replay.prepare('window', windowCapture(boundary), new Set(['10.30.0.10']), {}, 0);
    // tcpreplay keeps the file's pace from its first packet: start it when the wall clock reaches that packet.
    const { sim } = await compare(policyText, file, boundary - 5010);
    expect(sim.delivered.get('10.30.0.50:42000 > 10.30.0.10:502 tcp')).toBe(4);
    expect(sim.delivered.get('10.30.0.10:502 > 10.30.0.50:42000 tcp')).toBe(3);
    expect(sim.delivered.get('10.30.0.50:42001 > 10.30.0.10:502 tcp')).toBe(0);
    expect(sim.quarantined).toEqual(['10.30.0.50']);
    expect(await replay.kernelQuarantine()).toContain('10.30.0.50');
  }, 120_000);

  it('the bridge table: ARP passes, other EtherTypes and QinQ-wrapped IP are dropped, 802.1Q-tagged IP is judged by the rules', async () => {
    writeFileSync(join(work, 'l2.yaml'), POLICY_L2);
    const r = await picket(lab, ['apply', join(work, 'l2.yaml')], env);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const file = replay.prepare('l2', l2Capture(), new Set());
    const { sim } = await compare(POLICY_L2, file);
    const delivered = Object.fromEntries(sim.delivered);
    expect(delivered['arp 10.40.0.50 > 10.40.0.10']).toBe(1);
    expect(delivered['10.40.0.50:43502 > 10.40.0.10:502 tcp vlan 5']).toBe(1);
    expect(delivered['10.40.0.50:43503 > 10.40.0.10:503 tcp vlan 5']).toBe(0);
    expect(delivered['10.40.0.50:43502 > 10.40.0.10:502 tcp vlan 7.5']).toBe(0);
    expect(Object.values(delivered).reduce((a, b) => a + b, 0)).toBe(3);
  }, 60_000);

  it('monitor mode: the scan capture passes whole in both, conntrack-invalid packets too, and nobody is quarantined', async () => {
    writeFileSync(join(work, 'monitor.yaml'), POLICY_MONITOR);
    const r = await picket(lab, ['apply', join(work, 'monitor.yaml')], env);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const moved = {
      '10.20.9.50': '10.20.8.50',
      '10.20.9.10': '10.20.8.10',
      '10.20.9.66': '10.20.8.66',
      '10.20.9.20': '10.20.8.20',
    };
    const input = scanCapture();
    const file = replay.prepare('monitor', input, new Set(['10.20.8.10']), moved);
    const { sim } = await compare(POLICY_MONITOR, file);
    expect([...sim.delivered.values()].reduce((a, b) => a + b, 0)).toBe(input.length);
    expect(sim.quarantined).toEqual([]);
    expect(await replay.kernelQuarantine()).not.toContain('10.20.8.66');
  }, 60_000);
});
