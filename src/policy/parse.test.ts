import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse.js';

const head = 'version: 1\nsite: test\n';
const plant = `${head}zones:
  cell-a: { networks: [10.20.1.0/24, "fd00:20:1::/64"] }
  scada: { networks: [10.20.0.0/24] }
assets:
  plc-a1: { ip: 10.20.1.10, zone: cell-a, role: plc, critical: true }
  plc-a2: { ip: 10.20.1.11, zone: cell-a, role: plc }
  rtu-6: { ip: "FD00:20:1:0:0:0:0:9", mac: "00-1B-1B-AA-BB-CC", zone: cell-a, role: rtu }
  hmi-a: { ip: 10.20.0.50, zone: scada, role: hmi }
services:
  modbus: { tcp: [502], protocol: modbus }
  dyn: { tcp: ["20000-20100"], udp: [161] }
schedules:
  night: { days: [sun, sat], from: "22:00", to: "00:00", timezone: america/chicago }
`;

function codes(source: string): string[] {
  return parsePolicy(source, 'p.yaml').diagnostics.map((d) => `${d.severity}:${d.code}`);
}

describe('parsePolicy resolves a valid policy', () => {
  const { policy, diagnostics } = parsePolicy(
    `${plant}groups:
  plcs: { match: { role: plc } }
  mixed: { assets: [rtu-6, plc-a1], match: { zone: cell-a } }
rules:
  - name: hmi-reads-plcs
    from: hmi-a
    to: plcs
    services: [modbus, dyn]
    when: night
`,
    'p.yaml',
  );

  it('has no diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  it('canonicalises addresses and MACs', () => {
    const rtu = policy?.assets.find((a) => a.name === 'rtu-6');
    expect(rtu).toMatchObject({ ip: 'fd00:20:1::9', family: 6, mac: '00:1b:1b:aa:bb:cc', critical: false });
    expect(policy?.zones[0]?.networks).toEqual([
      { family: 4, address: '10.20.1.0', length: 24 },
      { family: 6, address: 'fd00:20:1::', length: 64 },
    ]);
  });

  it('resolves groups: listed first, then matched, no repeats', () => {
    expect(policy?.groups.map((g) => [g.name, g.assets])).toEqual([
      ['plcs', ['plc-a1', 'plc-a2']],
      ['mixed', ['rtu-6', 'plc-a1', 'plc-a2']],
    ]);
  });

  it('reads ports, schedules and rules', () => {
    expect(policy?.services[1]?.ports).toEqual([
      { transport: 'tcp', from: 20000, to: 20100 },
      { transport: 'udp', from: 161, to: 161 },
    ]);
    expect(policy?.schedules[0]).toMatchObject({
      days: ['sat', 'sun'],
      fromMinute: 1320,
      toMinute: 1440,
      timezone: 'America/Chicago',
    });
    expect(policy?.rules[0]).toMatchObject({
      from: { kind: 'asset', name: 'hmi-a' },
      to: { kind: 'group', name: 'plcs' },
      services: ['modbus', 'dyn'],
      when: 'night',
      loc: { file: 'p.yaml', line: 20, col: 5 },
    });
  });

  it('fills safe enforcement defaults', () => {
    expect(policy?.enforcement).toMatchObject({
      mode: 'enforce',
      unrecognized: 'block',
      outOfProfile: 'quarantine',
      quarantine: { durationSeconds: 3600, never: [] },
      l2: { allow: [0x0806, 0x8892, 0x88b8, 0x88ba, 0x88cc, 0x88f7], default: 'accept' },
      loc: { line: 1, col: 1 },
    });
  });
});

describe('parsePolicy reads enforcement', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['2d', 172_800],
    ['1h30m', 5400],
  ])('duration %s is %d seconds', (text, seconds) => {
    const { policy } = parsePolicy(`${head}enforcement: { quarantine: { duration: ${text} } }\n`, 'p.yaml');
    expect(policy?.enforcement.quarantine.durationSeconds).toBe(seconds);
  });

  it('reads l2 names and numbers', () => {
    const { policy } = parsePolicy(
      `${head}enforcement: { l2: { allow: [goose, 0x88ba, "0x8100"], default: drop } }\n`,
      'p.yaml',
    );
    expect(policy?.enforcement.l2).toEqual({ allow: [0x88b8, 0x88ba, 0x8100], default: 'drop' });
  });
});

