import { describe, expect, it } from 'vitest';
import type { PacketEvent } from '../sense/packet-event.js';
import { createDecideState, type DecideState, decide } from './decide.js';
import type { Action } from './decision.js';
import { lruSize, lruValues } from './lru.js';
import { arpRequest, packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const ORIGINS = [
  'quarantine',
  'block',
  'alert',
  'would-block',
  'quarantined',
  'capture',
  'queue',
  'l2',
] as const;

/** A deterministic pseudo-random generator (xorshift32), so the flood is the same every run. */
function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

function randomEvent(next: () => number): PacketEvent {
  const ip = () =>
    `${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`;
  const mac = () =>
    `02:00:00:${[0, 0, 0]
      .map(() =>
        Math.floor(next() * 256)
          .toString(16)
          .padStart(2, '0'),
      )
      .join(':')}`;
  if (next() < 0.1) return arpRequest(mac(), ip(), ip());
  const origin = ORIGINS[Math.floor(next() * ORIGINS.length)] ?? 'block';
  return packet(ip(), ip(), Math.floor(next() * 65_536), { origin, srcMac: mac() });
}

function sizes(state: DecideState) {
  let fanOut = 0;
  for (const f of [...lruValues(state.scans), ...lruValues(state.arpScans)]) {
    fanOut = Math.max(fanOut, f.hosts.size, f.ports.size);
  }
  return {
    folds: lruSize(state.folds),
    dirty: state.dirty.size,
    scans: lruSize(state.scans),
    arpScans: lruSize(state.arpScans),
    quarantined: lruSize(state.quarantined),
    fanOut,
  };
}

describe('decide', () => {
  it('a flood of 10^6 events with random sources keeps the state within its caps', () => {
    const limits = {
      detections: 2000,
      scanSources: 500,
      arpSenders: 300,
      quarantined: 300,
      newDetectionsPerSecond: 2000,
    };
    const state = createDecideState(limits);
    const ctx = plantContext();
    const next = xorshift(42);
    let actions = 0;
    for (let i = 0; i < 1_000_000; i++) {
      actions += decide(state, randomEvent(next), T0 + i / 150, ctx).length;
      if (i % 100_000 === 0) {
        const s = sizes(state);
        expect(s.folds).toBeLessThanOrEqual(limits.detections);
        expect(s.dirty).toBeLessThanOrEqual(s.folds);
      }
    }
    const s = sizes(state);
    expect(s.folds).toBeLessThanOrEqual(limits.detections);
    expect(s.folds).toBeGreaterThan(limits.detections / 2);
    expect(s.scans).toBeLessThanOrEqual(limits.scanSources);
    expect(s.arpScans).toBeLessThanOrEqual(limits.arpSenders);
    expect(s.quarantined).toBeLessThanOrEqual(limits.quarantined);
    expect(s.quarantined).toBeGreaterThan(limits.quarantined / 2);
    expect(s.fanOut).toBeLessThanOrEqual(
      Math.max(ctx.thresholds.scanHosts, ctx.thresholds.scanPorts, ctx.thresholds.arpTargets),
    );
    expect(state.stats.events).toBe(1_000_000);
    expect(actions).toBeGreaterThan(10_000);
    // Beyond the budget, the flood is one detection per kind, not a million.
    expect(state.stats.detections).toBeLessThan(2000 * 8);
  }, 60_000);

  it('is deterministic: the same events and times give the same actions', () => {
    const run = (): Action[] => {
      const state = createDecideState();
      const ctx = plantContext();
      const next = xorshift(7);
      const out: Action[] = [];
      for (let i = 0; i < 5000; i++) out.push(...decide(state, randomEvent(next), T0 + i, ctx));
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('monitor mode never quarantines or blocks, whatever arrives', () => {
    const state = createDecideState();
    const ctx = plantContext('monitor', 'quarantine', { thresholds: { scanHosts: 3, arpTargets: 3 } });
    const next = xorshift(3);
    for (let i = 0; i < 20_000; i++) {
      const event = randomEvent(next);
      // Only the kernel's own quarantine (a log from an enforcing ruleset) is recorded; monitor adds none.
      if (event.origin === 'quarantine') continue;
      for (const a of decide(state, event, T0 + i, ctx)) {
        expect(a.type === 'quarantine' || a.type === 'block-flow').toBe(false);
      }
    }
  });

  it('an event that means nothing produces nothing', () => {
    const state = createDecideState();
    const hmiToPlc = packet('10.20.0.50', '10.20.1.10', 502, {
      origin: 'queue',
      srcMac: '00:0c:29:00:00:50',
    });
    expect(decide(state, hmiToPlc, T0, plantContext())).toEqual([]);
  });
});
