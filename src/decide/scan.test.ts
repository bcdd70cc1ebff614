import { describe, expect, it } from 'vitest';
import { createDecideState, decide, flush } from './decide.js';
import type { Action, Detection } from './decision.js';
import { packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const thresholds = { scanHosts: 5, scanPorts: 8, scanWindowMs: 10_000 };

function scans(actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type !== 'alert' && a.type !== 'record') || a.detection.kind !== 'scan' ? [] : [a.detection],
  );
}

/** Feeds `n` packets from one source, `stepMs` apart, with hosts/ports from `at(i)`; returns every action. */
function feed(
  n: number,
  stepMs: number,
  at: (i: number) => [string, number],
  fields = {},
  ctx = plantContext('enforce', 'quarantine', { thresholds }),
): Action[] {
  const state = createDecideState();
  const out: Action[] = [];
  for (let i = 0; i < n; i++) {
    const [dst, port] = at(i);
    out.push(...decide(state, packet('10.20.0.66', dst, port, fields), T0 + i * stepMs, ctx));
  }
  return [...out, ...flush(state, T0 + n * stepMs, true)];
}

describe('scan detector', () => {
  it.each([
    ['a sweep of 5 hosts', 5, 100, (i: number) => [`10.20.1.${100 + i}`, 502], 1, 'reached 5 distinct hosts'],
    ['4 hosts is not a sweep', 4, 100, (i: number) => [`10.20.1.${100 + i}`, 502], 0, ''],
    ['a port scan of 8 ports', 8, 100, (i: number) => ['10.20.1.11', 1 + i], 1, 'reached 8 distinct ports'],
    ['7 ports is not a scan', 7, 100, (i: number) => ['10.20.1.11', 1 + i], 0, ''],
    ['the same port and host repeated', 50, 100, () => ['10.20.1.11', 502], 0, ''],
    ['a slow sweep outside the window', 10, 3000, (i: number) => [`10.20.1.${100 + i}`, 502], 0, ''],
  ] as const)('%s', (_name, n, stepMs, at, expected, reason) => {
    const found = scans(feed(n, stepMs, at as (i: number) => [string, number]));
    expect(found).toHaveLength(expected);
    if (expected > 0) {
      expect(found[0]).toMatchObject({ source: '10.20.0.66', severity: 'high', producer: 'detector:scan' });
      expect(found[0]?.reason).toContain(reason);
      expect(found[0]?.evidence).toBe(
        '10.20.0.66:40000 → 10.20.1.100:502 tcp S len 44'.replace(
          '10.20.1.100:502',
          `${(at as (i: number) => [string, number])(0).join(':')}`,
        ),
      );
    }
  });

  it.each([
    ['enforce', 'quarantine', 'quarantined', true],
    ['enforce', 'block', 'blocked', false],
    ['enforce', 'alert', 'alerted', false],
    ['monitor', 'quarantine', 'would-block', false],
  ] as const)('%s/%s contains the scanner: %s', (mode, action, taken, quarantines) => {
    const ctx = plantContext(mode, action, { thresholds });
    const out = feed(5, 10, (i) => [`10.20.1.${100 + i}`, 502], { origin: 'capture' }, ctx);
    expect(scans(out)[0]?.action).toBe(taken);
    expect(out.some((a) => a.type === 'quarantine' && a.address === '10.20.0.66')).toBe(quarantines);
  });

  it('folds the rest of the scan into the detection instead of opening new ones', () => {
    const out = feed(200, 1, (i) => [`10.20.1.${i % 250}`, 502], { origin: 'capture' });
    const found = scans(out);
    expect(new Set(found.map((d) => d.id)).size).toBe(1);
    expect(found.at(-1)?.count).toBe(196);
  });

  it('in sensor mode counts only connection attempts, not replies', () => {
    const found = scans(
      feed(20, 10, (i) => [`10.20.1.${100 + i}`, 502], { origin: 'capture', tcpFlags: 'SA' }),
    );
    expect(found).toHaveLength(0);
  });

  it('a never-list asset that scans is alerted on as critical, never quarantined', () => {
    const ctx = plantContext('enforce', 'quarantine', { thresholds });
    const state = createDecideState();
    const out: Action[] = [];
    for (let i = 0; i < 5; i++) {
      out.push(
        ...decide(state, packet('10.20.1.10', `10.20.0.${100 + i}`, 80, { origin: 'capture' }), T0 + i, ctx),
      );
    }
    expect(scans(out)[0]).toMatchObject({ action: 'alerted', severity: 'critical' });
    expect(out.some((a) => a.type === 'quarantine')).toBe(false);
  });
});
