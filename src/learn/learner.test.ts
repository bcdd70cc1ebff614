import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse.js';
import { emitPolicy } from './emit.js';
import { createLearner, type Learner } from './learner.js';
import { parseOuiCsv } from './oui.js';
import type { Proposal } from './proposal.js';
import {
  arpRequest,
  connection,
  dnp3Request,
  macOf,
  modbusRequest,
  PSH_ACK,
  RST_ACK,
  S7_DOWNLOAD,
  S7_READ,
  SYN,
  tcpFrame,
  udpFrame,
} from './traffic.fixture.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const READ_HR = (address: number, quantity: number, unit = 1) => modbusRequest(unit, 3, [address, quantity]);

function learned(feed: (l: Learner) => void, options: Parameters<Learner['propose']>[0] = {}) {
  const l = createLearner();
  feed(l);
  const proposal = l.propose({ site: 'test', ...options });
  const text = emitPolicy(proposal);
  const parsed = parsePolicy(text, 'learned.yaml');
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { proposal, text, policy: parsed.policy! };
}

const assetAt = (p: Proposal, ip: string) => p.assets.find((a) => a.ip === ip);

describe('learn: inventory', () => {
  it('records the MAC a host sends from and its vendor from the IEEE registry', () => {
    const registry = parseOuiCsv(
      'Registry,Assignment,Organization Name,Organization Address\nMA-L,020000,"Example PLC Works, Inc.",Somewhere\n',
    );
    const { proposal, text } = learned(
      (l) =>
        connection(l, {
          client: '10.20.0.50',
          server: '10.20.1.10',
          port: 502,
          requests: [READ_HR(0, 10)],
          startMs: T0,
          repeat: 5,
        }),
      { registry },
    );
    expect(assetAt(proposal, '10.20.1.10')).toMatchObject({
      mac: macOf('10.20.1.10'),
      vendor: 'Example PLC Works, Inc.',
    });
    expect(text).toContain('Example PLC Works, Inc.');
  });

  it('gives no MAC to addresses behind a router (one MAC, many addresses)', () => {
    const router = '02:00:00:00:99:99';
    const { proposal } = learned((l) => {
      for (const [i, ip] of ['10.30.0.1', '10.30.0.2', '10.30.0.3'].entries()) {
        l.observe(T0 + i, 1, tcpFrame(ip, '10.20.1.10', 40_000, 502, SYN, undefined, router));
        l.observe(T0 + i, 1, tcpFrame('10.20.1.10', ip, 502, 40_000, 0x12));
        l.observe(T0 + i + 1, 1, tcpFrame(ip, '10.20.1.10', 40_000, 502, PSH_ACK, READ_HR(0, 1), router));
      }
    });
    const behind = assetAt(proposal, '10.30.0.2');
    expect(behind?.mac).toBeUndefined();
    expect(behind?.unsure.join(' ')).toContain('behind a router');
    expect(assetAt(proposal, '10.20.1.10')?.mac).toBe(macOf('10.20.1.10'));
  });
});

