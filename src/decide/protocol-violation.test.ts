import { describe, expect, it } from 'vitest';
import { createDecideState, decideProtocolFinding, type ProtocolFinding } from './decide.js';
import type { Action } from './decision.js';
import { packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;

function finding(src: string, dst: string, allowed = false): ProtocolFinding {
  return {
    flow: packet(src, dst, 502, { origin: 'queue', tcpFlags: 'PA' }),
    protocol: 'modbus',
    what: 'Modbus write to holding register 40001',
    allowed,
    producer: 'policy.yaml:14 hmi-reads-plcs',
  };
}

function detection(actions: readonly Action[]) {
  const a = actions.find((x) => x.type === 'alert' || x.type === 'record');
  return a?.type === 'alert' || a?.type === 'record' ? a.detection : undefined;
}

describe('protocol-violation detector', () => {
  it('an allowed finding produces nothing', () => {
    expect(
      decideProtocolFinding(
        createDecideState(),
        finding('10.20.0.50', '10.20.1.10', true),
        T0,
        plantContext(),
      ),
    ).toEqual([]);
  });

  it.each([
    ['enforce', 'quarantine', '10.20.0.50', '10.20.1.11', 'quarantined', 'high', 'quarantine'],
    ['enforce', 'block', '10.20.0.50', '10.20.1.11', 'blocked', 'high', 'block-flow'],
    ['enforce', 'alert', '10.20.0.50', '10.20.1.11', 'alerted', 'high', undefined],
    ['monitor', 'quarantine', '10.20.0.50', '10.20.1.11', 'would-block', 'high', undefined],
    ['enforce', 'quarantine', '10.20.0.50', '10.20.1.10', 'quarantined', 'critical', 'quarantine'],
    ['enforce', 'quarantine', '10.20.1.10', '10.20.1.11', 'alerted', 'critical', undefined],
  ] as const)('%s/%s %s → %s: %s, %s', (mode, action, src, dst, taken, severity, containment) => {
    const actions = decideProtocolFinding(
      createDecideState(),
      finding(src, dst),
      T0,
      plantContext(mode, action),
    );
    expect(detection(actions)).toMatchObject({
      kind: 'protocol-violation',
      action: taken,
      severity,
      source: src,
      target: dst,
      producer: 'policy.yaml:14 hmi-reads-plcs',
    });
    expect(detection(actions)?.reason).toContain(
      'Modbus write to holding register 40001 is not allowed (modbus)',
    );
    const contained = actions.find((a) => a.type === 'quarantine' || a.type === 'block-flow');
    expect(contained?.type).toBe(containment);
    if (contained?.type === 'block-flow') {
      expect(contained).toMatchObject({
        source: src,
        destination: dst,
        protocol: 6,
        port: 502,
        durationSeconds: 3600,
      });
    }
  });

  it('repeats of the same write fold into one detection', () => {
    const state = createDecideState();
    const ctx = plantContext('enforce', 'alert');
    const first = decideProtocolFinding(state, finding('10.20.0.50', '10.20.1.11'), T0, ctx);
    const later = decideProtocolFinding(state, finding('10.20.0.50', '10.20.1.11'), T0 + 1500, ctx);
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ type: 'record', detection: { id: detection(first)?.id, count: 2 } });
  });
});
