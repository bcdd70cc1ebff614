import { describe, expect, it } from 'vitest';
import { createDecideState, decide } from './decide.js';
import type { Action, Detection } from './decision.js';
import { arpRequest, packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const DECOY = '10.20.1.77';

function touches(actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type === 'alert' || a.type === 'record') && a.detection.kind === 'decoy-touch' ? [a.detection] : [],
  );
}
const quarantines = (actions: readonly Action[]) =>
  actions.flatMap((a) => (a.type === 'quarantine' ? [a.address] : []));

describe('decoy-touch detector', () => {
  it('an IP packet to a decoy: critical, the source quarantined', () => {
    const actions = decide(
      createDecideState(),
      packet('10.20.0.66', DECOY, 102, { origin: 'decoy' }),
      T0,
      plantContext(),
    );
    expect(quarantines(actions)).toEqual(['10.20.0.66']);
    expect(touches(actions)[0]).toMatchObject({
      kind: 'decoy-touch',
      severity: 'critical',
      source: '10.20.0.66',
      target: DECOY,
      action: 'quarantined',
    });
  });

  it('an ARP request for a decoy quarantines the sender (the kernel cannot)', () => {
    const arp = { ...arpRequest('02:00:00:00:00:66', '10.20.0.66', DECOY), origin: 'decoy' as const };
    const actions = decide(createDecideState(), arp, T0, plantContext());
    expect(quarantines(actions)).toEqual(['10.20.0.66']);
    expect(touches(actions)[0]?.evidence).toContain(`ARP who-has ${DECOY} tell 10.20.0.66`);
  });

  it('an ARP probe from 0.0.0.0 is no touch', () => {
    const arp = { ...arpRequest('02:00:00:00:00:66', '0.0.0.0', DECOY), origin: 'decoy' as const };
    expect(touches(decide(createDecideState(), arp, T0, plantContext()))).toEqual([]);
  });

  it('what the peer tried becomes the evidence, one detection per attempt', () => {
    const state = createDecideState();
    const ctx = plantContext();
    const note = (what: string) => packet('10.20.0.66', DECOY, 102, { origin: 'decoy-note', summary: what });
    const first = decide(state, note('S7 PLC STOP requested'), T0, ctx);
    expect(touches(first)[0]?.evidence).toBe('S7 PLC STOP requested');
    expect(touches(decide(state, note('S7 PLC STOP requested'), T0 + 10, ctx))).toEqual([]);
    expect(touches(decide(state, note('S7 read SZL'), T0 + 20, ctx))[0]?.evidence).toBe('S7 read SZL');
    // Quarantined once only.
    expect(quarantines(decide(state, note('S7 read SZL'), T0 + 30, ctx))).toEqual([]);
  });

  it.each([
    ['a never-list asset is alerted on, not quarantined', '10.20.1.10', 'enforce', 'quarantine', 'alerted'],
    ['monitor mode contains nothing', '10.20.0.66', 'monitor', 'quarantine', 'would-block'],
    ['alert mode alerts', '10.20.0.66', 'enforce', 'alert', 'alerted'],
  ] as const)('%s', (_what, source, mode, action, taken) => {
    const actions = decide(
      createDecideState(),
      packet(source, DECOY, 502, { origin: 'decoy' }),
      T0,
      plantContext(mode, action),
    );
    expect(quarantines(actions)).toEqual([]);
    expect(touches(actions)[0]?.action).toBe(taken);
  });
});
