// End-to-end: simulation equals enforcement. Captures are replayed through the
// node's bridge with tcpreplay under the ruleset `picket apply` loaded (and,
// for protocol rules, the NFQUEUE judge of node-queue), what came out on the
// far side is captured, and the kernel's per-flow verdicts (packets delivered
// per directional 5-tuple) and quarantine set are compared with what
// `picket simulate`'s evaluator says of the very same file.
//
//   wire ns: eth0 ──[sw-upstream]──up0─[ node: br0 + picket apply (+ node-queue) ]─cell0──[sw-cell]── eth1 :wire ns
//            tcpreplay -i eth0 (client side) -I eth1 (cell side), tcpdump -Q in on both
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
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../../src/lab/lab.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { readCaptureFile } from '../../src/sense/capture-file.js';
import { decodeLinkLayer } from '../../src/sense/decode-frame.js';
import { arp, bytes, ethernet, icmp, ipv4Packet, tcp } from '../../src/sense/packet-builder.js';
import { accepted } from '../../src/simulate/outcome.js';
import { simulationReport } from '../../src/simulate/report.js';
import { createSimulation, simulateFrame } from '../../src/simulate/simulator.js';
import { eventually, picket, requireBuild, root } from './plant.js';

const labName = `e2e-simk-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-simk-'));
const env = { PICKET_STATE_DIR: join(work, 'state') };
const PCAPS = join(root, '..', 'shared', 'pcaps');
const UP_MAC = [0x02, 0x00, 0x00, 0x00, 0x0a, 0x01];
const CELL_MAC = [0x02, 0x00, 0x00, 0x00, 0x0c, 0x01];
const CELL_MAC_TEXT = '02:00:00:00:0c:01';
const SPACING_MS = 4;
let lab: Lab;
let enforcer: LabProcess | undefined;

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

interface Frame {
  readonly timeMs: number;
  readonly data: Uint8Array;
  /** The side a hand-built frame enters from (else: the cell side when its IPv4 source is in `cell`). */
  readonly fromCell?: boolean;
}

function writePcap(file: string, frames: readonly Frame[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(f.timeMs / 1000), 0);
    h.writeUInt32LE(Math.round((f.timeMs % 1000) * 1000), 4);
    h.writeUInt32LE(f.data.length, 8);
    h.writeUInt32LE(f.data.length, 12);
    parts.push(h, Buffer.from(f.data));
  }
  writeFileSync(file, Buffer.concat(parts));
}

function readFrames(file: string): Frame[] {
  const out: Frame[] = [];
  readCaptureFile(file, (f) => out.push({ timeMs: f.timeMs, data: Uint8Array.from(f.data) }));
  return out;
}

function ipOf(text: string): number[] {
  return text.split('.').map(Number);
}

/**
 * Keeps untagged Ethernet IPv4 frames, gives each side its MAC (cell side:
 * source address in `cell`), maps addresses through `ipMap`, spaces the
 * timestamps, and recomputes checksums. Returns the replayable file (with its tcpprep cache).
 */
function prepare(
  name: string,
  frames: readonly Frame[],
  cell: ReadonlySet<string>,
  ipMap: Readonly<Record<string, string>> = {},
  spacingMs = SPACING_MS,
): string {
  const t0 = Date.UTC(2026, 0, 5, 12);
  const kept: Frame[] = [];
  for (const f of frames) {
    const out = Uint8Array.from(f.data);
    let fromCell = f.fromCell;
    if (fromCell === undefined) {
      if (out.length < 34 || out[12] !== 0x08 || out[13] !== 0x00) continue;
      for (const [at] of [[26], [30]] as const) {
        const text = `${out[at]}.${out[at + 1]}.${out[at + 2]}.${out[at + 3]}`;
        const mapped = ipMap[text];
        if (mapped !== undefined) out.set(ipOf(mapped), at);
      }
      fromCell = cell.has(`${out[26]}.${out[27]}.${out[28]}.${out[29]}`);
    }
    if ((out[0]! & 1) === 0) out.set(fromCell ? UP_MAC : CELL_MAC, 0);
    out.set(fromCell ? CELL_MAC : UP_MAC, 6);
    // Spacing 0 keeps the frames' own times (a replay at the capture's pace).
    kept.push({ timeMs: spacingMs === 0 ? f.timeMs : t0 + kept.length * spacingMs, data: out });
  }
  const fixed = join(work, `${name}.pcap`);
  writePcap(
    fixed,
    kept.map((f) => ({ timeMs: f.timeMs, data: withChecksums(f.data) })),
  );
  const p = spawnSync('tcpprep', [`--mac=${CELL_MAC_TEXT}`, '-i', fixed, '-o', `${fixed}.cache`], {
    encoding: 'utf8',
  });
  expect(p.status, p.stderr).toBe(0);
  return fixed;
}

function sum16(b: Uint8Array, from: number, to: number, initial = 0): number {
  let s = initial;
  for (let i = from; i + 1 < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((to - from) % 2 === 1) s += b[to - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Recomputes the IPv4 header checksum and the TCP/UDP/ICMP checksum of an
 * Ethernet frame (the kernel checks them; captured offloaded packets and the
 * packet builder leave them wrong). tcprewrite --fixcsum is not used: it also
 * grows the IP length over Ethernet padding.
 */
function withChecksums(frame: Uint8Array): Uint8Array {
  const b = Uint8Array.from(frame);
  let ip = 14;
  while (
    ip + 4 <= b.length &&
    ((b[ip - 2] === 0x81 && b[ip - 1] === 0x00) || (b[ip - 2] === 0x88 && b[ip - 1] === 0xa8))
  )
    ip += 4;
  if (b[ip - 2] !== 0x08 || b[ip - 1] !== 0x00 || ip + 20 > b.length) return b;
  const ihl = (b[ip]! & 0x0f) * 4;
  const total = (b[ip + 2]! << 8) | b[ip + 3]!;
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  const h = ~sum16(b, ip, ip + ihl) & 0xffff;
  b[ip + 10] = h >> 8;
  b[ip + 11] = h & 0xff;
  const l4 = ip + ihl;
  const end = ip + total;
  const fragment = (((b[ip + 6]! << 8) | b[ip + 7]!) & 0x1fff) !== 0;
  if (fragment || end > b.length) return b;
  const proto = b[ip + 9]!;
  const at = proto === 6 ? 16 : proto === 17 ? 6 : proto === 1 ? 2 : -1;
  if (at < 0 || l4 + at + 2 > end) return b;
  b[l4 + at] = 0;
  b[l4 + at + 1] = 0;
  const pseudo = proto === 1 ? 0 : sum16(b, ip + 12, ip + 20, proto + (end - l4));
  let c = ~sum16(b, l4, end, pseudo) & 0xffff;
  if (proto === 17 && c === 0) c = 0xffff;
  b[l4 + at] = c >> 8;
  b[l4 + at + 1] = c & 0xff;
  return b;
}

/** A directional 5-tuple (with its VLAN tags, if any); for non-IP frames the ARP addresses or EtherType and length. */
function flowKey(data: Uint8Array): string | undefined {
  const d = decodeLinkLayer(1, data, { timeMs: 0, origin: 'capture' });
  if (!d.ok) return undefined;
  const e = d.event;
  const tags =
    e.vlan === undefined ? '' : ` vlan ${e.vlan}${e.innerVlan === undefined ? '' : `.${e.innerVlan}`}`;
  if (e.srcIp !== undefined)
    return `${e.srcIp}:${e.srcPort ?? '-'} > ${e.dstIp}:${e.dstPort ?? '-'} ${e.l4 ?? e.protocol}${tags}`;
  if (e.arp !== undefined) return `arp ${e.arp.senderIp} > ${e.arp.targetIp}${tags}`;
  return `ether 0x${(e.etherType ?? 0).toString(16)} len ${e.length}${tags}`;
}

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

/** Replays the file through the bridge and counts, per flow of the file, the packets that came out. */
async function replayed(
  file: string,
  flows: ReadonlySet<string>,
  startAtMs = 0,
): Promise<Map<string, number>> {
  const name = file.split('/').pop()!.replace('.pcap', '');
  const dumps = ['eth0', 'eth1'].map((dev) => {
    const out = join(work, `${name}-out-${dev}.pcap`);
    return {
      out,
      proc: lab.spawn(
        'wire',
        ['tcpdump', '-U', '-n', '-Q', 'in', '-i', dev, '-w', out],
        `tcpdump-${name}-${dev}`,
      ),
    };
  });
  await eventually('tcpdump to listen on both sides', () =>
    dumps.every(
      (d) => existsSync(d.proc.logFile) && readFileSync(d.proc.logFile, 'utf8').includes('listening on'),
    ),
  );
  // The path is live once an ARP frame sent from each side has come out on the other.
  await eventually('a warm-up frame to cross the bridge both ways', async () => {
    for (const dev of ['eth0', 'eth1']) {
      await lab.exec('wire', ['tcpreplay', '-q', '-i', dev, join(work, `warm-up-${dev}.pcap`)], {
        check: false,
      });
    }
    return dumps.every(
      (d) => existsSync(d.out) && readFrames(d.out).some((f) => f.data[12] === 0x08 && f.data[13] === 0x06),
    );
  });
  if (startAtMs > 0) await eventually('the replay to be due', () => Date.now() >= startAtMs, 75_000, 5);
  const r = await lab.exec(
    'wire',
    // tcpprep's "servers" (the cell MAC) leave by the primary interface.
    ['tcpreplay', '-q', '-c', `${file}.cache`, '-i', 'eth1', '-I', 'eth0', file],
    {
      check: false,
      timeoutMs: 60_000,
    },
  );
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  // The last frames have left tcpreplay; the captures are complete once neither file has grown for 1 s.
  const sizes = () => dumps.map((d) => (existsSync(d.out) ? statSync(d.out).size : 0)).join(',');
  let last = sizes();
  let since = Date.now();
  await eventually(
    'the captures to stop growing',
    () => {
      const now = sizes();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= 1000;
    },
    15_000,
    200,
  );
  for (const d of dumps) await d.proc.stop();
  const delivered = new Map<string, number>([...flows].map((k) => [k, 0]));
  for (const d of dumps) {
    for (const f of readFrames(d.out)) {
      const key = flowKey(f.data);
      if (key !== undefined && delivered.has(key)) delivered.set(key, delivered.get(key)! + 1);
    }
  }
  return delivered;
}

async function kernelQuarantine(): Promise<string[]> {
  const r = await lab.exec(lab.spec.node.name, ['nft', '-j', 'list', 'set', 'inet', 'picket', 'quarantine4']);
  const set = (JSON.parse(r.stdout).nftables as { set?: { elem?: unknown[] } }[]).find((x) => x.set)?.set;
  return (set?.elem ?? [])
    .map((e) => (typeof e === 'string' ? e : ((e as { elem: { val: string } }).elem.val ?? '')))
    .sort();
}

/** Simulates, replays, and compares per-flow delivery; returns both for scenario-specific checks. */
async function compare(policyText: string, file: string, startAtMs = 0) {
  const sim = simulated(policyText, file);
  const kernel = await replayed(file, new Set(sim.delivered.keys()), startAtMs);
  expect(Object.fromEntries(kernel)).toEqual(Object.fromEntries(sim.delivered));
  return { sim, kernel };
}

/**
 * A scan of 60 ports of s-plc by an attacker (the PLC answers RST, or SYN/ACK
 * on 502), around an allowed polling session, a stray FIN and a ping; then
 * connections reusing a port after a FIN close and after resets by either side,
 * and a reopening from the PLC's side that quarantines the PLC.
 */
function scanCapture(): Frame[] {
  const hmi = '10.20.9.50';
  const plc = '10.20.9.10';
  const attacker = '10.20.9.66';
  const safety = '10.20.9.20';
  const frame = (
    src: string,
    dst: string,
    ports: [number, number],
    flags: number,
    seq: number,
    ack: number,
    payload?: Uint8Array,
  ) => {
    const segment = tcp(
      { sport: ports[0], dport: ports[1], flags },
      payload as Uint8Array<ArrayBuffer> | undefined,
    );
    const view = new DataView(segment.buffer, segment.byteOffset);
    view.setUint32(4, seq);
    view.setUint32(8, ack);
    return ethernet(
      { type: 0x0800, dst: '02:00:00:00:00:99' },
      ipv4Packet({ src, dst, protocol: 6 }, segment),
    );
  };
  const read = Uint8Array.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]);
  const reply = bytes([0, 1, 0, 0, 0, 7, 1, 3, 4], [0, 1, 0, 2]);
  const up: [number, number] = [40000, 502];
  const down: [number, number] = [502, 40000];
  let polls = 0;
  const poll = () => {
    const k = polls++;
    return [
      frame(hmi, plc, up, 0x18, 1001 + 12 * k, 5001 + 13 * k, read),
      frame(plc, hmi, down, 0x18, 5001 + 13 * k, 1013 + 12 * k, reply),
    ];
  };
  const out: Uint8Array[] = [
    frame(hmi, plc, up, 0x02, 1000, 0),
    frame(plc, hmi, down, 0x12, 5000, 1001),
    frame(hmi, plc, up, 0x10, 1001, 5001),
    ...poll(),
    frame(hmi, plc, [40001, 502], 0x11, 77, 88),
    ethernet(
      { type: 0x0800, dst: '02:00:00:00:00:99' },
      ipv4Packet({ src: attacker, dst: plc, protocol: 1 }, icmp(8, 0, bytes([0, 7, 0, 1]))),
    ),
  ];
  for (let port = 495; port < 555; port++) {
    out.push(frame(attacker, plc, [61000, port], 0x02, 9000, 0));
    out.push(
      port === 502
        ? frame(plc, attacker, [502, 61000], 0x12, 3000, 9001)
        : frame(plc, attacker, [port, 61000], 0x14, 0, 9001),
    );
    if (port % 10 === 0) out.push(...poll());
  }
  // Port reuse: reopened after a FIN close, ignored-then-resynced after the PLC's reset, reopened after the HMI's own.
  const hs = (port: number, seq: number, ack: number) => [
    frame(hmi, plc, [port, 502], 0x02, seq, 0),
    frame(plc, hmi, [502, port], 0x12, ack, seq + 1),
  ];
  out.push(
    ...hs(40010, 100, 900),
    frame(hmi, plc, [40010, 502], 0x10, 101, 901),
    frame(hmi, plc, [40010, 502], 0x11, 101, 901),
    frame(plc, hmi, [502, 40010], 0x11, 901, 102),
    frame(hmi, plc, [40010, 502], 0x10, 102, 902),
    ...hs(40010, 5000, 7000),
    frame(hmi, plc, [40010, 502], 0x10, 5001, 7001),
    ...hs(40011, 200, 1900),
    frame(plc, hmi, [502, 40011], 0x14, 1901, 201),
    ...hs(40011, 300, 2900),
    frame(hmi, plc, [40011, 502], 0x10, 301, 2901),
    ...hs(40012, 400, 3900),
    frame(hmi, plc, [40012, 502], 0x04, 401, 0),
    ...hs(40012, 600, 4900),
    frame(hmi, plc, [40012, 502], 0x10, 601, 4901),
    // A never-list asset out of profile: dropped, not quarantined; its allowed flow goes on.
    frame(safety, plc, [45000, 102], 0x02, 10, 0),
    frame(safety, plc, [45001, 502], 0x02, 20, 0),
    frame(plc, safety, [502, 45001], 0x12, 90, 21),
    // Last: after a FIN close, a SYN from the PLC's side reopens the tuple the other way round —
    // a new flow the policy does not allow, so the PLC itself is quarantined.
    ...hs(40013, 700, 5900),
    frame(hmi, plc, [40013, 502], 0x10, 701, 5901),
    frame(hmi, plc, [40013, 502], 0x11, 701, 5901),
    frame(plc, hmi, [502, 40013], 0x11, 5901, 702),
    frame(hmi, plc, [40013, 502], 0x10, 702, 5902),
    frame(plc, hmi, [502, 40013], 0x02, 8000, 0),
    frame(hmi, plc, [40014, 502], 0x02, 800, 0),
  );
  return out.map((data, i) => ({ timeMs: i, data }));
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

/**
 * Around the window's close at `b`: a session opened and answered before it
 * polls again after it (established: passes), a new connection after it (out
 * of profile: quarantines the HMI), then the old session polls once more
 * (from a quarantined source: dropped).
 */
function windowCapture(b: number): Frame[] {
  const hmi = '10.30.0.50';
  const plc = '10.30.0.10';
  const read = Uint8Array.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]);
  const reply = bytes([0, 1, 0, 0, 0, 7, 1, 3, 4], [0, 1, 0, 2]);
  const seg = (up: boolean, port: number, flags: number, seq: number, ack: number, payload?: Uint8Array) => {
    const t = tcp(
      up ? { sport: port, dport: 502, flags } : { sport: 502, dport: port, flags },
      payload as Uint8Array<ArrayBuffer> | undefined,
    );
    const view = new DataView(t.buffer, t.byteOffset);
    view.setUint32(4, seq);
    view.setUint32(8, ack);
    const [src, dst] = up ? [hmi, plc] : [plc, hmi];
    return ethernet({ type: 0x0800, dst: '02:00:00:00:00:99' }, ipv4Packet({ src, dst, protocol: 6 }, t));
  };
  const poll = (k: number, at: number): Frame[] => [
    { timeMs: at, data: seg(true, 42000, 0x18, 1001 + 12 * k, 5001 + 13 * k, read) },
    { timeMs: at + 10, data: seg(false, 42000, 0x18, 5001 + 13 * k, 1013 + 12 * k, reply) },
  ];
  return [
    { timeMs: b - 5000, data: seg(true, 42000, 0x02, 1000, 0) },
    { timeMs: b - 4990, data: seg(false, 42000, 0x12, 5000, 1001) },
    { timeMs: b - 4980, data: seg(true, 42000, 0x10, 1001, 5001) },
    ...poll(0, b - 4500),
    ...poll(1, b + 500),
    { timeMs: b + 1000, data: seg(true, 42001, 0x02, 7000, 0) },
    ...poll(2, b + 1500),
  ];
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

/** ARP both ways, LLDP and PROFINET frames, and IP under one 802.1Q tag and under two (QinQ). */
function l2Capture(): Frame[] {
  const hmi = '10.40.0.50';
  const plc = '10.40.0.10';
  const syn = (dport: number) =>
    ipv4Packet({ src: hmi, dst: plc, protocol: 6 }, tcp({ sport: 43000 + dport, dport, flags: 0x02 }));
  const frames: [boolean, Uint8Array][] = [
    [
      false,
      ethernet(
        { type: 0x0806 },
        arp({ op: 1, senderMac: '02:00:00:00:0a:01', senderIp: hmi, targetIp: plc }),
      ),
    ],
    [
      true,
      ethernet(
        { type: 0x0806 },
        arp({ op: 1, senderMac: '02:00:00:00:0c:01', senderIp: plc, targetIp: hmi }),
      ),
    ],
    [false, ethernet({ dst: '01:80:c2:00:00:0e', type: 0x88cc }, new Uint8Array(46))],
    [true, ethernet({ dst: '01:0e:cf:00:00:00', type: 0x8892 }, new Uint8Array(50))],
    [false, ethernet({ dst: '02:00:00:00:00:99', type: 0x0800, vlans: [[0x8100, 5]] }, syn(502))],
    [false, ethernet({ dst: '02:00:00:00:00:99', type: 0x0800, vlans: [[0x8100, 5]] }, syn(503))],
    [
      false,
      ethernet(
        {
          dst: '02:00:00:00:00:99',
          type: 0x0800,
          vlans: [
            [0x88a8, 7],
            [0x8100, 5],
          ],
        },
        syn(502),
      ),
    ],
  ];
  return frames.map(([fromCell, data], i) => ({ timeMs: i, data, fromCell }));
}

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
  for (const [dev, mac, ip] of [
    ['eth0', '02:00:00:00:0a:01', '10.99.0.1'],
    ['eth1', '02:00:00:00:0c:01', '10.99.0.2'],
  ] as const) {
    const frame = ethernet(
      { src: mac, type: 0x0806 },
      arp({ op: 1, senderMac: mac, senderIp: ip, targetIp: '10.99.0.3' }),
    );
    writePcap(join(work, `warm-up-${dev}.pcap`), [{ timeMs: 0, data: frame }]);
  }
  writeFileSync(join(work, 'plain.yaml'), POLICY_PLAIN);
  const r = await picket(lab, ['apply', join(work, 'plain.yaml')], env);
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
}, 120_000);

afterAll(async () => {
  await enforcer?.stop();
  await destroyLab(labName);
});

describe('simulate equals the kernel', () => {
  it('an allowed Modbus polling capture (picked up mid-stream) is delivered whole, in both', async () => {
    const file = prepare(
      'polling',
      readFrames(join(PCAPS, 'modbus', 'ekin_Modbus.pcap')),
      new Set(['192.168.110.138']),
    );
    const { sim } = await compare(POLICY_PLAIN, file);
    expect([...sim.delivered.values()].reduce((a, b) => a + b, 0)).toBe(102);
    expect(sim.quarantined).toEqual([]);
  }, 60_000);

  it('a scan, a never-list asset and port reuse: the attacker is quarantined at its first probe, the never-list asset only dropped, reopened tuples judged anew', async () => {
    const file = prepare('scan', scanCapture(), new Set(['10.20.9.10']));
    const { sim } = await compare(POLICY_PLAIN, file);
    expect(sim.quarantined).toEqual(['10.20.9.10', '10.20.9.66']);
    expect(await kernelQuarantine()).toEqual(expect.arrayContaining(['10.20.9.10', '10.20.9.66']));
    expect(sim.delivered.get('10.20.9.50:40014 > 10.20.9.10:502 tcp')).toBe(0);
    expect(sim.delivered.get('10.20.9.20:45000 > 10.20.9.10:102 tcp')).toBe(0);
    expect(sim.delivered.get('10.20.9.20:45001 > 10.20.9.10:502 tcp')).toBe(1);
    expect(await kernelQuarantine()).not.toContain('10.20.9.20');
    expect(sim.delivered.get('10.20.9.50:40000 > 10.20.9.10:502 tcp')).toBeGreaterThan(3);
    expect(sim.delivered.get('10.20.9.66:61000 > 10.20.9.10:502 tcp')).toBe(0);
  }, 60_000);

  it('a public capture with out-of-profile sources: the same flows cut, the same sources quarantined', async () => {
    const file = prepare(
      'mixed',
      readFrames(join(PCAPS, 'modbus', 'digitalbond_modbus_test_data_part1.pcap')),
      new Set(['10.0.0.3', '10.0.0.8']),
    );
    const { sim } = await compare(POLICY_PLAIN, file);
    expect(sim.quarantined.length).toBeGreaterThan(0);
    const kernel = await kernelQuarantine();
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
    const file = prepare(
      'protocol',
      readFrames(join(PCAPS, 'modbus', 'digitalbond_modbus_test_data_part1.pcap')),
      new Set(['10.1.0.3', '10.1.0.8']),
      { '10.0.0.3': '10.1.0.3', '10.0.0.8': '10.1.0.8', '10.0.0.57': '10.1.0.57', '10.0.0.9': '10.1.0.9' },
      // Queued packets wait for the judge with their conntrack entry unconfirmed: a reply that
      // overtakes its request's verdict finds no flow. Real peers wait a round trip; so does the replay.
      25,
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
    const file = prepare('window', windowCapture(boundary), new Set(['10.30.0.10']), {}, 0);
    // tcpreplay keeps the file's pace from its first packet: start it when the wall clock reaches that packet.
    const { sim } = await compare(policyText, file, boundary - 5010);
    expect(sim.delivered.get('10.30.0.50:42000 > 10.30.0.10:502 tcp')).toBe(4);
    expect(sim.delivered.get('10.30.0.10:502 > 10.30.0.50:42000 tcp')).toBe(3);
    expect(sim.delivered.get('10.30.0.50:42001 > 10.30.0.10:502 tcp')).toBe(0);
    expect(sim.quarantined).toEqual(['10.30.0.50']);
    expect(await kernelQuarantine()).toContain('10.30.0.50');
  }, 120_000);

  it('the bridge table: ARP passes, other EtherTypes and QinQ-wrapped IP are dropped, 802.1Q-tagged IP is judged by the rules', async () => {
    writeFileSync(join(work, 'l2.yaml'), POLICY_L2);
    const r = await picket(lab, ['apply', join(work, 'l2.yaml')], env);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const file = prepare('l2', l2Capture(), new Set());
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
    const file = prepare('monitor', input, new Set(['10.20.8.10']), moved);
    const { sim } = await compare(POLICY_MONITOR, file);
    expect([...sim.delivered.values()].reduce((a, b) => a + b, 0)).toBe(input.length);
    expect(sim.quarantined).toEqual([]);
    expect(await kernelQuarantine()).not.toContain('10.20.8.66');
  }, 60_000);
});
