import { describe, expect, it } from 'vitest';
import { createDecideState, decide } from './decide.js';
import type { Action, Detection, DetectionKind } from './decision.js';
import { arpRequest, packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const HMI_MAC = '00:0c:29:00:00:50';
const EVIL_MAC = '02:00:00:00:00:66';

function of(kind: DetectionKind, actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type === 'alert' || a.type === 'record') && a.detection.kind === kind ? [a.detection] : [],
  );
}

describe('unknown-device detector', () => {
  it.each([
    [
      'an address and MAC nobody has',
      packet('10.20.0.66', '10.20.1.10', 502, { srcMac: EVIL_MAC }),
      '10.20.0.66',
      '10.20.0.66 (MAC 02:00:00:00:00:66) is not in the inventory: no asset has this address or MAC',
    ],
    [
      'an address nobody has, no MAC',
      packet('10.20.0.66', '10.20.1.10', 502),
      '10.20.0.66',
      '10.20.0.66 is not in the inventory: no asset has this address',
    ],
    ['an asset address', packet('10.20.0.5', '10.20.1.10', 502), undefined, ''],
    [
      'a known MAC on a new address (link-local)',
      packet('fe80::20c:29ff:fe00:50', 'fe80::1', 502, { srcMac: HMI_MAC, family: 6 }),
      undefined,
      '',
    ],
    [
      'an ARP probe from an unknown MAC',
      arpRequest(EVIL_MAC, '0.0.0.0', '10.20.0.9'),
      EVIL_MAC,
      `${EVIL_MAC} is not in the inventory: no asset has this address or MAC`,
    ],
    [
      'a broadcast source MAC with no IP',
      { ...arpRequest('ff:ff:ff:ff:ff:ff', '0.0.0.0', '10.20.0.9') },
      undefined,
      '',
    ],
  ] as const)('%s', (_name, event, source, reason) => {
    const found = of('unknown-device', decide(createDecideState(), event, T0, plantContext()));
    if (source === undefined) {
      expect(found).toHaveLength(0);
      return;
    }
    expect(found[0]).toMatchObject({
      source,
      reason,
      severity: 'medium',
      producer: 'detector:unknown-device',
    });
  });

  it.each([
    ['block', 'blocked'],
    ['quarantine', 'quarantined'],
    ['quarantined', 'already-quarantined'],
    ['capture', 'alerted'],
    ['would-block', 'would-block'],
  ] as const)('records what already happened to it (%s → %s)', (origin, taken) => {
    const found = of(
      'unknown-device',
      decide(createDecideState(), packet('10.20.0.66', '10.20.1.10', 502, { origin }), T0, plantContext()),
    );
    expect(found[0]?.action).toBe(taken);
  });
});
