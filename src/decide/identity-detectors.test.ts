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

describe('arp-scan detector', () => {
  const thresholds = { arpTargets: 6, arpWindowMs: 2000 };

  function sweep(mac: string, ip: string, n: number, stepMs: number, mode = 'enforce'): Action[] {
    const ctx = plantContext(mode, 'quarantine', { thresholds });
    const state = createDecideState();
    const out: Action[] = [];
    for (let i = 0; i < n; i++)
      out.push(...decide(state, arpRequest(mac, ip, `10.20.0.${100 + i}`), T0 + i * stepMs, ctx));
    return out;
  }

  it.each([
    ['6 targets in 60 ms', EVIL_MAC, '10.20.0.66', 6, 10, 'enforce', 'quarantined', '10.20.0.66'],
    ['5 targets is normal', EVIL_MAC, '10.20.0.66', 5, 10, 'enforce', undefined, undefined],
    ['6 targets over 5 s is normal', EVIL_MAC, '10.20.0.66', 6, 1000, 'enforce', undefined, undefined],
    ['monitor mode', EVIL_MAC, '10.20.0.66', 6, 10, 'monitor', 'would-block', undefined],
    ['with a stolen PLC address', EVIL_MAC, '10.20.1.10', 6, 10, 'enforce', 'alerted', undefined],
    ['an ARP probe (no sender address)', EVIL_MAC, '0.0.0.0', 6, 10, 'enforce', 'alerted', undefined],
    ['from the HMI itself', HMI_MAC, '10.20.0.50', 6, 10, 'enforce', 'quarantined', '10.20.0.50'],
  ] as const)('%s', (_name, mac, ip, n, stepMs, mode, taken, quarantined) => {
    const out = sweep(mac, ip, n, stepMs, mode);
    const found = of('arp-scan', out);
    expect(found[0]?.action).toBe(taken);
    if (taken !== undefined)
      expect(found[0]).toMatchObject({ source: mac, severity: 'high', producer: 'detector:arp-scan' });
    const q = out.find((a) => a.type === 'quarantine');
    expect(q?.type === 'quarantine' ? q.address : undefined).toBe(quarantined);
  });
});
