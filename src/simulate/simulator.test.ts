// The simulator on hand-built frames: conntrack (established replies, loose
// pickup, invalid first packets), quarantine by capture time, never list,
// block/alert/monitor modes, windows at each packet's time, the bridge table,
// protocol rules with and without a node, the flow table cap, and a decoder
// that never throws.

import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';
import { createVerdictFields, decodeVerdictFields } from '../sense/decode-verdict.js';
import { arp, bytes, ethernet, icmp, ipv4Packet, ipv6Packet, tcp, udp } from '../sense/packet-builder.js';
import { OUTCOME, OUTCOME_NAMES } from './outcome.js';
import { simulationReport } from './report.js';
import { createSimulation, type Simulation, simulateFrame } from './simulator.js';

const HMI = '10.20.0.50';
const PLC = '10.20.1.10';
const ATTACKER = '10.20.0.66';
const SAFETY = '10.20.1.20';

const NIGHT_UTC = '{ days: [mon, tue, wed, thu, fri, sat, sun], from: "02:00", to: "04:00", timezone: UTC }';

function policy(enforcement: string, extra = '', night = NIGHT_UTC): Policy {
  const source = `version: 1
site: unit
zones:
  scada: { networks: [10.20.0.0/24] }
  cell: { networks: [10.20.1.0/24] }
assets:
  hmi: { ip: ${HMI}, zone: scada }
  plc: { ip: ${PLC}, zone: cell }
  attacker: { ip: ${ATTACKER}, zone: scada }
  safety: { ip: ${SAFETY}, zone: cell }
services:
  modbus: { tcp: [502] }
  web: { tcp: [80] }
  dns: { udp: [53] }
schedules:
  night: ${night}
rules:
  - name: hmi-polls-plc
    from: hmi
    to: plc
    services: [modbus]
  - name: safety-to-hmi
    from: safety
    to: hmi
    services: [web]
  - name: hmi-web-at-night
    from: hmi
    to: plc
    services: [web]
    when: night
${extra}enforcement:
${enforcement}
`;
  const { policy: p, diagnostics } = parsePolicy(source, 'policy.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return p!;
}

const S = 0x02;
const A = 0x10;
const PA = 0x18;
const SA = 0x12;
const FA = 0x11;

function withSeq(segment: Uint8Array, seq: number): Uint8Array {
  new DataView(segment.buffer, segment.byteOffset).setUint32(4, seq >>> 0);
  return segment;
}

function tcpFrame(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: number,
  payload?: Uint8Array,
  seq = 1,
) {
  return ethernet(
    { dst: '02:00:00:00:00:02', type: 0x0800 },
    ipv4Packet({ src, dst, protocol: 6 }, withSeq(tcp({ sport, dport, flags }, payload), seq)),
  );
}

function udpFrame(src: string, dst: string, sport: number, dport: number, group = false) {
  return ethernet(
    { dst: group ? 'ff:ff:ff:ff:ff:ff' : '02:00:00:00:00:02', type: 0x0800 },
    ipv4Packet({ src, dst, protocol: 17 }, udp({ sport, dport })),
  );
}

/** Runs frames (at 1 s apart unless times are given) and returns the outcome names. */
function run(
  sim: Simulation,
  frames: readonly Uint8Array[],
  startMs = Date.UTC(2026, 0, 5, 12),
  stepMs = 1000,
) {
  return frames.map((f, i) => OUTCOME_NAMES[simulateFrame(sim, 1, f, 0, f.length, startMs + i * stepMs)]);
}

const NOON = Date.UTC(2026, 0, 5, 12);

describe('conntrack and the forward chain', () => {
  it('allows a polled flow both ways: the reply is established', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    expect(
      run(sim, [
        tcpFrame(HMI, PLC, 40000, 502, S),
        tcpFrame(PLC, HMI, 502, 40000, SA),
        tcpFrame(HMI, PLC, 40000, 502, A),
        tcpFrame(HMI, PLC, 40000, 502, PA, new Uint8Array(12)),
      ]),
    ).toEqual(['allowed', 'established', 'established', 'established']);
    const report = simulationReport(sim);
    expect(report.rules.find((r) => r.rule === 'hmi-polls-plc')).toMatchObject({ packets: 4, flows: 1 });
    expect(report.wouldBlockAnything).toBe(false);
  });

  it('quarantines a source on its first out-of-profile packet; from then on its allowed traffic and traffic to it are dropped', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine', ''), NOON);
    // The attacker may not poll; it is quarantined at its first SYN.
    expect(
      run(sim, [
        tcpFrame(ATTACKER, PLC, 40001, 502, S),
        tcpFrame(ATTACKER, PLC, 40002, 102, S),
        tcpFrame(PLC, ATTACKER, 502, 40001, SA),
        tcpFrame(HMI, PLC, 40000, 502, S),
      ]),
    ).toEqual(['quarantined', 'from-quarantined', 'from-quarantined', 'allowed']);
    const attacker = simulationReport(sim).sources.find((s) => s.address === ATTACKER)!;
    expect(attacker.quarantinedAt?.frame).toBe(1);
    expect(attacker.dropped).toBe(2);
    expect(simulationReport(sim).wouldBlockAnything).toBe(true);
  });

  it('lifts the quarantine after its duration, by capture time', () => {
    const sim = createSimulation(
      policy('  out-of-profile: quarantine\n  quarantine: { duration: 10m }'),
      NOON,
    );
    const probe = tcpFrame(ATTACKER, PLC, 40001, 80, S);
    const t0 = NOON;
    expect(OUTCOME_NAMES[simulateFrame(sim, 1, probe, 0, probe.length, t0)]).toBe('quarantined');
    const broadcast = udpFrame(ATTACKER, '10.20.0.255', 5000, 53, true);
    expect(OUTCOME_NAMES[simulateFrame(sim, 1, broadcast, 0, broadcast.length, t0 + 599_000)]).toBe(
      'from-quarantined',
    );
    expect(OUTCOME_NAMES[simulateFrame(sim, 1, broadcast, 0, broadcast.length, t0 + 601_000)]).toBe(
      'blocked',
    );
  });

  it('drops and alerts on a never-list asset but never quarantines it', () => {
    const sim = createSimulation(
      policy('  out-of-profile: quarantine\n  quarantine: { never: [safety] }'),
      NOON,
    );
    expect(run(sim, [tcpFrame(SAFETY, PLC, 40000, 502, S), tcpFrame(SAFETY, HMI, 40001, 80, S)])).toEqual([
      'never-list',
      'allowed',
    ]);
    const s = simulationReport(sim).sources.find((x) => x.address === SAFETY)!;
    expect(s.quarantinedAt).toBeUndefined();
    expect(s.alerted).toBe(1);
  });

  it('blocks without quarantine, alerts and accepts, and in monitor mode blocks nothing', () => {
    const frames = [tcpFrame(ATTACKER, PLC, 40001, 502, S), tcpFrame(HMI, PLC, 40000, 502, S)];
    expect(run(createSimulation(policy('  out-of-profile: block'), NOON), frames)).toEqual([
      'blocked',
      'allowed',
    ]);
    expect(run(createSimulation(policy('  out-of-profile: alert'), NOON), frames)).toEqual([
      'alerted',
      'allowed',
    ]);
    const monitor = createSimulation(policy('  mode: monitor'), NOON);
    expect(run(monitor, frames)).toEqual(['would-block', 'allowed']);
    expect(simulationReport(monitor).totals.dropped).toBe(0);
    expect(simulationReport(monitor).wouldBlockAnything).toBe(true);
  });

  it('broadcast out of profile is blocked but does not quarantine its source', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    expect(run(sim, [udpFrame(HMI, '10.20.0.255', 68, 67, true), tcpFrame(HMI, PLC, 40000, 502, S)])).toEqual(
      ['blocked', 'allowed'],
    );
  });

  it('calls a FIN, RST or SYN/ACK without a flow invalid (dropped, not quarantined), and picks up a bare ACK mid-stream', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    expect(
      run(sim, [
        tcpFrame(ATTACKER, PLC, 40001, 502, FA),
        tcpFrame(ATTACKER, PLC, 40001, 502, 0x04),
        tcpFrame(PLC, HMI, 502, 40000, SA),
        tcpFrame(HMI, PLC, 40000, 502, PA, new Uint8Array(12)),
        tcpFrame(PLC, HMI, 502, 40000, PA, new Uint8Array(11)),
        tcpFrame(ATTACKER, PLC, 40001, 502, S | 0x01),
      ]),
    ).toEqual(['invalid', 'invalid', 'invalid', 'allowed', 'established', 'invalid']);
  });

  it('judges the original direction as new until a reply is seen; the established flow outlives its window', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), Date.UTC(2026, 0, 5, 3, 59, 58));
    const at = (ms: number, f: Uint8Array) => OUTCOME_NAMES[simulateFrame(sim, 1, f, 0, f.length, ms)];
    const t = Date.UTC(2026, 0, 5, 3, 59, 58);
    expect(at(t, tcpFrame(HMI, PLC, 41000, 80, S))).toBe('allowed');
    expect(at(t + 1000, tcpFrame(PLC, HMI, 80, 41000, SA))).toBe('established');
    // 04:00:00 is the last second of the window ("to" is inclusive to the second before).
    expect(at(t + 3000, tcpFrame(HMI, PLC, 41000, 80, A))).toBe('established');
    // A new flow after the window: out of profile, the HMI is quarantined.
    expect(at(t + 5000, tcpFrame(HMI, PLC, 41001, 80, S))).toBe('quarantined');
  });

  it('judges a capture that spans a DST change at the time of each packet (a local window moves in UTC)', () => {
    const chicago =
      '{ days: [mon, tue, wed, thu, fri, sat, sun], from: "05:00", to: "06:00", timezone: America/Chicago }';
    const sim = createSimulation(policy('  out-of-profile: block', '', chicago), Date.UTC(2026, 2, 6, 10));
    const at = (ms: number, port: number) => {
      const f = tcpFrame(HMI, PLC, port, 80, S);
      return OUTCOME_NAMES[simulateFrame(sim, 1, f, 0, f.length, ms)];
    };
    // Before 8 March 2026 Chicago is UTC-6 (window 11:00-12:00 UTC), after it UTC-5 (10:00-11:00 UTC).
    expect(at(Date.UTC(2026, 2, 6, 10, 30), 41000)).toBe('blocked');
    expect(at(Date.UTC(2026, 2, 6, 11, 30), 41001)).toBe('allowed');
    expect(at(Date.UTC(2026, 2, 10, 10, 30), 41002)).toBe('allowed');
    expect(at(Date.UTC(2026, 2, 10, 11, 30), 41003)).toBe('blocked');
  });

  it('reopens a connection closed by FIN or reset by its client; a SYN after the server reset it is ignored (passes as the old flow)', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    const R = 0x04;
    const RA = 0x14;
    const handshake = (port: number) => [
      tcpFrame(HMI, PLC, port, 502, S),
      tcpFrame(PLC, HMI, 502, port, SA),
      tcpFrame(HMI, PLC, port, 502, A),
    ];
    expect(
      run(sim, [
        ...handshake(40000),
        tcpFrame(HMI, PLC, 40000, 502, FA),
        tcpFrame(PLC, HMI, 502, 40000, FA),
        tcpFrame(HMI, PLC, 40000, 502, A),
        tcpFrame(HMI, PLC, 40000, 502, S),
        ...handshake(40001).slice(0, 2),
        tcpFrame(PLC, HMI, 502, 40001, RA),
        tcpFrame(HMI, PLC, 40001, 502, S),
        ...handshake(40002).slice(0, 2),
        tcpFrame(HMI, PLC, 40002, 502, R),
        tcpFrame(HMI, PLC, 40002, 502, S),
      ]),
    ).toEqual([
      ...['allowed', 'established', 'established', 'established', 'established', 'established'],
      'allowed',
      ...['allowed', 'established', 'established', 'established'],
      ...['allowed', 'established', 'established', 'allowed'],
    ]);
  });

  it('expires a flow after the conntrack timeout of its state, by capture time', () => {
    const sim = createSimulation(policy('  out-of-profile: block'), NOON);
    const at = (ms: number, f: Uint8Array) => OUTCOME_NAMES[simulateFrame(sim, 1, f, 0, f.length, ms)];
    expect(at(NOON, udpFrame(HMI, PLC, 5000, 502))).toBe('blocked');
    expect(at(NOON, tcpFrame(HMI, PLC, 40000, 502, S))).toBe('allowed');
    expect(at(NOON + 1000, tcpFrame(PLC, HMI, 502, 40000, SA))).toBe('established');
    // SYN_RECV lasts 60 s; a reply long after is no longer part of a flow.
    expect(at(NOON + 120_000, tcpFrame(PLC, HMI, 502, 40000, SA))).toBe('invalid');
  });

  it('relates an ICMP error to the flow it quotes; an unrelated one is invalid', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    const syn = ipv4Packet({ src: HMI, dst: PLC, protocol: 6 }, tcp({ sport: 40000, dport: 502, flags: S }));
    const unreachable = (quoted: Uint8Array) =>
      ethernet(
        { dst: '02:00:00:00:00:02', type: 0x0800 },
        ipv4Packet(
          { src: PLC, dst: HMI, protocol: 1 },
          icmp(3, 3, bytes([0, 0, 0, 0], quoted.subarray(0, 28))),
        ),
      );
    const other = ipv4Packet(
      { src: HMI, dst: PLC, protocol: 6 },
      tcp({ sport: 40999, dport: 502, flags: S }),
    );
    expect(run(sim, [tcpFrame(HMI, PLC, 40000, 502, S), unreachable(syn), unreachable(other)])).toEqual([
      'allowed',
      'established',
      'invalid',
    ]);
  });
});