describe('learn: roles and protocols', () => {
  it('calls a Modbus server a plc, a client of three controllers scada, of one hmi, a writer engineering', () => {
    const { proposal } = learned((l) => {
      for (const [i, plc] of ['10.20.1.10', '10.20.1.11', '10.20.1.12'].entries()) {
        connection(l, {
          client: '10.20.0.5',
          server: plc,
          port: 502,
          clientPort: 41_000 + i,
          requests: [READ_HR(0, 4)],
          startMs: T0,
          repeat: 4,
        });
      }
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 502,
        requests: [READ_HR(0, 4)],
        startMs: T0,
        repeat: 4,
      });
      connection(l, {
        client: '10.20.0.20',
        server: '10.20.1.11',
        port: 502,
        requests: [modbusRequest(1, 6, [100, 7])],
        startMs: T0,
        repeat: 4,
      });
      connection(l, {
        client: '10.20.0.60',
        server: '10.20.2.10',
        port: 20000,
        requests: [dnp3Request(1)],
        startMs: T0,
        repeat: 4,
      });
    });
    const role = (ip: string) => assetAt(proposal, ip)?.role;
    expect([
      role('10.20.1.10'),
      role('10.20.0.5'),
      role('10.20.0.50'),
      role('10.20.0.20'),
      role('10.20.2.10'),
    ]).toEqual(['plc', 'scada', 'hmi', 'engineering', 'rtu']);
  });

  it('knows protocols by content: Modbus on 5020 is Modbus, HTTP on 502 is not', () => {
    const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const { proposal } = learned((l) => {
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 5020,
        requests: [READ_HR(0, 2)],
        startMs: T0,
        repeat: 3,
      });
      connection(l, {
        client: '10.20.0.51',
        server: '10.20.1.11',
        port: 502,
        requests: [http],
        startMs: T0,
        repeat: 3,
      });
    });
    expect(proposal.services).toContainEqual({
      name: 'modbus-5020',
      ports: [{ transport: 'tcp', from: 5020, to: 5020 }],
      protocol: 'modbus',
    });
    expect(proposal.services).toContainEqual({
      name: 'http-502',
      ports: [{ transport: 'tcp', from: 502, to: 502 }],
      protocol: 'http',
    });
    expect(proposal.rules.find((r) => r.services.includes('http-502'))?.protocol).toBeUndefined();
    expect(assetAt(proposal, '10.20.1.11')?.role).toBe('unknown');
  });

  it('learns Modbus functions, units and exact address spans (merged only where they touch)', () => {
    const requests = [READ_HR(0, 10), READ_HR(10, 5), READ_HR(100, 2), modbusRequest(2, 4, [7, 1])];
    const { proposal, policy } = learned((l) =>
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 502,
        requests,
        startMs: T0,
        repeat: 3,
      }),
    );
    expect(proposal.rules[0]?.protocol).toEqual({
      kind: 'modbus',
      functions: [3, 4],
      units: [1, 2],
      read: [
        { from: 0, to: 14 },
        { from: 100, to: 101 },
      ],
    });
    expect(policy.rules[0]?.protocol).toMatchObject({
      kind: 'modbus',
      functions: [3, 4],
      read: [
        { from: 0, to: 14 },
        { from: 100, to: 101 },
      ],
    });
  });

  it('widens address spans only with --generalize', () => {
    const requests = [READ_HR(0, 10), READ_HR(20, 5)];
    const exact = learned((l) =>
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 502,
        requests,
        startMs: T0,
        repeat: 3,
      }),
    );
    const wide = learned(
      (l) =>
        connection(l, {
          client: '10.20.0.50',
          server: '10.20.1.10',
          port: 502,
          requests,
          startMs: T0,
          repeat: 3,
        }),
      { generalize: true },
    );
    const readOf = (p: Proposal) =>
      p.rules[0]?.protocol?.kind === 'modbus' ? p.rules[0].protocol.read : undefined;
    expect(readOf(exact.proposal)).toEqual([
      { from: 0, to: 9 },
      { from: 20, to: 24 },
    ]);
    expect(readOf(wide.proposal)).toEqual([{ from: 0, to: 24 }]);
    expect(wide.text).toContain('# unsure: --generalize: 2 address spans joined into 1');
  });

  it('lists only the ports seen, and makes a range of unknown high ports only with --generalize', () => {
    const feed = (l: Learner) => {
      for (const port of [50_010, 50_020, 50_014]) {
        connection(l, {
          client: '10.20.0.7',
          server: '10.20.0.8',
          port,
          clientPort: 40_000 + port - 50_000,
          requests: [Uint8Array.of(1, 2, 3)],
          startMs: T0,
          repeat: 4,
        });
      }
    };
    const exact = learned(feed);
    expect(exact.proposal.services.map((s) => s.name)).toEqual(['tcp-50010', 'tcp-50014', 'tcp-50020']);
    const wide = learned(feed, { generalize: true });
    expect(wide.proposal.services).toEqual([
      { name: 'tcp-50010-50020', ports: [{ transport: 'tcp', from: 50_010, to: 50_020 }] },
    ]);
    expect(wide.text).toContain('# unsure: --generalize: ports 50010, 50014, 50020 widened to 50010-50020');
    expect(wide.policy.services[0]?.ports).toEqual([{ transport: 'tcp', from: 50_010, to: 50_020 }]);
  });

  it('takes the first sender as the client without a SYN (as conntrack does), and a UDP reply after 30 s as a flow of its own', () => {
    const { proposal } = learned((l) => {
      // Mid-connection TCP on ports nobody registered: the first packet's sender is the client.
      l.observe(T0, 1, tcpFrame('10.20.0.7', '10.20.0.8', 60_000, 3000, PSH_ACK, Uint8Array.of(1)));
      l.observe(T0 + 1, 1, tcpFrame('10.20.0.8', '10.20.0.7', 3000, 60_000, PSH_ACK, Uint8Array.of(2)));
      // UDP: a request, its reply, then the other side speaks first after a minute of silence.
      l.observe(T0, 1, udpFrame('10.20.0.9', '10.20.0.10', 1067, 5026));
      l.observe(T0 + 10, 1, udpFrame('10.20.0.10', '10.20.0.9', 5026, 1067));
      l.observe(T0 + 70_000, 1, udpFrame('10.20.0.10', '10.20.0.9', 5026, 1067));
    });
    const pairs = proposal.rules.map((r) => `${r.from} ${r.to} ${r.services.join(',')}`).sort();
    expect(pairs).toEqual([
      'unknown-10-20-0-10 unknown-10-20-0-9 udp-1067',
      'unknown-10-20-0-7 unknown-10-20-0-8 tcp-3000',
      'unknown-10-20-0-9 unknown-10-20-0-10 udp-5026',
    ]);
  });

  it('joins a Modbus request split over two segments', () => {
    const req = READ_HR(40, 3);
    const { proposal } = learned((l) => {
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 502,
        requests: [READ_HR(0, 1)],
        startMs: T0,
        repeat: 3,
      });
      l.observe(T0 + 5000, 1, tcpFrame('10.20.0.50', '10.20.1.10', 40_000, 502, PSH_ACK, req.subarray(0, 5)));
      l.observe(T0 + 5001, 1, tcpFrame('10.20.0.50', '10.20.1.10', 40_000, 502, PSH_ACK, req.subarray(5)));
    });
    const c = proposal.rules[0]?.protocol;
    expect(c?.kind === 'modbus' ? c.read : undefined).toEqual([
      { from: 0, to: 0 },
      { from: 40, to: 42 },
    ]);
  });

  it('learns S7 operations (a download makes an engineering station) and DNP3 functions', () => {
    const { proposal, text } = learned((l) => {
      connection(l, {
        client: '10.20.0.20',
        server: '10.20.1.30',
        port: 102,
        requests: [S7_READ, S7_DOWNLOAD],
        startMs: T0,
        repeat: 3,
      });
      connection(l, {
        client: '10.20.0.60',
        server: '10.20.2.10',
        port: 20000,
        requests: [dnp3Request(1), dnp3Request(5)],
        startMs: T0,
        repeat: 3,
      });
    });
    expect(proposal.rules.map((r) => r.protocol)).toEqual(
      expect.arrayContaining([
        { kind: 's7', allow: ['download', 'read'] },
        { kind: 'dnp3', functions: [1, 5] },
      ]),
    );
    expect(assetAt(proposal, '10.20.0.20')?.role).toBe('engineering');
    expect(text).toContain('dnp3: { functions: [read, direct-operate] }');
  });
});

