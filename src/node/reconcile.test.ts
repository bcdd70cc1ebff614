import { describe, expect, it } from 'vitest';
import { reconcile, reconcilePort } from './reconcile.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const row = (address: string, seconds: number) => ({ address, untilMs: NOW + seconds * 1000 });
const element = (address: string, expiresSeconds: number) => ({ address, expiresSeconds });

describe('reconcile', () => {
  it.each([
    ['both empty', [], [], { add: [], refresh: [], adopt: [] }],
    ['in step', [row('10.20.0.66', 600)], [element('10.20.0.66', 598)], { add: [], refresh: [], adopt: [] }],
    [
      'the kernel lost it (reboot): added with its remaining time',
      [row('10.20.0.66', 600), row('fd00::66', 90)],
      [],
      {
        add: [
          { address: '10.20.0.66', family: 4, timeoutSeconds: 600 },
          { address: 'fd00::66', family: 6, timeoutSeconds: 90 },
        ],
        refresh: [],
        adopt: [],
      },
    ],
    [
      'the kernel times out too early or too late: refreshed',
      [row('10.20.0.66', 600), row('10.20.0.77', 600)],
      [element('10.20.0.66', 60), element('10.20.0.77', 3600)],
      {
        add: [],
        refresh: [
          { address: '10.20.0.66', family: 4, timeoutSeconds: 600 },
          { address: '10.20.0.77', family: 4, timeoutSeconds: 600 },
        ],
        adopt: [],
      },
    ],
    [
      'expired in the journal: nothing to add',
      [row('10.20.0.66', 0), row('10.20.0.77', -50)],
      [],
      { add: [], refresh: [], adopt: [] },
    ],
  ] as const)('%s', (_name, journal, kernel, expected) => {
    const plan = reconcile(journal, kernel, NOW);
    expect({ add: plan.add, refresh: plan.refresh, adopt: plan.adopt }).toEqual(expected);
    expect(plan.drift).toHaveLength(expected.add.length + expected.refresh.length + expected.adopt.length);
  });

  it('adopts what only the kernel has (the packet path caught it), and never removes it', () => {
    const plan = reconcile(
      [row('10.20.0.66', 600)],
      [element('10.20.0.66', 600), element('10.20.0.99', 3599)],
      NOW,
    );
    expect(plan.add).toEqual([]);
    expect(plan.adopt).toEqual([
      {
        type: 'quarantine',
        address: '10.20.0.99',
        durationSeconds: 3599,
        reason: 'quarantined by the kernel (packet path) and not yet journaled: adopted',
        producer: 'reconcile',
      },
    ]);
    expect(plan.drift).toEqual(['10.20.0.99: in the kernel for 3599 s more, not in the journal: adopted']);
  });

  it('a journal row that expired while the kernel still holds the address adopts the kernel time', () => {
    const plan = reconcile([row('10.20.0.66', -1)], [element('10.20.0.66', 30)], NOW);
    expect(plan.adopt.map((a) => [a.address, a.durationSeconds])).toEqual([['10.20.0.66', 30]]);
  });

  it('is idempotent: applying the plan leaves nothing to do', () => {
    const journal = [row('10.20.0.66', 600), row('10.20.0.77', 100)];
    const first = reconcile(journal, [element('10.20.0.77', 9)], NOW);
    const kernel = [...first.add, ...first.refresh].map((e) => element(e.address, e.timeoutSeconds));
    const second = reconcile(journal, kernel, NOW);
    expect(second.drift).toEqual([]);
  });

  it('in the daemon port shape, restores added and refreshed elements and counts the drift', () => {
    const plan = reconcilePort(
      [row('10.20.0.66', 600), row('10.20.0.77', 600)],
      [
        { address: '10.20.0.77', family: 4, timeoutSeconds: 3600, expiresSeconds: 10 },
        { address: '10.20.0.99', family: 4, timeoutSeconds: 3600, expiresSeconds: 50 },
      ],
      NOW,
    );
    expect(plan.restore).toEqual([
      { address: '10.20.0.66', family: 4, timeoutSeconds: 600, expiresSeconds: 600 },
      { address: '10.20.0.77', family: 4, timeoutSeconds: 600, expiresSeconds: 600 },
    ]);
    expect(plan.adopt.map((a) => (a.type === 'quarantine' ? a.address : ''))).toEqual(['10.20.0.99']);
    expect(plan.drift).toBe(3);
  });
});
