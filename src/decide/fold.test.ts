import { describe, expect, it } from 'vitest';
import { createDecideState, decide, flush } from './decide.js';
import type { Action } from './decision.js';
import { detectionId } from './fold.js';
import { lruSize } from './lru.js';
import { packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const ctx = plantContext('enforce', 'block');

/** Out-of-profile packets from the HMI to one PLC port at the given times; returns the actions of each. */
function at(times: readonly number[]): { state: ReturnType<typeof createDecideState>; actions: Action[][] } {
  const state = createDecideState();
  const actions = times.map((t) => [...decide(state, packet('10.20.0.50', '10.20.1.11', 22), T0 + t, ctx)]);
  return { state, actions };
}

describe('folding', () => {
  it('ids are a stable hash of node, kind, source, target and first time', () => {
    const id = detectionId('node-1', 'scan', '10.20.0.66', undefined, T0);
    expect(id).toMatch(/^[0-9a-f]{20}$/);
    expect(detectionId('node-1', 'scan', '10.20.0.66', undefined, T0)).toBe(id);
    expect(detectionId('node-2', 'scan', '10.20.0.66', undefined, T0)).not.toBe(id);
    expect(detectionId('node-1', 'scan', '10.20.0.66', undefined, T0 + 1)).not.toBe(id);
  });

  it.each([
    // times (ms after T0), number of actions per event, last count seen
    ['a repeat within a second is folded silently', [0, 200, 400], [1, 0, 0]],
    ['a repeat a second later is recorded', [0, 500, 1000], [1, 0, 1]],
    ['updates are recorded at most once per second', [0, 999, 1000, 1500, 1999, 2000], [1, 0, 1, 0, 0, 1]],
    ['after 60 s of quiet a repeat is a new detection', [0, 60_001], [1, 1]],
    ['60 s of quiet exactly still folds', [0, 60_000], [1, 1]],
  ] as const)('%s', (_name, times, perEvent) => {
    const { actions } = at(times);
    expect(actions.map((a) => a.length)).toEqual(perEvent);
  });

  it('an update carries the same id, the count and the last time', () => {
    const { actions } = at([0, 100, 1000]);
    const first = actions[0]?.[0];
    const update = actions[2]?.[0];
    expect(first?.type).toBe('record');
    expect(update).toMatchObject({ type: 'record', detection: { count: 3, firstMs: T0, lastMs: T0 + 1000 } });
    if (first?.type === 'record' && update?.type === 'record')
      expect(update.detection.id).toBe(first.detection.id);
  });

  it('a new detection after quiet gets a new id', () => {
    const { actions } = at([0, 70_000]);
    const ids = actions.map((a) => (a[0]?.type === 'record' ? a[0].detection.id : ''));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('flush emits pending updates once their interval has passed, all of them at shutdown', () => {
    const { state } = at([0, 100, 200]);
    expect(flush(state, T0 + 500)).toEqual([]);
    expect(flush(state, T0 + 1000)).toMatchObject([
      { type: 'record', detection: { count: 3, lastMs: T0 + 200 } },
    ]);
    expect(flush(state, T0 + 5000)).toEqual([]);
    decide(state, packet('10.20.0.50', '10.20.1.11', 22), T0 + 1100, ctx);
    expect(flush(state, T0 + 1200, true)).toMatchObject([{ type: 'record', detection: { count: 4 } }]);
  });

  it('evicting a detection with a pending update emits it', () => {
    const state = createDecideState({ detections: 2 });
    decide(state, packet('10.20.0.50', '10.20.1.11', 22), T0, ctx);
    decide(state, packet('10.20.0.50', '10.20.1.11', 22), T0 + 10, ctx);
    const out = decide(state, packet('10.20.0.5', '10.20.1.11', 22), T0 + 20, ctx);
    const more = decide(state, packet('10.20.0.5', '10.20.1.10', 22), T0 + 30, ctx);
    expect(out).toHaveLength(1);
    expect(more).toMatchObject([
      { type: 'record', detection: { source: '10.20.0.50', count: 2 } },
      { type: 'alert' },
    ]);
    expect(lruSize(state.folds)).toBe(2);
    expect(state.stats.evicted).toBe(1);
  });
});

describe('new-detection budget', () => {
  it('beyond the budget, a flood from many sources folds into one detection per kind and contains nothing', () => {
    const state = createDecideState({ newDetectionsPerSecond: 4 });
    const quarantining = plantContext();
    const out: Action[] = [];
    for (let i = 0; i < 100; i++) {
      const event = packet(`10.99.${i >> 8}.${i & 255}`, '10.20.1.11', 22, { origin: 'quarantine' });
      out.push(...decide(state, event, T0 + i, quarantining));
    }
    const opened = out.flatMap((a) =>
      a.type === 'alert' || (a.type === 'record' && a.detection.count === 1) ? [a.detection] : [],
    );
    const individual = opened.filter((d) => d.source !== '*');
    expect(individual).toHaveLength(4);
    expect(
      opened
        .filter((d) => d.source === '*')
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['out-of-profile', 'unknown-device']);
    expect(opened.find((d) => d.source === '*')).toMatchObject({
      severity: 'high',
      producer: 'detector:flood',
    });
    // Only admitted detections quarantine; the kernel quarantined the rest itself and reconcile adopts them.
    expect(out.filter((a) => a.type === 'quarantine')).toHaveLength(2);
    const flood = flush(state, T0 + 5000, true).flatMap((a) => (a.type === 'record' ? [a.detection] : []));
    expect(flood.find((d) => d.kind === 'out-of-profile' && d.source === '*')?.count).toBe(98);
    // A new second brings a new budget.
    const later = decide(
      state,
      packet('10.98.0.1', '10.20.1.11', 22, { origin: 'quarantine' }),
      T0 + 2000,
      quarantining,
    );
    expect(later.some((a) => a.type === 'quarantine' && a.address === '10.98.0.1')).toBe(true);
  });
});
