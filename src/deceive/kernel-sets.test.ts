import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import { parsePolicy } from '../policy/parse.js';
import { decoySetsText } from './kernel-sets.js';

const decoys = [
  { id: 'cell-a/s7-300/0', ip: '10.20.1.62', mac: '00:0e:8c:00:01:d5' },
  { id: 'cell-a/modicon-m340/0', ip: '10.20.1.238', mac: '00:00:54:63:9f:c9' },
];

describe('decoySetsText', () => {
  it('replaces all three sets in one transaction', () => {
    expect(decoySetsText(decoys)).toBe(
      [
        'flush set inet picket decoys4',
        'flush set bridge picket decoys4',
        'flush set bridge picket decoyhw4',
        'add element inet picket decoys4 { 10.20.1.62, 10.20.1.238 }',
        'add element bridge picket decoys4 { 10.20.1.62, 10.20.1.238 }',
        'add element bridge picket decoyhw4 { 10.20.1.62 . 00:0e:8c:00:01:d5, 10.20.1.238 . 00:00:54:63:9f:c9 }',
        '',
      ].join('\n'),
    );
  });

  it('empties them when there are no decoys', () => {
    expect(decoySetsText([])).not.toContain('add element');
  });

  // Root can make a network namespace; there the kernel's own parser checks the text against a compiled ruleset.
  const canUseKernel = spawnSync('unshare', ['-n', 'nft', '--version']).status === 0;
  it.skipIf(!canUseKernel)('is accepted by nft on top of a ruleset with decoys', () => {
    const source = `version: 1
site: s
zones:
  cell-a: { networks: [10.20.1.0/24] }
decoys:
  place:
    - { zone: cell-a, profile: s7-300, count: 1 }
`;
    const { policy } = parsePolicy(source, 'p.yaml');
    const text = `${renderNft(compile(policy!, { nowMs: 0 }))}\n${decoySetsText(decoys)}`;
    const r = spawnSync('unshare', ['-n', 'nft', '-c', '-f', '-'], { input: text, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
