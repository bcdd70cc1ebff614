import { describe, expect, it } from 'vitest';
import { createDecideState, decide, flush, noteQuarantine } from './decide.js';
import type { Action, Detection } from './decision.js';
import { packet, plantContext } from './plant.fixture.js';

const T0 = 1_700_000_000_000;

function held(actions: readonly Action[]): Detection[] {
  return actions.flatMap((a) =>
    (a.type === 'alert' || a.type === 'record') && a.detection.kind === 'quarantined-source'
      ? [a.detection]
      : [],
  );
}

describe('quarantined-source detector', () => {
  it.each([
    [
      'from the quarantined scanner',
      '10.20.0.66',
      '10.20.1.10',
      '10.20.0.66',
      'traffic from quarantined 10.20.0.66 dropped',
      'saddr',
    ],
    [
      'to the quarantined scanner',
      '10.20.1.10',
      '10.20.0.66',
      '10.20.0.66',
      'traffic to quarantined 10.20.0.66 dropped',
      'daddr',
    ],
  ] as const)('%s', (_name, src, dst, party, reason, dir) => {
    const state = createDecideState();
    noteQuarantine(state, '10.20.0.66', T0 + 3_600_000);
    const [d] = held(decide(state, packet(src, dst, 502, { origin: 'quarantined' }), T0, plantContext()));
    expect(d).toMatchObject({
      source: party,
      reason,
      severity: 'low',
      action: 'already-quarantined',
      producer: `policy.yaml:18 quarantined ${dir}`,
    });
  });

  it('folds a quarantined flood into one detection, recorded at most every 10 s', () => {
    const ctx = plantContext();
    const state = createDecideState();
    const out: Action[] = [];
    // 30 s of 1000 packets/s to ever-changing ports and hosts.
    for (let i = 0; i < 30_000; i++) {
      const event = packet('10.20.0.66', `10.20.1.${i % 200}`, i % 65_000, { origin: 'quarantined' });
      out.push(...decide(state, event, T0 + i, ctx));
    }
    out.push(...flush(state, T0 + 30_000, true));
    const found = held(out);
    expect(new Set(found.map((d) => d.id)).size).toBe(1);
    expect(found.length).toBeLessThanOrEqual(5);
    expect(found.at(-1)?.count).toBe(30_000);
    // The scan behind the knocking is named too, and folded likewise.
    const scan = out.flatMap((a) => (a.type === 'alert' && a.detection.kind === 'scan' ? [a.detection] : []));
    expect(scan).toHaveLength(1);
    expect(out.length).toBeLessThan(100);
  });
});