describe('parsePolicy reports', () => {
  it.each([
    ['not a mapping', '- a\n- b\n', ['error:wrong-type']],
    ['an empty file', '', ['error:wrong-type']],
    ['missing version and site', 'zones: {}\n', ['error:missing-key', 'error:missing-key']],
    ['version 2', 'version: 2\nsite: x\n', ['error:unsupported-version']],
    ['a duplicate top-level key', `${head}site: again\n`, ['error:duplicate-key']],
    ['a YAML error', `${head}zones: [\n`, ['error:yaml-syntax']],
    ['a misspelt key once', `${head}zones: { a: { netwroks: [10.0.0.0/8] } }\n`, ['error:unknown-key']],
    [
      'a quarantine too short',
      `${head}enforcement: { quarantine: { duration: 5s } }\n`,
      ['error:duration-out-of-range'],
    ],
    ['a zero duration', `${head}enforcement: { quarantine: { duration: "" } }\n`, ['error:invalid-duration']],
    [
      'a rule from a zone to a v6-only asset',
      `${plant}rules:\n  - { name: r, from: scada, to: rtu-6, services: [modbus] }\n`,
      ['error:rule-never-matches'],
    ],
    [
      'a rule from a v4+v6 zone to a v4 asset',
      `${plant}rules:\n  - { name: r, from: cell-a, to: hmi-a, services: [modbus] }\n`,
      [],
    ],
    [
      'an unknown endpoint',
      `${plant}rules:\n  - { name: r, from: hmi-b, to: plc-a1, services: [modbus] }\n`,
      ['error:unknown-endpoint'],
    ],
    [
      'an empty services list',
      `${plant}rules:\n  - { name: r, from: hmi-a, to: plc-a1, services: [] }\n`,
      ['error:empty-list'],
    ],
    ['a group naming a zone', `${plant}groups:\n  g: { assets: [scada] }\n`, ['error:unknown-asset']],
    [
      'an unknown match role',
      `${plant}groups:\n  g: { match: { role: hmii } }\n`,
      ['warning:empty-group', 'warning:unknown-role'],
    ],
    [
      'a zone match with no assets',
      `${head}zones: { empty: { networks: [10.9.0.0/24] } }\ngroups:\n  g: { match: { zone: empty } }\n`,
      ['warning:empty-group'],
    ],
    [
      'a bad MAC',
      `${head}zones: { z: { networks: [10.0.0.0/8] } }\nassets: { a: { ip: 10.0.0.1, zone: z, mac: "zz" } }\n`,
      ['error:invalid-mac'],
    ],
    [
      'an alias resolved',
      `${head}zones: { z: { networks: &n [10.0.0.0/8] }, y: { networks: *n } }\n`,
      ['error:zone-overlap'],
    ],
  ])('%s', (_name, source, expected) => {
    expect(codes(source)).toEqual(expected);
  });

  it('returns no policy when there is an error, and one when there are only warnings', () => {
    expect(parsePolicy(`${head}version: 2\n`, 'p.yaml').policy).toBeUndefined();
    const warned = parsePolicy(`${plant}groups:\n  g: { assets: [] }\n`, 'p.yaml');
    expect(warned.diagnostics.map((d) => d.code)).toEqual(['empty-group']);
    expect(warned.policy).toBeDefined();
  });

  it('cites the offending value', () => {
    const [d] = parsePolicy(`${head}zones:\n  z: { networks: [10.0.0.1/8] }\n`, 'p.yaml').diagnostics;
    expect(d).toMatchObject({
      code: 'host-bits-set',
      location: { file: 'p.yaml', line: 4, col: 19 },
      hint: 'did you mean 10.0.0.0/8?',
    });
  });
});

describe('parsePolicy survives hostile YAML', () => {
  it('stops an alias bomb with one error', () => {
    let source = `${head}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i < 9; i++)
      source += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const { diagnostics } = parsePolicy(source, 'p.yaml');
    expect(diagnostics.filter((d) => d.code === 'yaml-syntax')).toHaveLength(1);
  });
});
