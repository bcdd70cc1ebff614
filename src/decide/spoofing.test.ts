import { describe, expect, it } from 'vitest';
import type { PacketEvent } from '../sense/packet-event.js';
import { createDecideState, decide } from './decide.js';
import type { Action, Detection, DetectionKind } from './decision.js';
import { arpRequest, packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const HMI_MAC = '00:0c:29:00:00:50';
const PLC_MAC = '00:80:f4:12:34:56';
const EVIL_MAC = '02:00:00:00:00:66';

function of(kind: DetectionKind, actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type === 'alert' || a.type === 'record') && a.detection.kind === kind ? [a.detection] : [],
  );
}

function arpReply(senderMac: string, senderIp: string): PacketEvent {
  return {
    ...arpRequest(senderMac, senderIp, '10.20.0.50'),
    arp: { op: 2, senderIp, senderMac, targetIp: '10.20.0.50' },
  };
}

describe('spoofing detector', () => {
  it.each([
    [
      'an ARP reply for the PLC from another MAC',
      arpReply(EVIL_MAC, '10.20.1.10'),
      'claimed in ARP by 02:00:00:00:00:66',
    ],
    [
      'the PLC address sent from the HMI MAC',
      packet('10.20.1.10', '10.20.0.50', 80, { srcMac: HMI_MAC }),
      "sent IP from 00:0c:29:00:00:50 (hmi-a's MAC)",
    ],
    ['the PLC from its own MAC', packet('10.20.1.10', '10.20.0.50', 80, { srcMac: PLC_MAC }), undefined],
    [
      'an asset without a MAC in the policy',
      packet('10.20.0.5', '10.20.1.10', 502, { srcMac: EVIL_MAC }),
      undefined,
    ],
    [
      'a router MAC carrying the PLC address',
      packet('10.20.1.10', '10.20.0.50', 80, { srcMac: '00:00:5e:00:01:01' }),
      undefined,
    ],
  ] as const)('%s', (_name, event, says) => {
    const ctx = plantContext('enforce', 'quarantine', { routerMacs: ['00:00:5E:00:01:01'] });
    const actions = decide(createDecideState(), event, T0, ctx);
    const found = of('spoofing', actions);
    if (says === undefined) {
      expect(found).toHaveLength(0);
      return;
    }
    expect(found[0]).toMatchObject({ severity: 'critical', action: 'alerted', target: '10.20.1.10' });
    expect(found[0]?.reason).toContain(says);
    expect(found[0]?.reason).toContain('but the policy gives it 00:80:f4:12:34:56');
    expect(actions.find((a) => a.type === 'alert')).toBeDefined();
    // The address is the victim's: never quarantine it.
    expect(actions.some((a) => a.type === 'quarantine')).toBe(false);
  });
});
