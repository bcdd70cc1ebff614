import { describe, expect, it } from 'vitest';
import type { PacketEvent } from '../sense/packet-event.js';
import { healthOf, type NodeStatus } from './health.js';
import { escapeLabel, type NodeSnapshot, renderMetrics } from './metrics.js';
import { ruleCountersFrom } from './rule-counters.js';
import { createFlowTelemetry, zoneLookup } from './telemetry.js';

const snapshot: NodeSnapshot = {
  node: 'node-a',
  mode: 'bridge',
  uptimeSeconds: 42,
  rules: [
    { rule: 'policy.yaml:31 rules', verdict: 'accept', packets: 10, bytes: 600 },
    { rule: 'policy.yaml:52 out-of-profile: quarantine', verdict: 'drop', packets: 3, bytes: 180 },
  ],
  rulesReadAtSeconds: 1_700_000_000,
  zonePairs: [{ from: 'scada', to: 'cell-a', origin: 'quarantine', packets: 2, bytes: 88 }],
  detectionsByKind: { scan: 1, 'out-of-profile': 4 },
  actionsByType: { quarantine: 1 },
  quarantineSize: 1,
  intake: { received: 7, overruns: 0, lost: 0, ratePerSecond: 1.5 },
  events: { processed: 7, dropped: 0, queued: 0 },
  apply: { lastDurationMs: 12.5, lastSuccess: true, lastSuccessAtSeconds: 1_700_000_001, failures: 0 },
  driftTotal: 2,
  memory: { rssBytes: 50_000_000, heapUsedBytes: 10_000_000 },
};

describe('renderMetrics', () => {
  const text = renderMetrics(snapshot);

  it('gives every metric HELP and TYPE before its samples', () => {
    const lines = text.trimEnd().split('\n');
    const names = new Set(lines.filter((l) => !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    for (const name of names) {
      const help = lines.indexOf(lines.find((l) => l.startsWith(`# HELP ${name} `)) ?? '');
      const type = lines.indexOf(lines.find((l) => l.startsWith(`# TYPE ${name} `)) ?? '');
      const first = lines.findIndex((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
      expect(help, name).toBeGreaterThanOrEqual(0);
      expect(type, name).toBe(help + 1);
      expect(first, name).toBeGreaterThan(type);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it.each([
    'picket_rule_packets_total{node="node-a",rule="policy.yaml:31 rules",verdict="accept"} 10',
    'picket_rule_bytes_total{node="node-a",rule="policy.yaml:52 out-of-profile: quarantine",verdict="drop"} 180',
    'picket_zone_pair_packets_total{node="node-a",from_zone="scada",to_zone="cell-a",origin="quarantine"} 2',
    'picket_detections_total{node="node-a",kind="out-of-profile"} 4',
    'picket_quarantine_size{node="node-a"} 1',
    'picket_intake_received_total{node="node-a"} 7',
    'picket_apply_last_success{node="node-a"} 1',
    'picket_apply_duration_ms{node="node-a"} 12.5',
    'picket_drift_total{node="node-a"} 2',
    'picket_process_resident_memory_bytes{node="node-a"} 50000000',
  ])('has %s', (line) => {
    expect(text.split('\n')).toContain(line);
  });

  it('leaves out what the node does not have', () => {
    const bare = renderMetrics({ ...snapshot, intake: undefined, queueVerdicts: undefined });
    expect(bare).not.toContain('picket_intake_');
    expect(bare).not.toContain('picket_queue_verdicts_total');
    expect(renderMetrics({ ...snapshot, queueVerdicts: { accept: 3 } })).toContain(
      'picket_queue_verdicts_total{node="node-a",verdict="accept"} 3',
    );
  });

  it('escapes label values', () => {
    expect(escapeLabel('a "b"\\c\nd')).toBe('a \\"b\\"\\\\c\\nd');
  });
});

describe('ruleCountersFrom', () => {
  it('sums rules that share a comment and verdict, skips rules without counters', () => {
    const rule = (comment: string, verdict: string, packets?: number) => ({
      rule: {
        comment,
        expr: [
          { match: {} },
          ...(packets === undefined ? [] : [{ counter: { packets, bytes: packets * 60 } }]),
          { [verdict]: null },
        ],
      },
    });
    const doc = {
      nftables: [
        { metainfo: {} },
        { chain: {} },
        rule('p.yaml:9 rules', 'accept', 2),
        rule('p.yaml:9 rules', 'accept', 3),
        rule('p.yaml:20 log', 'log'),
        rule('p.yaml:20 tail', 'drop', 1),
      ],
    };
    expect(ruleCountersFrom(doc)).toEqual([
      { rule: 'p.yaml:9 rules', verdict: 'accept', packets: 5, bytes: 300 },
      { rule: 'p.yaml:20 tail', verdict: 'drop', packets: 1, bytes: 60 },
    ]);
    expect(ruleCountersFrom(undefined)).toEqual([]);
  });
});

describe('flow telemetry', () => {
  const zones = [
    { name: 'plant', networks: [{ family: 4 as const, address: '10.20.0.0', length: 16 }], loc: at },
    { name: 'cell', networks: [{ family: 4 as const, address: '10.20.1.0', length: 24 }], loc: at },
  ];
  const event = (srcIp: string, dstIp: string): PacketEvent => ({
    timeMs: 0,
    origin: 'block',
    srcIp,
    dstIp,
    length: 60,
    summary: '',
  });

  it('finds the longest prefix and counts per pair', () => {
    const zoneOf = zoneLookup(zones);
    expect([zoneOf('10.20.1.5'), zoneOf('10.20.9.9'), zoneOf('8.8.8.8'), zoneOf(undefined)]).toEqual([
      'cell',
      'plant',
      'outside',
      'outside',
    ]);
    const t = createFlowTelemetry(zones);
    t.add(event('10.20.0.66', '10.20.1.10'));
    t.add(event('10.20.0.66', '10.20.1.11'));
    expect(t.snapshot()).toEqual([{ from: 'plant', to: 'cell', origin: 'block', packets: 2, bytes: 120 }]);
  });
});

describe('healthOf', () => {
  const ok: NodeStatus = {
    node: 'n',
    mode: 'bridge',
    startedAtMs: 0,
    policyHash: 'abc',
    lastApply: { atMs: 1000, ok: true, hash: 'abc', durationMs: 5 },
    intake: { kind: 'nflog', running: true, received: 0, overruns: 0, lost: 0, ratePerSecond: 0 },
    eventsDropped: 0,
  };

  it('is ok while the policy is in force and intake runs', () => {
    expect(healthOf(ok, 61_000)).toMatchObject({
      status: 'ok',
      reasons: [],
      uptimeSeconds: 61,
      policyHash: 'abc',
    });
  });

  it.each([
    [
      'a refused policy',
      {
        lastApply: { atMs: 2000, ok: false },
        lastError: { atMs: 2000, code: 'policy-refused', message: 'x' },
      },
    ],
    ['no policy at all', { policyHash: undefined }],
    ['a stopped intake', { intake: { ...ok.intake!, running: false } }],
  ])('is degraded by %s', (_name, change) => {
    expect(healthOf({ ...ok, ...change } as NodeStatus, 3000).status).toBe('degraded');
  });
});

const at = { file: 'p.yaml', line: 1, col: 1 };
