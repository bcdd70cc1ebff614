import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderLabIssue } from './errors.js';
import { parseLabSpec } from './spec.js';
import { buildBatches, layoutLab } from './topology.js';

const example = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'lab.yaml'), 'utf8');

const base = `lab: t
subnet: { ipv4: 10.20.0.0/16 }
segments: [up, cell]
node:
  name: node
  ports: { up0: up, cell0: cell }
hosts:
  hmi:
    segment: up
    ipv4: 10.20.0.50
    services: [{ hmi-poller: { target: plc, hz: 5 } }]
  plc:
    segment: cell
    ipv4: 10.20.1.10
    services: [modbus-server]
`;

/** Errors for `base` with `from` replaced by `to`, rendered as `line:col code`. */
function errorsWith(from: string, to: string): string[] {
  expect(base).toContain(from);
  const result = parseLabSpec(base.replace(from, to), 'lab.yaml');
  return result.ok ? [] : result.issues.map((i) => `${i.line}:${i.col} ${i.code}`);
}

describe('parseLabSpec', () => {
  it('accepts examples/lab.yaml', () => {
    const result = parseLabSpec(example, 'examples/lab.yaml');
    expect(result.ok ? [] : result.issues.map((i) => renderLabIssue(i))).toEqual([]);
    if (!result.ok) return;
    expect(result.spec.hosts.map((h) => `${h.name} ${h.ipv4}`)).toContain('plc-a1 10.20.1.10');
    expect(result.spec.node.ports).toEqual([
      { name: 'up0', segment: 'upstream' },
      { name: 'cell0', segment: 'cell' },
    ]);
  });

  it('accepts the minimal lab', () => {
    expect(errorsWith('lab: t', 'lab: t')).toEqual([]);
  });

  it.each([
    ['an unknown top-level key', 'lab: t\n', 'lab: t\nlabs: x\n', ['2:1 unknown-key']],
    [
      'a typo in a host key',
      '    segment: up\n',
      '    segmnet: up\n',
      ['9:5 unknown-key', '9:5 missing-key'],
    ],
    ['an unknown segment', '    segment: cell\n', '    segment: cel\n', ['13:14 unknown-segment']],
    ['an address outside the subnet', 'ipv4: 10.20.1.10', 'ipv4: 10.21.1.10', ['14:11 outside-subnet']],
    ['an address with a prefix', 'ipv4: 10.20.1.10', 'ipv4: 10.20.1.10/16', ['14:11 bad-address']],
    ['a duplicate address', 'ipv4: 10.20.1.10', 'ipv4: 10.20.0.50', ['14:11 duplicate-address']],
    ['a poller aimed at a non-PLC', 'target: plc', 'target: hmi', ['11:40 unknown-target']],
    ['an unknown service', '[modbus-server]', '[s7-server]', ['15:16 unknown-service']],
    ['a bad rate', 'hz: 5', 'hz: -1', ['11:49 bad-number']],
    [
      'a multicast MAC',
      '    ipv4: 10.20.0.50\n',
      '    ipv4: 10.20.0.50\n    mac: "01:00:5e:00:00:01"\n',
      ['11:10 bad-mac'],
    ],
    ['a name too long for an interface', '  plc:\n', '  plc-with-a-long-name:\n', ['12:3 bad-name']],
    ['a node with one port', '{ up0: up, cell0: cell }', '{ up0: up }', ['6:10 too-few-ports']],
    [
      'a node port on an unknown segment',
      'cell0: cell }',
      'cell0: dmz }',
      ['6:28 unknown-segment', '6:10 too-few-ports'],
    ],
    ['YAML syntax', 'segments: [up, cell]', 'segments: [up, cell', ['4:1 yaml-syntax']],
  ])('reports %s at file:line:col', (_name, from, to, expected) => {
    expect(errorsWith(from, to)).toEqual(expected);
  });

  it('renders issues like a compiler, with the line and a caret', () => {
    const source = base.replace('segment: cell\n', 'segment: cel\n');
    const result = parseLabSpec(source, 'lab.yaml');
    expect(result.ok ? '' : result.issues.map((i) => renderLabIssue(i, source)).join('\n')).toBe(
      [
        'lab.yaml:13:14: error[unknown-segment]: host "plc": unknown segment "cel" (segments: up, cell)',
        '  13 |     segment: cel',
        '     |              ^',
      ].join('\n'),
    );
  });
});

describe('layoutLab and buildBatches', () => {
  const result = parseLabSpec(base, 'lab.yaml');
  if (!result.ok) throw new Error('base lab must parse');
  const layout = layoutLab(result.spec, '3f2a');

  it('names every namespace pk-<id>-…', () => {
    expect(layout.namespaces).toEqual([
      'pk-3f2a-sw-up',
      'pk-3f2a-sw-cell',
      'pk-3f2a-node',
      'pk-3f2a-hmi',
      'pk-3f2a-plc',
    ]);
  });

  it('joins the segments only through the node bridge', () => {
    const [root, ...rest] = buildBatches(result.spec, layout);
    expect(root?.commands.filter((c) => c.startsWith('link add'))).toEqual([
      'link add name eth0 netns pk-3f2a-hmi type veth peer name hmi netns pk-3f2a-sw-up',
      'link add name eth0 netns pk-3f2a-plc type veth peer name plc netns pk-3f2a-sw-cell',
      'link add name up0 netns pk-3f2a-node type veth peer name node netns pk-3f2a-sw-up',
      'link add name cell0 netns pk-3f2a-node type veth peer name node netns pk-3f2a-sw-cell',
    ]);
    const node = rest.find((b) => b.ns === 'pk-3f2a-node');
    expect(node?.commands).toContain('link set cell0 master br0');
    expect(rest.find((b) => b.ns === 'pk-3f2a-plc')?.commands).toContain('addr add 10.20.1.10/16 dev eth0');
  });

  it('wires each segment straight into its node port with wiring: direct, and refuses it for a shared segment', () => {
    const direct = parseLabSpec(
      base.replace('segments: [up, cell]', 'segments: [up, cell]\nwiring: direct'),
      'lab.yaml',
    );
    expect(direct.ok).toBe(true);
    if (!direct.ok) return;
    const layout = layoutLab(direct.spec, 'abcd');
    expect(layout.namespaces).toEqual(['pk-abcd-node', 'pk-abcd-hmi', 'pk-abcd-plc']);
    const root = buildBatches(direct.spec, layout)[0]?.commands ?? [];
    expect(root).toContain('link add name eth0 netns pk-abcd-hmi type veth peer name up0 netns pk-abcd-node');
    expect(root.some((c) => c.includes('sw-'))).toBe(false);
    expect(errorsWith('segments: [up, cell]', 'segments: [up, cell, spare]\nwiring: direct')).toEqual([
      '4:9 bad-wiring',
    ]);
    expect(errorsWith('segments: [up, cell]', 'segments: [up, cell]\nwiring: star')).toEqual([
      '4:9 bad-wiring',
    ]);
  });
});
