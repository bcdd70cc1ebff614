import { describe, expect, it } from 'vitest';
import { ratio, renderDataplaneSection, renderTables, spread } from './report.js';
import type { ConfigResult, DataplaneResults } from './results.js';
import { checkTargets } from './targets.js';

const config = (id: string, kind: ConfigResult['kind'], pps: number, tuples?: number): ConfigResult => ({
  id,
  label: id,
  kind,
  ...(tuples === undefined ? {} : { tuples }),
  newFlowPps: [pps * 0.9, pps, pps * 1.1],
  newFlowCpuPps: [pps],
  oneFlowPps: [pps],
  tcpGbps: [10],
  notes: [],
});

const results = (picketPps: number, applyMs: number, elementMs: number): DataplaneResults => ({
  date: '2026-11-25T22:00:00Z',
  command: 'npm run bench -- dataplane',
  durationS: 200,
  loadAverage: { start: 1, end: 2 },
  machine: {
    cpu: 'cpu',
    cores: 2,
    memoryGiB: 4,
    kernel: '6.18',
    nft: 'v1.0.6',
    node: 'v20',
    iperf3: 'i',
    hping3: 'h',
  },
  method: {
    rounds: 3,
    floodsPerRound: 2,
    floodSeconds: 2,
    iperfSeconds: 2,
    floodFrameBytes: 60,
    iperfUdpPayloadBytes: 64,
    elementOps: 1000,
    spawnElementOps: 50,
    elementsAgainst: 'picket-100k',
  },
  configs: [
    config('bare', 'bare', 100_000),
    config('conntrack', 'conntrack', 80_000),
    config('picket-100k', 'picket', picketPps, 100_000),
    config('naive-10k', 'naive', 2_000, 10_000),
  ],
  applies: [
    {
      pairs: 100_000,
      elements: 100_003,
      compileMs: 1,
      renderMs: 1,
      textBytes: 1,
      applyMs: [applyMs],
      applyCpuMs: [applyMs],
    },
  ],
  elements: [
    { op: 'quarantine add', backend: 'ffi', samplesMs: [elementMs], cpuSamplesMs: [elementMs] },
    { op: 'permit add', backend: 'ffi', samplesMs: [elementMs], cpuSamplesMs: [elementMs] },
    { op: 'quarantine add', backend: 'spawn', samplesMs: [40], cpuSamplesMs: [1] },
  ],
});

describe('report', () => {
  it('formats the median and range, and ratios of medians', () => {
    expect(spread([3, 1, 2])).toBe('2 (1–3)');
    expect(ratio([50], [100])).toBe('0.50×');
    expect(ratio([5000], [100])).toBe('50×');
    expect(ratio([1], [])).toBe('n/a');
  });

  it('marks every target met when the numbers are good', () => {
    const checks = checkTargets(results(70_000, 700, 0.2));
    expect(checks.map((c) => c.met)).toEqual([true, true, true, true, true]);
  });

  it('marks targets not met honestly, using p99 and the spawn numbers never count', () => {
    const checks = checkTargets(results(60_000, 1200, 1.5));
    expect(checks.map((c) => c.met)).toEqual([false, true, false, false, false]);
    expect(renderTables(results(60_000, 1200, 1.5))).toContain('**NOT MET**');
  });

  it('explains the ceiling of the ratio to the naive list and the added per-packet costs', () => {
    const text = renderTables(results(70_000, 700, 0.2));
    expect(text).toContain('bare / naive 10k = 50.0×');
    expect(text).toContain('Picket 100k 4286 ns, naive 10k 490000 ns');
  });

  it('says "not measured" when a configuration is missing', () => {
    const r = { ...results(70_000, 700, 0.2), configs: [] };
    expect(checkTargets(r)[0]?.met).toBeNull();
  });

  it('renders the document with the command, the machine and every table', () => {
    const doc = renderDataplaneSection(results(70_000, 700, 0.2));
    expect(doc).toContain('`npm run bench -- dataplane`');
    expect(doc).toContain('| kernel | 6.18 |');
    expect(doc).toContain('| picket-100k | 100,000 | 70,000 (63,000–77,000) | 0.70× | 0.88× |');
    expect(doc).toContain('| picket-100k | 100,000 | 70,000 (70,000–70,000) | 0.70× | 0.88× | 4,286 |');
  });
});
