import { describe, expect, it } from 'vitest';
import { renderNft, tableCommentText } from './render.js';
import type { Ruleset } from './ruleset.js';

const ruleset: Ruleset = {
  site: 'plant',
  policyFile: 'policy.yaml',
  hash: 'ab'.repeat(32),
  mode: 'enforce',
  outOfProfile: 'quarantine',
  quarantineTimeoutSeconds: 3600,
  never: [],
  neverAssets: [],
  entries: [
    {
      family: 4,
      source: '10.0.0.5',
      destination: '10.0.1.0/24',
      transport: 'tcp',
      ports: '502',
      rule: 'r',
      line: 9,
    },
  ],
  windows: [],
  l2: { allow: [0x0806], default: 'drop' },
  logGroup: 3,
  logRatePerSecond: 50,
  enforcementLine: 20,
};

const verdicts = (text: string) => text.split('\n').filter((l) => /counter drop|add @quarantine\d/.test(l));

describe('renderNft', () => {
  it('replaces only the two picket tables, each added, deleted and defined', () => {
    const commands = renderNft(ruleset)
      .split('\n')
      .filter((l) => /^(add|delete|table) /.test(l));
    expect(commands).toEqual([
      'add table inet picket',
      'delete table inet picket',
      'table inet picket {',
      'add table bridge picket',
      'delete table bridge picket',
      'table bridge picket {',
    ]);
  });

  it('carries quarantined addresses over with their remaining time, and drops expired ones', () => {
    const text = renderNft(ruleset, {
      quarantined: [
        { address: '10.0.0.66', family: 4, timeoutSeconds: 3600, expiresSeconds: 1200.4 },
        { address: 'fd00::66', family: 6, timeoutSeconds: 600, expiresSeconds: 900 },
        { address: '10.0.0.67', family: 4, timeoutSeconds: 3600, expiresSeconds: 0 },
      ],
    });
    expect(text).toContain('10.0.0.66 timeout 3600s expires 1200s');
    expect(text).toContain('fd00::66 timeout 600s expires 600s');
    expect(text).not.toContain('10.0.0.67');
  });

  it('quarantines only unicast sources from the packet path, family by family', () => {
    expect(verdicts(renderNft(ruleset)).filter((l) => l.includes('add @'))).toEqual([
      '\t\tmeta nfproto ipv4 meta pkttype != { broadcast, multicast } add @quarantine4 { ip saddr } counter comment "policy.yaml:20 out-of-profile: quarantine source"',
      '\t\tmeta nfproto ipv6 meta pkttype != { broadcast, multicast } add @quarantine6 { ip6 saddr } counter comment "policy.yaml:20 out-of-profile: quarantine source"',
    ]);
  });

  it('never rate-limits a verdict: limits sit only on log rules', () => {
    const limited = renderNft(ruleset)
      .split('\n')
      .filter((l) => l.includes('limit rate'));
    expect(limited.length).toBeGreaterThan(0);
    for (const line of limited)
      expect(line).toMatch(
        /limit rate 50\/second burst 100 packets log prefix "picket:[a-z0-9-]+:" group 3 comment/,
      );
  });

  it('drops and quarantines nothing in monitor mode', () => {
    expect(verdicts(renderNft({ ...ruleset, mode: 'monitor' }))).toEqual([]);
  });

  it('accepts out-of-profile traffic in alert mode, dropping only quarantined and invalid packets', () => {
    const dropped = verdicts(
      renderNft({ ...ruleset, outOfProfile: 'alert', l2: { allow: [], default: 'accept' } }),
    );
    expect(dropped.map((l) => l.replace(/ comment .*/, '').trim())).toEqual([
      'ip saddr @quarantine4 counter drop',
      'ip daddr @quarantine4 counter drop',
      'ip6 saddr @quarantine6 counter drop',
      'ip6 daddr @quarantine6 counter drop',
      'ct state invalid counter drop',
    ]);
  });

  it('keeps the table comment within 128 bytes and the hash whole', () => {
    const long = { ...ruleset, site: 's'.repeat(100), policyFile: `${'p'.repeat(100)}.yaml` };
    const comment = tableCommentText(long);
    expect(comment.length).toBeLessThanOrEqual(128);
    expect(comment).toContain(`hash=${ruleset.hash} `);
  });

  it('declares the size of a large exact-tuple hash set and leaves out its element comments (both load faster); a small one keeps them', () => {
    const exact = (i: number) => ({
      family: 4 as const,
      source: `10.64.${i >> 8}.${i & 255}`,
      destination: '10.0.1.1',
      transport: 'tcp' as const,
      ports: '502',
      rule: 'r',
      line: 9,
    });
    const setOf = (text: string) =>
      text.slice(text.indexOf('set exact4 {'), text.indexOf('elements', text.indexOf('set exact4 {')));
    const large = renderNft({ ...ruleset, entries: Array.from({ length: 5000 }, (_v, i) => exact(i)) });
    expect(setOf(large)).toContain('size 16384');
    expect(large).not.toContain('comment "policy.yaml:9 r"');
    const small = renderNft({ ...ruleset, entries: Array.from({ length: 10 }, (_v, i) => exact(i)) });
    expect(setOf(small)).not.toContain('size');
    expect(small).toContain('comment "policy.yaml:9 r"');
  });
});