describe('IPv6', () => {
  const source = `version: 1
site: unit6
zones:
  cell6: { networks: ["fd20::/64"] }
assets:
  hmi6: { ip: "fd20::50", zone: cell6 }
  plc6: { ip: "fd20::1:10", zone: cell6 }
services:
  modbus: { tcp: [502] }
rules:
  - { name: hmi6-polls, from: hmi6, to: plc6, services: [modbus] }
enforcement:
  out-of-profile: quarantine
`;
  const v6 = (src: string, dst: string, protocol: number, payload: Uint8Array, hopLimit = 64) => {
    const p = ipv6Packet({ src, dst, protocol }, payload);
    p[7] = hopLimit;
    return ethernet({ dst: '02:00:00:00:00:02', type: 0x86dd }, p);
  };
  it('allows, establishes, accepts neighbour discovery, and quarantines by IPv6 source', () => {
    const { policy: p } = parsePolicy(source, 'policy.yaml');
    const sim = createSimulation(p!, NOON);
    expect(
      run(sim, [
        v6('fd20::50', 'fd20::1:10', 6, tcp({ sport: 40000, dport: 502, flags: S })),
        v6('fd20::1:10', 'fd20::50', 6, tcp({ sport: 502, dport: 40000, flags: SA })),
        v6('fd20::50', 'fd20::1:10', 58, icmp(135, 0, new Uint8Array(20)), 255),
        v6('fd20::50', 'fd20::1:10', 58, icmp(135, 0, new Uint8Array(20)), 64),
        v6('fd20::66', 'fd20::1:10', 6, tcp({ sport: 40001, dport: 502, flags: S })),
        v6('fd20::1:10', 'fd20::66', 6, tcp({ sport: 502, dport: 40001, flags: SA })),
      ]),
    ).toEqual(['allowed', 'established', 'discovery', 'quarantined', 'quarantined', 'from-quarantined']);
    expect(
      simulationReport(sim)
        .sources.filter((s) => s.quarantinedAt !== undefined)
        .map((s) => s.address),
    ).toEqual(['fd20::50', 'fd20::66']);
  });
});

