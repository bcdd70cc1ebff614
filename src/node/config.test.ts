import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../policy/diagnostic.js';
import { parseListen, parseNodeConfig } from './config.js';

const FILE = '/etc/picket/node.yaml';

const base = `name: node-a
mode: bridge
bridge: { name: br0, interfaces: [eth1, eth2] }
policy: policy.yaml
`;

function errors(source: string) {
  return parseNodeConfig(source, FILE).diagnostics.map(
    (d) => `${d.location.line}:${d.location.col} ${d.code}`,
  );
}

describe('parseNodeConfig', () => {
  it('accepts the example and fills in defaults', () => {
    const file = join(import.meta.dirname, '..', '..', 'examples', 'node.yaml');
    const { config, diagnostics } = parseNodeConfig(readFileSync(file, 'utf8'), file);
    expect(diagnostics).toEqual([]);
    expect(config?.wire.mode).toBe('bridge');
  });

  it('resolves paths against the file and defaults the rest', () => {
    const { config } = parseNodeConfig(base, FILE);
    expect(config).toEqual({
      name: 'node-a',
      wire: { mode: 'bridge', bridge: 'br0', interfaces: ['eth1', 'eth2'] },
      policyFile: '/etc/picket/policy.yaml',
      nflogGroup: 1,
      metrics: { host: '127.0.0.1', port: 9641 },
      reconcileIntervalSeconds: 60,
      logLevel: 'info',
    });
  });

  it('reads sensor and routed modes and every optional key', () => {
    const sensor = parseNodeConfig(
      `name: tap-1\nmode: sensor\nsensor: { interface: eth3 }\npolicy: /p.yaml\nstate-dir: /var/lib/x\njournal: j.db\nnflog-group: 7\nmetrics: { listen: "[::1]:9700" }\nreconcile-interval: 5m\nlog-level: debug\n`,
      FILE,
    ).config;
    expect(sensor).toMatchObject({
      wire: { mode: 'sensor', interface: 'eth3' },
      stateDir: '/var/lib/x',
      journalFile: '/etc/picket/j.db',
      nflogGroup: 7,
      metrics: { host: '::1', port: 9700 },
      reconcileIntervalSeconds: 300,
      logLevel: 'debug',
    });
    expect(parseNodeConfig('name: r\nmode: routed\npolicy: p.yaml\n', FILE).config?.wire).toEqual({
      mode: 'routed',
    });
  });

  it.each([
    ['unknown key with a suggestion', `${base}polcy: x\n`, ['5:1 unknown-key']],
    ['missing policy', 'name: a\nmode: routed\n', ['1:1 missing-key']],
    ['bad mode', 'name: a\nmode: bridged\npolicy: p\n', ['2:7 invalid-value']],
    ['bridge without section', 'name: a\nmode: bridge\npolicy: p\n', ['2:7 missing-key']],
    ['sensor section in bridge mode', `${base}sensor: { interface: eth3 }\n`, ['5:1 section-not-for-mode']],
    [
      'bad interface name',
      'name: a\nmode: sensor\nsensor: { interface: "eth 3/x" }\npolicy: p\n',
      ['3:22 invalid-interface'],
    ],
    [
      'interface twice',
      'name: a\nmode: bridge\nbridge: { name: br0, interfaces: [eth1, eth1] }\npolicy: p\n',
      ['3:41 duplicate-entry'],
    ],
    ['bad listen', `${base}metrics: { listen: "localhost" }\n`, ['5:20 invalid-listen']],
    ['bad interval', `${base}reconcile-interval: soon\n`, ['5:21 invalid-duration']],
    ['interval out of range', `${base}reconcile-interval: 2d\n`, ['5:21 duration-out-of-range']],
    ['group out of range', `${base}nflog-group: 70000\n`, ['5:14 out-of-range']],
    ['wrong type', `${base}nflog-group: one\n`, ['5:14 wrong-type']],
    ['bad name', 'name: "a b"\nmode: routed\npolicy: p\n', ['1:7 invalid-name']],
    ['not a mapping', '- a\n', ['1:1 wrong-type']],
    ['yaml syntax', 'name: [a\n', expect.arrayContaining([expect.stringMatching(/yaml-syntax/)])],
  ])('reports %s', (_name, source, expected) => {
    expect(errors(source)).toEqual(expected);
  });

  it('renders like the policy: file:line:col, source line, caret, did-you-mean', () => {
    const source = `${base}polcy: x\n`;
    const [d] = parseNodeConfig(source, FILE).diagnostics;
    expect(renderDiagnostic(d!, source)).toBe(
      [
        '/etc/picket/node.yaml:5:1: error[unknown-key]: node config: unknown key "polcy"',
        '   5 | polcy: x',
        '     | ^',
        '     = hint: did you mean "policy"?',
      ].join('\n'),
    );
  });

  it('returns no config when there is any error', () => {
    expect(parseNodeConfig(`${base}log-level: loud\n`, FILE).config).toBeUndefined();
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9641', { host: '127.0.0.1', port: 9641 }],
    ['[::]:80', { host: '::', port: 80 }],
    ['node.local:1', { host: 'node.local', port: 1 }],
    ['1.2.3.4:0', undefined],
    ['1.2.3.4:70000', undefined],
    ['1.2.3.4', undefined],
  ])('%s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it('reads portal-address in bridge mode only, as an IPv4 address/prefix', () => {
    expect(parseNodeConfig(`${base}portal-address: 10.20.0.2/16\n`, FILE).config?.portalAddress).toEqual({
      address: '10.20.0.2',
      prefixLength: 16,
    });
    expect(errors(`${base}portal-address: 10.20.0.2\n`)).toEqual(['5:17 invalid-address']);
    expect(errors(`${base}portal-address: 10.20.0.300/16\n`)).toEqual(['5:17 invalid-address']);
    expect(errors('name: n\nmode: routed\npolicy: p.yaml\nportal-address: 10.0.0.2/24\n')).toEqual([
      '4:17 section-not-for-mode',
    ]);
  });
});
