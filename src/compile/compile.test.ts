import { describe, expect, it } from 'vitest';
import type { Asset, Policy, Rule } from '../policy/types.js';
import { compile, rulesetHash } from './compile.js';
import { renderNft } from './render.js';

const loc = (line: number) => ({ file: 'plant.yaml', line, col: 1 });

function asset(name: string, ip: string, zone: string): Asset {
  return { name, ip, family: ip.includes(':') ? 6 : 4, zone, critical: false, loc: loc(5) };
}

function policy(over: Partial<Policy> = {}): Policy {
  return {
    version: 1,
    site: 'plant',
    file: 'sites/plant.yaml',
    zones: [
      { name: 'cell', networks: [{ family: 4, address: '10.0.1.0', length: 24 }], loc: loc(3) },
      { name: 'ops', networks: [{ family: 4, address: '10.0.0.0', length: 24 }], loc: loc(4) },
    ],
    assets: [asset('plc', '10.0.1.10', 'cell'), asset('hmi', '10.0.0.50', 'ops')],
    groups: [],
    services: [{ name: 'modbus', ports: [{ transport: 'tcp', from: 502, to: 502 }], loc: loc(8) }],
    schedules: [],
    rules: [rule('hmi-to-plc', 'hmi', 'plc', 12)],
    enforcement: {
      mode: 'enforce',
      unrecognized: 'block',
      outOfProfile: 'quarantine',
      quarantine: { durationSeconds: 3600, never: [] },
      l2: { allow: [0x0806], default: 'accept' },
      loc: loc(20),
    },
    ...over,
  };
}

function rule(
  name: string,
  from: string,
  to: string,
  line: number,
  kind: 'asset' | 'group' | 'zone' = 'asset',
): Rule {
  return { name, from: { kind, name: from }, to: { kind, name: to }, services: ['modbus'], loc: loc(line) };
}

/** The rule lines of the inet forward chain. */
function chainRules(text: string): string[] {
  const chain = text.slice(text.indexOf('chain forward'), text.indexOf('table bridge'));
  return chain.split('\n').filter((l) => /^\t\t\S/.test(l) && !l.includes('type filter hook'));
}

const NOW = Date.UTC(2026, 10, 25);

describe('compile', () => {
  it('turns a rule into a commented tuple citing the policy file by base name', () => {
    const r = compile(policy(), { nowMs: NOW });
    expect(r.policyFile).toBe('plant.yaml');
    expect(r.entries).toEqual([
      {
        family: 4,
        source: '10.0.0.50',
        destination: '10.0.1.10',
        transport: 'tcp',
        ports: '502',
        rule: 'hmi-to-plc',
        line: 12,
      },
    ]);
    expect(renderNft(r)).toContain('10.0.0.50 . 10.0.1.10 . tcp . 502 comment "plant.yaml:12 hmi-to-plc"');
  });

  it('is deterministic and its hash covers the rendering', () => {
    const a = compile(policy(), { nowMs: NOW });
    const b = compile(policy(), { nowMs: NOW });
    expect(renderNft(a)).toBe(renderNft(b));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rulesetHash(a)).toBe(a.hash);
    expect(compile(policy({ site: 'other' }), { nowMs: NOW }).hash).not.toBe(a.hash);
  });

  it('puts never-list assets in the never set with their policy line', () => {
    const r = compile(
      policy({
        enforcement: { ...policy().enforcement, quarantine: { durationSeconds: 60, never: ['plc'] } },
      }),
      { nowMs: NOW },
    );
    expect(r.never).toEqual(['10.0.1.10']);
    expect(r.neverAssets).toEqual([{ asset: 'plc', address: '10.0.1.10', family: 4, line: 5 }]);
    expect(renderNft(r)).toContain('10.0.1.10 comment "plant.yaml:5 plc"');
  });

  it('gates scheduled entries by UTC windows and asks to be recompiled by the last DST change', () => {
    const r = compile(
      policy({
        schedules: [
          {
            name: 'Maint Window',
            days: ['sat'],
            fromMinute: 120,
            toMinute: 240,
            timezone: 'America/Chicago',
            loc: loc(9),
          },
        ],
        rules: [{ ...rule('hmi-to-plc', 'hmi', 'plc', 12), when: 'Maint Window' }],
      }),
      { nowMs: NOW },
    );
    expect(r.entries[0]?.schedule).toBe('Maint Window');
    expect(r.windows.map((w) => [w.utcDays, w.fromSecond, w.toSecond])).toEqual([
      [[6], 8 * 3600, 10 * 3600 - 1],
      [[6], 7 * 3600, 9 * 3600 - 1],
      [[6], 8 * 3600, 10 * 3600 - 1],
    ]);
    expect(r.recompileByMs).toBe(Date.UTC(2027, 10, 7, 7));
    const text = renderNft(r);
    expect(text).toContain('set allow4_maint_window {');
    expect(text).toContain(
      'meta time < 1805011200 meta day { "Saturday" } meta hour 28800-35999 ip saddr . ip daddr . meta l4proto . th dport @allow4_maint_window counter accept',
    );
  });

  it('skips source/destination pairs of different families', () => {
    const r = compile(
      policy({
        assets: [
          asset('plc', '10.0.1.10', 'cell'),
          asset('plc6', 'fd00::10', 'cell'),
          asset('hmi', '10.0.0.50', 'ops'),
        ],
        groups: [{ name: 'plcs', assets: ['plc', 'plc6'], loc: loc(7) }],
        rules: [{ ...rule('hmi-to-plcs', 'hmi', 'plcs', 12), to: { kind: 'group', name: 'plcs' } }],
      }),
      { nowMs: NOW },
    );
    expect(r.entries.map((e) => e.destination)).toEqual(['10.0.1.10']);
  });

  it('compiles 100k pairs to the same handful of rules, fast', () => {
    const sources = Array.from({ length: 400 }, (_, i) => asset(`s${i}`, `10.1.${i >> 8}.${i & 255}`, 'ops'));
    const targets = Array.from({ length: 250 }, (_, i) =>
      asset(`t${i}`, `10.2.${i >> 8}.${i & 255}`, 'cell'),
    );
    const big = policy({
      assets: [...sources, ...targets],
      groups: [
        { name: 'sources', assets: sources.map((a) => a.name), loc: loc(6) },
        { name: 'targets', assets: targets.map((a) => a.name), loc: loc(7) },
      ],
      rules: [rule('everyone', 'sources', 'targets', 12, 'group')],
    });
    const started = performance.now();
    const r = compile(big, { nowMs: NOW });
    const text = renderNft(r);
    const elapsedMs = performance.now() - started;
    expect(r.entries).toHaveLength(100_000);
    expect(chainRules(text)).toHaveLength(chainRules(renderNft(compile(policy(), { nowMs: NOW }))).length);
    // One compact line per element: the kernel parses these, 100k of them.
    expect(text.split('\n').length).toBeLessThan(100_000 + 200);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
