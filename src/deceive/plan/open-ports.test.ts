import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openPortsRuleset } from './open-ports.js';

const decoys = [
  {
    ip: '10.20.1.62',
    services: [{ transport: 'tcp' as const, port: 102 }],
  },
  {
    ip: '10.20.1.238',
    services: [
      { transport: 'tcp' as const, port: 502 },
      { transport: 'udp' as const, port: 44818 },
    ],
  },
];

describe('openPortsRuleset', () => {
  it("opens exactly each decoy's own ports and resets the rest", () => {
    const text = openPortsRuleset(decoys);
    expect(text).toContain(
      'elements = { 10.20.1.62 . tcp . 102, 10.20.1.238 . tcp . 502, 10.20.1.238 . udp . 44818 }',
    );
    expect(text).not.toContain('10.20.1.62 . tcp . 502');
    expect(text).toContain('meta l4proto tcp reject with tcp reset');
  });

  it('is accepted by nft, with decoys and without (needs root)', () => {
    for (const d of [decoys, []]) {
      const r = spawnSync('nft', ['--check', '-f', '-'], { input: openPortsRuleset(d), encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
