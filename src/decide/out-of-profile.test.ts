import { describe, expect, it } from 'vitest';
import { createDecideState, decide } from './decide.js';
import type { Action, Detection } from './decision.js';
import { packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;

function detectionsOf(actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) => (a.type === 'record' || a.type === 'alert' ? [a.detection] : []));
}

describe('out-of-profile detector', () => {
  it.each([
    // origin, source, mode/action, expected action taken, severity, producer, quarantine emitted
    [
      'quarantine',
      '10.20.0.66',
      'enforce',
      'quarantine',
      'quarantined',
      'high',
      'out-of-profile: quarantine',
      true,
    ],
    ['block', '10.20.0.66', 'enforce', 'block', 'blocked', 'high', 'out-of-profile: block', false],
    ['alert', '10.20.0.66', 'enforce', 'alert', 'alerted', 'high', 'out-of-profile: alert', false],
    [
      'alert',
      '10.20.1.10',
      'enforce',
      'quarantine',
      'alerted',
      'critical',
      'never list: alert, never quarantine',
      false,
    ],
    [
      'would-block',
      '10.20.0.66',
      'monitor',
      'quarantine',
      'would-block',
      'high',
      'monitor: out of profile',
      false,
    ],
  ] as const)(
    '%s from %s (%s/%s) → %s, %s',
    (origin, src, mode, action, taken, severity, rule, quarantines) => {
      const ctx = plantContext(mode, action);
      const state = createDecideState();
      const actions = decide(state, packet(src, '10.20.1.10', 502, { origin }), T0, ctx);
      const oop = detectionsOf(actions).find((d) => d.kind === 'out-of-profile');
      expect(oop).toMatchObject({
        action: taken,
        severity,
        source: src,
        target: '10.20.1.10',
        producer: `policy.yaml:18 ${rule}`,
        evidence: `${src}:40000 → 10.20.1.10:502 tcp S len 44`,
        count: 1,
        firstMs: T0,
        node: 'node-1',
      });
      expect(actions.some((a) => a.type === 'quarantine')).toBe(quarantines);
    },
  );

  it('towards a non-critical asset is medium and says what the kernel did', () => {
    const ctx = plantContext();
    const [d] = detectionsOf(decide(createDecideState(), packet('10.20.0.50', '10.20.1.11', 22), T0, ctx));
    expect(d?.severity).toBe('medium');
    expect(d?.reason).toBe(
      '10.20.0.50 (hmi-a) → 10.20.1.11 (plc-a2) tcp/22: no rule allows it; the kernel dropped it',
    );
  });

  it('records the kernel quarantine once, with the detection id, so the journal keeps it', () => {
    const ctx = plantContext();
    const state = createDecideState();
    const first = decide(state, packet('10.20.0.66', '10.20.1.10', 502, { origin: 'quarantine' }), T0, ctx);
    const q = first.find((a) => a.type === 'quarantine');
    const d = detectionsOf(first)[0];
    expect(q).toMatchObject({ address: '10.20.0.66', durationSeconds: 3600, detectionId: d?.id });
    expect(first.indexOf(q as Action)).toBe(0);
    const again = decide(
      state,
      packet('10.20.0.66', '10.20.1.11', 502, { origin: 'quarantine' }),
      T0 + 5,
      ctx,
    );
    expect(again.some((a) => a.type === 'quarantine')).toBe(false);
  });

  it('an L2 frame is recorded by MAC and EtherType', () => {
    const ctx = plantContext();
    const event = {
      timeMs: 0,
      origin: 'l2' as const,
      srcMac: '00:0c:29:00:00:50',
      etherType: 0x88cc,
      length: 60,
      summary: 'lldp',
    };
    const [d] = detectionsOf(decide(createDecideState(), event, T0, ctx));
    expect(d).toMatchObject({
      source: '00:0c:29:00:00:50',
      target: 'ethertype 0x88cc',
      action: 'blocked',
      producer: 'policy.yaml:18 l2 default drop',
    });
  });

  it('journals a kernel re-quarantine after an operator released the source, though the node still remembered the old one', () => {
    const ctx = plantContext('enforce', 'quarantine');
    const state = createDecideState();
    decide(state, packet('10.20.0.66', '10.20.1.10', 502, { origin: 'quarantine' }), T0, ctx);
    // Released by hand (`picket quarantine release`): the kernel element is gone, this state never heard.
    const relapse = decide(
      state,
      packet('10.20.0.66', '10.20.1.11', 102, { origin: 'quarantine' }),
      T0 + 10_000,
      ctx,
    );
    expect(relapse.filter((a) => a.type === 'quarantine').map((a) => a.type)).toEqual(['quarantine']);
    expect(detectionsOf(relapse).find((d) => d.kind === 'out-of-profile')?.action).toBe('quarantined');
  });
});
