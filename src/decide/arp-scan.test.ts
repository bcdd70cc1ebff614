import { describe, expect, it } from 'vitest';
import { createDecideState, decide } from './decide.js';
import type { Action, Detection, DetectionKind } from './decision.js';
import { arpRequest, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;
const HMI_MAC = '00:0c:29:00:00:50';
const EVIL_MAC = '02:00:00:00:00:66';

function of(kind: DetectionKind, actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type === 'alert' || a.type === 'record') && a.detection.kind === kind ? [a.detection] : [],
  );
}

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
