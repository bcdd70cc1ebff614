import { describe, expect, it } from 'vitest';
import type { AllowEntry, Ruleset } from '../compile/ruleset.js';
import { formatSeconds, planChanges, renderPlan } from './plan.js';

const entry = (over: Partial<AllowEntry> = {}): AllowEntry => ({
  family: 4,
  source: '10.20.0.50',
  destination: '10.20.1.10',
  transport: 'tcp',
  ports: '502',
  rule: 'hmi-reads-plcs',
  line: 20,
  ...over,
});

const ruleset = (over: Partial<Ruleset> = {}): Ruleset => ({
  site: 'riverside-water',
  policyFile: 'policy.yaml',
  hash: 'a'.repeat(64),
  mode: 'enforce',
  outOfProfile: 'quarantine',
  quarantineTimeoutSeconds: 3600,
  never: ['10.20.1.10'],
  entries: [entry()],
  windows: [],
  l2: { allow: [0x0806], default: 'drop' },
  logGroup: 1,
  ...over,
});

describe('planChanges', () => {
  it('reports nothing between a ruleset and itself', () => {
    const plan = planChanges(ruleset(), ruleset());
    expect(plan.changes).toEqual([]);
    expect(renderPlan(plan)).toMatch(/^No changes/);
  });

  it('makes everything an addition when nothing is enforced', () => {
    const plan = planChanges(undefined, ruleset());
    expect(plan).toMatchObject({ toAdd: 3, toRemove: 0, toChange: 0 });
    expect(renderPlan(plan)).toContain('rule hmi-reads-plcs:\n  + 10.20.0.50 → 10.20.1.10 tcp/502\n');
  });

  it('groups added and removed pairs by rule and counts them', () => {
    const before = ruleset({ entries: [entry(), entry({ destination: '10.20.1.11' })] });
    const after = ruleset({
      hash: 'b'.repeat(64),
      entries: [
        entry(),
        entry({ source: '10.20.0.51' }),
        entry({ rule: 'historian-collects', source: '10.20.0.5', ports: '102', schedule: 'maintenance' }),
      ],
    });
    const text = renderPlan(planChanges(before, after));
    expect(text).toContain(
      'rule hmi-reads-plcs:\n  + 10.20.0.51 → 10.20.1.10 tcp/502\n  - 10.20.0.50 → 10.20.1.11 tcp/502\n',
    );
    expect(text).toContain(
      'rule historian-collects:\n  + 10.20.0.5 → 10.20.1.10 tcp/102 (when maintenance)\n',
    );
    expect(text).toMatch(/2 to add, 1 to remove, 0 to change\.\n$/);
  });

  it('treats a pair moving to another rule as a removal and an addition', () => {
    const plan = planChanges(ruleset(), ruleset({ entries: [entry({ rule: 'other' })] }));
    expect(plan).toMatchObject({ toAdd: 1, toRemove: 1 });
  });

  it.each([
    ['mode', { mode: 'monitor' }, '~ mode: enforce → monitor'],
    ['out-of-profile', { outOfProfile: 'block' }, '~ out-of-profile: quarantine → block'],
    ['quarantine duration', { quarantineTimeoutSeconds: 5400 }, '~ quarantine-duration: 1h → 1h30m'],
    ['l2 default', { l2: { allow: [0x0806], default: 'accept' } }, '~ l2-default: drop → accept'],
    ['never-list', { never: [] }, '- 10.20.1.10 (alert only, never quarantined)'],
    ['l2 EtherTypes', { l2: { allow: [0x0806, 0x8892], default: 'drop' } }, '+ EtherType 0x8892'],
  ] as const)('reports a %s change', (_name, over, line) => {
    expect(renderPlan(planChanges(ruleset(), ruleset(over as Partial<Ruleset>)))).toContain(line);
  });

  it('reports time windows added and removed in UTC', () => {
    const window = {
      schedule: 'maintenance',
      utcDays: [6],
      fromSecond: 8 * 3600,
      toSecond: 10 * 3600 - 1,
      line: 30,
    };
    const text = renderPlan(planChanges(ruleset(), ruleset({ windows: [window] })));
    expect(text).toContain('time windows:\n  + maintenance: sat 08:00–10:00 UTC\n');
    const dst = { ...window, notAfterMs: Date.UTC(2026, 2, 8, 8) };
    expect(renderPlan(planChanges(ruleset({ windows: [window] }), ruleset({ windows: [dst] })))).toContain(
      '+ maintenance: sat 08:00–10:00 UTC until 2026-03-08T08:00:00.000Z',
    );
  });
});

describe('formatSeconds', () => {
  it.each([
    [0, '0s'],
    [60, '1m'],
    [3600, '1h'],
    [90_061, '1d1h1m1s'],
  ])('%i → %s', (seconds, text) => expect(formatSeconds(seconds)).toBe(text));
});

describe('planChanges with a portal', () => {
  const portal = (destination: string, redirect: boolean) => ({
    listenPort: 8443,
    httpPort: 8444,
    dnsPort: 8445,
    line: 30,
    redirect,
    known: [],
    roles: [
      {
        role: 'vendor',
        id: 'vendor',
        line: 35,
        entries: [{ family: 4 as const, destination, transport: 'tcp' as const, ports: '502' }],
      },
    ],
  });

  it('shows what a role opens to permit holders, and the portal setting', () => {
    const plan = planChanges(
      ruleset({ portal: portal('10.20.1.10', false) }),
      ruleset({ portal: portal('10.20.1.11', true), hash: 'b'.repeat(64) }),
    );
    expect(renderPlan(plan)).toBe(
      [
        'portal role vendor:',
        '  + permit holders → 10.20.1.11 tcp/502',
        '  - permit holders → 10.20.1.10 tcp/502',
        'settings:',
        '  ~ portal: permits only → redirect to :8443',
        '',
        '1 to add, 1 to remove, 1 to change.',
        '',
      ].join('\n'),
    );
  });
});