describe('the bridge table', () => {
  it('passes ARP and drops other EtherTypes when l2 default is drop', () => {
    const sim = createSimulation(
      policy('  out-of-profile: quarantine\n  l2: { allow: [arp], default: drop }'),
      NOON,
    );
    const arpFrame = ethernet(
      { type: 0x0806 },
      arp({ op: 1, senderMac: '02:00:00:00:00:01', senderIp: HMI, targetIp: PLC }),
    );
    const lldp = ethernet({ dst: '01:80:c2:00:00:0e', type: 0x88cc }, new Uint8Array(40));
    const tagged = ethernet(
      { dst: '02:00:00:00:00:02', type: 0x0800, vlans: [[0x8100, 5]] },
      ipv4Packet({ src: HMI, dst: PLC, protocol: 6 }, tcp({ sport: 40000, dport: 502, flags: S })),
    );
    expect(run(sim, [arpFrame, lldp, tagged])).toEqual(['l2-allowed', 'l2-dropped', 'allowed']);
  });
});

describe('protocol rules', () => {
  const modbus = (fc: number, tid: number) => bytes([0, tid, 0, 0, 0, 6, 1, fc, 0, 0, 0, 1]);
  const rules = `  - name: hmi-reads-plc
    from: hmi
    to: plc
    services: [modbus]
    modbus: { functions: [read-holding-registers] }
`;
  function protocolPolicy(enforcement: string): Policy {
    const p = policy(enforcement);
    const extra = parsePolicy(
      `version: 1
site: unit
zones:
  scada: { networks: [10.20.0.0/24] }
  cell: { networks: [10.20.1.0/24] }
assets:
  hmi: { ip: ${HMI}, zone: scada }
  plc: { ip: ${PLC}, zone: cell }
services:
  modbus: { tcp: [502] }
rules:
${rules}enforcement:
${enforcement}
`,
      'policy.yaml',
    );
    void p;
    return extra.policy!;
  }
  const session = (writeFc: number) => [
    tcpFrame(HMI, PLC, 40000, 502, S, undefined, 100),
    tcpFrame(PLC, HMI, 502, 40000, SA, undefined, 900),
    tcpFrame(HMI, PLC, 40000, 502, A, undefined, 101),
    tcpFrame(HMI, PLC, 40000, 502, PA, modbus(3, 1), 101),
    tcpFrame(HMI, PLC, 40000, 502, PA, modbus(writeFc, 2), 113),
  ];

  it('the node drops a Modbus write the rule forbids, reports it, and quarantines the source', () => {
    const sim = createSimulation(protocolPolicy('  out-of-profile: quarantine'), NOON);
    expect(run(sim, [...session(6), tcpFrame(HMI, PLC, 40000, 502, PA, modbus(3, 3), 113)])).toEqual([
      'allowed',
      'established',
      'established',
      'established',
      'protocol-dropped',
      'from-quarantined',
    ]);
    const report = simulationReport(sim);
    expect(report.findings[0]?.what).toMatch(/Modbus write to holding register/);
    expect(report.sources.find((s) => s.address === HMI)?.quarantinedAt?.frame).toBe(5);
  });

  it('in block mode drops only the write', () => {
    const sim = createSimulation(protocolPolicy('  out-of-profile: block'), NOON);
    expect(run(sim, [...session(6), tcpFrame(HMI, PLC, 40000, 502, PA, modbus(3, 3), 113)]).slice(4)).toEqual(
      ['protocol-dropped', 'established'],
    );
  });

  it('in monitor mode reports the write as would-block and passes it', () => {
    const sim = createSimulation(protocolPolicy('  mode: monitor'), NOON);
    expect(run(sim, session(6)).slice(3)).toEqual(['established', 'would-block']);
    expect(simulationReport(sim).findings[0]?.wouldBlock).toBe(true);
  });

  it('without a node, a fail-closed zone drops every queued packet', () => {
    const sim = createSimulation(protocolPolicy('  out-of-profile: block'), NOON, { node: false });
    expect(run(sim, session(3)).slice(0, 1)).toEqual(['unjudged']);
  });
});

