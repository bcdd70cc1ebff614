import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from './diagnostic.js';
import { parsePolicy } from './parse.js';
import { usableDecoyAddressCount } from './read-decoys.js';

const plant = `version: 1
site: test
zones:
  cell-a: { networks: [10.20.1.0/24] }
  tiny: { networks: [10.20.2.0/30] }
  v6only: { networks: ["fd00::/64"] }
assets:
  plc-a1: { ip: 10.20.1.10, zone: cell-a }
  plc-t: { ip: 10.20.2.2, zone: tiny }
`;

function parse(decoys: string) {
  const source = `${plant}decoys:\n${decoys}`;
  const { policy, diagnostics } = parsePolicy(source, 'p.yaml');
  return { policy, rendered: diagnostics.map((d) => renderDiagnostic(d, source)) };
}

describe('decoys section', () => {
  it('reads placements, seed and rotation', () => {
    const { policy, rendered } = parse(`  seed: riverside-7f3a
  rotate: { every: 6h }
  place:
    - { zone: cell-a, profile: s7-300, count: 2 }
    - { zone: cell-a, profile: modicon-m340, count: 1 }
`);
    expect(rendered).toEqual([]);
    expect(policy?.decoys).toMatchObject({
      seed: 'riverside-7f3a',
      rotateEverySeconds: 21_600,
      deceive: false,
      place: [
        { zone: 'cell-a', profile: 's7-300', count: 2 },
        { zone: 'cell-a', profile: 'modicon-m340', count: 1 },
      ],
    });
  });

  it('is absent without a decoys section', () => {
    expect(parsePolicy(plant, 'p.yaml').policy?.decoys).toBeUndefined();
  });

  it.each([
    [
      'unknown zone, with a suggestion',
      '    - { zone: cell-b, profile: s7-300, count: 1 }',
      'error[unknown-zone]: decoys: unknown zone "cell-b"',
      'did you mean "cell-a"?',
    ],
    [
      'unknown profile',
      '    - { zone: cell-a, profile: s7-1200, count: 1 }',
      'error[invalid-value]',
      'did you mean "s7-300"?',
    ],
    [
      'more decoys than free addresses',
      '    - { zone: tiny, profile: s7-300, count: 1 }',
      'error[too-many-decoys]: decoys: zone "tiny" has room for 0 decoy(s), 1 asked for',
      '',
    ],
    [
      'a zone without IPv4',
      '    - { zone: v6only, profile: s7-300, count: 1 }',
      'error[zone-without-ipv4]',
      '',
    ],
    [
      'an unknown key',
      '    - { zone: cell-a, profile: s7-300, count: 1, ports: [1] }',
      'error[unknown-key]',
      '',
    ],
  ])('reports %s', (_what, line, message, hint) => {
    const { policy, rendered } = parse(`  place:\n${line}\n`);
    expect(policy).toBeUndefined();
    const text = rendered.join('\n');
    expect(text).toContain(message);
    expect(text).toContain(hint);
    expect(text).toMatch(/^p\.yaml:\d+:\d+: /);
  });

  it.each([
    ['every: 5s', 'error[duration-out-of-range]'],
    ['every: soon', 'error[invalid-duration]'],
  ])('refuses rotate %s', (every, code) => {
    const { rendered } = parse(
      `  rotate: { ${every} }\n  place:\n    - { zone: cell-a, profile: s7-300, count: 1 }\n`,
    );
    expect(rendered.join('\n')).toContain(code);
  });
});

describe('usableDecoyAddressCount', () => {
  it('leaves out network, broadcast and the gateway-looking .1 and .254', () => {
    expect(usableDecoyAddressCount({ family: 4, value: 0x0a140100n, length: 24 })).toBe(252);
    expect(usableDecoyAddressCount({ family: 4, value: 0x0a140200n, length: 30 })).toBe(1);
  });
});

describe('decoys: deceive', () => {
  it('is read', () => {
    const { policy, rendered } = parse(
      '  deceive: true\n  place:\n    - { zone: cell-a, profile: s7-300, count: 1 }\n',
    );
    expect(rendered).toEqual([]);
    expect(policy?.decoys?.deceive).toBe(true);
  });
});