describe('learn: groups, rules and provenance', () => {
  it('groups hosts with the same role and peers, and writes provenance and unsure marks', () => {
    const { proposal, text, policy } = learned((l) => {
      for (const [i, hmi] of ['10.20.0.50', '10.20.0.51'].entries()) {
        for (const [j, plc] of ['10.20.1.10', '10.20.1.11'].entries()) {
          connection(l, {
            client: hmi,
            server: plc,
            port: 502,
            clientPort: 40_000 + i * 10 + j,
            requests: [READ_HR(0, 8)],
            startMs: T0,
            repeat: 6,
          });
        }
      }
      l.observe(T0, 1, udpFrame('10.20.0.70', '10.20.0.5', 50_000, 123));
    });
    expect(proposal.groups.map((g) => g.assets)).toEqual([
      ['hmi-10-20-0-50', 'hmi-10-20-0-51'],
      ['plc-10-20-1-10', 'plc-10-20-1-11'],
    ]);
    const rule = policy.rules.find((r) => r.from.kind === 'group');
    expect(rule).toMatchObject({ from: { kind: 'group' }, to: { kind: 'group' }, services: ['modbus'] });
    expect(text).toMatch(
      /# 2026-01-05T08:00:00Z – 2026-01-05T08:00:00\.\d+Z: 56 packets, 4 flows, 4 pairs\n {2}- name: hmi-group-1-to-plc-group-2-modbus/,
    );
    expect(text).toMatch(/# unsure: only 1 packet\n {2}# unsure: protocol ntp from port 123 only/);
    expect(policy.enforcement.mode).toBe('monitor');
    expect(text).toContain(
      '# never: list the controllers that must never be cut off, e.g. [plc-10-20-1-10, plc-10-20-1-11]',
    );
  });

  it('proposes a schedule for a flow seen only in a tight daily window over several days', () => {
    const day = 86_400_000;
    const { proposal, policy } = learned((l) => {
      for (let d = 0; d < 4; d++) {
        const base = Date.UTC(2026, 0, 5) + d * day;
        for (const hour of [8, 14, 20]) {
          connection(l, {
            client: '10.20.0.50',
            server: '10.20.1.10',
            port: 502,
            clientPort: 40_000 + d * 100 + hour,
            requests: [READ_HR(0, 1)],
            startMs: base + hour * 3_600_000,
            repeat: 3,
          });
        }
        connection(l, {
          client: '10.20.0.5',
          server: '10.20.1.10',
          port: 502,
          clientPort: 41_000 + d,
          requests: [READ_HR(0, 1)],
          startMs: base + 2 * 3_600_000 + 600_000,
          repeat: 5,
        });
      }
    });
    expect(proposal.schedules).toEqual([
      expect.objectContaining({ name: 'seen-02-03-daily', from: '02:00', to: '03:00', timezone: 'UTC' }),
    ]);
    const scheduled = policy.rules.filter((r) => r.when !== undefined);
    expect(scheduled.map((r) => r.from.name)).toEqual(['hmi-10-20-0-5']);
  });
});

describe('learn: reconnaissance is reported and left out', () => {
  it('leaves out a SYN port scan and its source', () => {
    const { proposal, text } = learned((l) => {
      connection(l, {
        client: '10.20.0.50',
        server: '10.20.1.10',
        port: 502,
        requests: [READ_HR(0, 1)],
        startMs: T0,
        repeat: 5,
      });
      for (let port = 1; port <= 100; port++) {
        l.observe(T0 + port, 1, tcpFrame('10.20.0.66', '10.20.1.10', 55_555, port, SYN));
        if (port !== 502)
          l.observe(T0 + port, 1, tcpFrame('10.20.1.10', '10.20.0.66', port, 55_555, RST_ACK));
      }
    });
    expect(proposal.recon).toEqual([expect.objectContaining({ kind: 'port-scan', source: '10.20.0.66' })]);
    expect(assetAt(proposal, '10.20.0.66')).toBeUndefined();
    expect(proposal.rules.map((r) => r.from)).toEqual(['hmi-10-20-0-50']);
    expect(text).toContain('# Reconnaissance seen and left out');
  });

  it('reports an ARP sweep, and does not mistake a SCADA server polling 20 PLCs for a sweep', () => {
    const { proposal } = learned((l) => {
      for (let i = 1; i <= 30; i++) l.observe(T0 + i * 10, 1, arpRequest('10.20.1.99', `10.20.1.${100 + i}`));
      for (let i = 0; i < 20; i++) {
        connection(l, {
          client: '10.20.0.5',
          server: `10.20.1.${10 + i}`,
          port: 502,
          clientPort: 40_000 + i,
          requests: [READ_HR(0, 2)],
          startMs: T0 + i,
          repeat: 3,
        });
      }
    });
    expect(proposal.recon.map((f) => [f.kind, f.source])).toEqual([['arp-sweep', '10.20.1.99']]);
    expect(assetAt(proposal, '10.20.0.5')?.role).toBe('scada');
  });
});

describe('learn: bounds', () => {
  it('stops taking new hosts at the cap and says so', () => {
    const l = createLearner({ limits: { maxHosts: 4 } });
    for (let i = 0; i < 10; i++) l.observe(T0 + i, 1, udpFrame(`10.0.0.${i + 1}`, '10.0.0.200', 40_000, 161));
    const p = l.propose();
    expect(l.state.hosts.length).toBe(4);
    expect(p.warnings.join('\n')).toContain('limit reached: hosts (4)');
  });

  it('never throws on garbage frames of any link type', () => {
    const l = createLearner();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const frame = tcpFrame('10.0.0.1', '10.0.0.2', 40_000, 502, PSH_ACK, READ_HR(0, 1));
    for (let i = 0; i < 20_000; i++) {
      const f = frame.slice(0, Math.floor(random() * (frame.length + 1)));
      for (let k = 0; k < 3; k++)
        if (f.length > 0) f[Math.floor(random() * f.length)] = Math.floor(random() * 256);
      l.observe(T0 + i, [0, 1, 101, 113, 276][i % 5]!, f);
    }
    expect(() => emitPolicy(l.propose())).not.toThrow();
  });
});

describe('learn: zones from communication clusters', () => {
  it('cuts a subnet holding two cells, each polled by its own HMI, into two zones', () => {
    const { proposal, policy } = learned((l) => {
      const polls: [string, string][] = [
        ['10.20.0.50', '10.20.1.10'],
        ['10.20.0.50', '10.20.1.11'],
        ['10.20.0.60', '10.20.1.200'],
        ['10.20.0.60', '10.20.1.201'],
      ];
      for (const [i, [client, server]] of polls.entries()) {
        connection(l, {
          client,
          server,
          port: 502,
          clientPort: 41_000 + i,
          requests: [READ_HR(0, 10)],
          startMs: T0 + i * 1000,
          repeat: 5,
        });
      }
    });
    const zoneOf = (ip: string) => proposal.zones.find((z) => z.name === assetAt(proposal, ip)?.zone);
    expect(zoneOf('10.20.1.10')?.networks).toEqual(['10.20.1.0/25']);
    expect(zoneOf('10.20.1.201')?.networks).toEqual(['10.20.1.128/25']);
    expect(zoneOf('10.20.1.10')?.why).toMatch(/communication cluster/);
    // The HMIs are one device per cluster: their subnet stays one zone.
    expect(zoneOf('10.20.0.50')?.networks).toEqual(['10.20.0.0/24']);
    expect(policy.zones.length).toBe(3);
  });
});