describe('bounded memory', () => {
  it('forgets the least recently used flows when the table is full, and says so', () => {
    const sim = createSimulation(policy('  out-of-profile: alert'), NOON, { maxFlows: 16 });
    run(
      sim,
      Array.from({ length: 100 }, (_, i) => udpFrame(ATTACKER, PLC, 1000 + i, 9)),
      NOON,
      1,
    );
    const r = simulationReport(sim);
    expect(r.flows.forgotten).toBeGreaterThan(0);
    expect(r.flows.peak).toBeLessThanOrEqual(16);
  });
});

describe('the quarantine set', () => {
  it('holds 65,536 sources like the kernel set; when full, an out-of-profile packet is only dropped', () => {
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    const frame = udpFrame('172.16.0.0', PLC, 5000, 9);
    const outcomes = new Map<string, number>();
    for (let i = 0; i <= 65_536; i++) {
      frame.set([172, 16 + (i >> 16), (i >> 8) & 255, i & 255], 26);
      const o = OUTCOME_NAMES[simulateFrame(sim, 1, frame, 0, frame.length, NOON + i)]!;
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ quarantined: 65_536, blocked: 1 });
    // After the quarantine duration (1 h by default) the set has room again.
    frame.set([172, 30, 0, 1], 26);
    expect(OUTCOME_NAMES[simulateFrame(sim, 1, frame, 0, frame.length, NOON + 3_700_000)]).toBe(
      'quarantined',
    );
  });
});

describe('the verdict decoder', () => {
  it('never throws on random or cut frames', () => {
    const f = createVerdictFields();
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    const base = tcpFrame(HMI, PLC, 40000, 502, PA, new Uint8Array(12));
    for (let i = 0; i < 2_000; i++) {
      const b = Uint8Array.from(base);
      for (let k = next() % 6; k > 0; k--) b[next() % b.length] = next() & 0xff;
      const end = next() % (b.length + 1);
      for (const linktype of [1, 101, 113, 276, 0])
        expect(() => decodeVerdictFields(f, linktype, b, 0, end)).not.toThrow();
    }
    const sim = createSimulation(policy('  out-of-profile: quarantine'), NOON);
    expect(OUTCOME_NAMES[simulateFrame(sim, 1, base, 0, 10, NOON)]).toBe('undecodable');
    expect(OUTCOME.undecodable).toBe(15);
  }, 30_000);
});
