import { describe, expect, it } from 'vitest';
import {
  BULK_FROM,
  bulkSets,
  INET_TABLE_COMMENT,
  renderBridgeReplacement,
  renderInetStaged,
  renderNft,
  tableCommentText,
} from './render.js';
import type { AllowEntry, Ruleset } from './ruleset.js';

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

/** `n` single-host tuples: they all go to the exact (hash) set. */
const hostEntries = (n: number): AllowEntry[] =>
  Array.from({ length: n }, (_v, i) => ({
    family: 4,
    source: `10.0.${i >> 8}.${i & 255}`,
    destination: '10.9.0.1',
    transport: 'tcp',
    ports: '502',
    rule: 'r',
    line: 1,
  }));

/** The ruleset's one range entry and BULK_FROM exact tuples. */
const bulk: Ruleset = { ...ruleset, entries: [...ruleset.entries, ...hostEntries(BULK_FROM)] };

/** Each `set NAME { … }` block of the inet table, by name. */
function setBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const name = /^\tset (\S+) \{$/.exec(line)?.[1];
    if (name !== undefined) blocks.set(name, lines.slice(i, lines.indexOf('\t}', i) + 1).join('\n'));
  });
  return blocks;
}

describe('staged apply rendering', () => {
  it('gives the inet table a fixed comment and records the enforced policy hash on the bridge table', () => {
    const text = renderNft(ruleset);
    const bridge = renderBridgeReplacement(ruleset);
    const inet = text.slice(0, text.indexOf(bridge));
    expect(inet).toContain(`\tcomment "${INET_TABLE_COMMENT}"\n`);
    expect(inet).not.toContain(ruleset.hash);
    expect(bridge).toContain(`\tcomment "${tableCommentText(ruleset)}"\n`);
    expect(bridge).toContain(`hash=${ruleset.hash} `);
    const other = { ...ruleset, hash: 'cd'.repeat(32) };
    expect(renderNft(other).slice(0, renderNft(other).indexOf('add table bridge'))).toBe(
      text.slice(0, text.indexOf('add table bridge')),
    );
  });

  it('loads the exact set over netlink from BULK_FROM elements on, and nothing for smaller sets', () => {
    expect(bulkSets(ruleset)).toEqual([]);
    expect(bulkSets({ ...bulk, entries: bulk.entries.slice(0, -1) })).toEqual([]);
    const sets = bulkSets(bulk);
    expect(sets.map((s) => [s.name, s.family, s.interval, s.entries.length])).toEqual([
      ['exact4', 4, false, BULK_FROM],
    ]);
    expect(sets[0]?.entries).toEqual(bulk.entries.slice(1));
  });

  it('declares a bulk set under its staged name with its size and without elements', () => {
    const [exact] = bulkSets(bulk);
    expect(exact?.declaration('exact4_sX')).toBe(
      [
        'set exact4_sX {',
        '\ttype ipv4_addr . ipv4_addr . inet_proto . inet_service',
        '\tsize 8192',
        '}',
      ].join('\n'),
    );
  });

  it('declares a large range set as an interval set', () => {
    const ranges = hostEntries(BULK_FROM).map((e) => ({ ...e, ports: '1000-2000' }));
    const [allow] = bulkSets({ ...ruleset, entries: ranges });
    expect([allow?.name, allow?.interval]).toEqual(['allow4', true]);
    expect(allow?.declaration('allow4_sX')).toBe(
      [
        'set allow4_sX {',
        '\ttype ipv4_addr . ipv4_addr . inet_proto . inet_service',
        '\tflags interval',
        '}',
      ].join('\n'),
    );
  });

  it('renders the inet table with the staged set, empty, matched by its staged name; the rest as renderNft has it', () => {
    const staged = renderInetStaged(bulk, { names: new Map([['exact4', 'exact4_sX']]) });
    const full = renderNft(bulk);
    const stagedSets = setBlocks(staged);
    const fullSets = setBlocks(full);
    expect(stagedSets.get('exact4_sX')).toBe(
      bulkSets(bulk)[0]?.declaration('exact4_sX').replace(/^/gm, '\t'),
    );
    expect(stagedSets.has('exact4')).toBe(false);
    expect(full).toContain('10.0.0.0 . 10.9.0.1 . tcp . 502');
    expect(staged).not.toContain('10.0.0.0 . 10.9.0.1');
    expect(staged).toContain('ip saddr . ip daddr . meta l4proto . th dport @exact4_sX counter accept');
    expect(staged).not.toContain('@exact4 ');
    fullSets.delete('exact4');
    stagedSets.delete('exact4_sX');
    expect([...fullSets.keys()]).toEqual(
      expect.arrayContaining(['quarantine4', 'quarantine6', 'allow4', 'allow6']),
    );
    expect(stagedSets).toEqual(fullSets);
  });

  it('without staged names, renders exactly the inet table of renderNft', () => {
    const text = renderNft(bulk);
    const inet = renderInetStaged(bulk, { names: new Map() });
    expect(text).toContain(`\ndelete table inet picket\n${inet}\nadd table bridge picket\n`);
  });

  it('replaces the bridge table with exactly the tail of renderNft', () => {
    for (const r of [ruleset, bulk, { ...ruleset, mode: 'monitor' as const }]) {
      const text = renderNft(r);
      expect(renderBridgeReplacement(r)).toBe(text.slice(text.indexOf('add table bridge picket')));
    }
  });
});

describe('allow sets and schedules', () => {
  it('keeps a schedule called "exact" or "range" apart from the always-on sets', () => {
    const always = {
      family: 4 as const,
      source: '10.0.0.5',
      destination: '10.0.1.7',
      transport: 'tcp' as const,
      rule: 'r',
      line: 9,
    };
    const r: Ruleset = {
      ...ruleset,
      entries: [
        { ...always, ports: '502' },
        { ...always, ports: '1000-1010' },
        { ...always, ports: '102', schedule: 'exact' },
        { ...always, ports: '20000', schedule: 'range' },
      ],
    };
    const setBody = (name: string) =>
      new RegExp(`set ${name} \\{[^}]*\\}[^}]*\\}`).exec(renderNft(r))?.[0] ?? '';
    expect(setBody('exact4')).toContain('tcp . 502');
    expect(setBody('exact4')).not.toMatch(/tcp \. (102|20000)/);
    expect(setBody('allow4')).toContain('tcp . 1000-1010');
    expect(setBody('allow4')).not.toMatch(/tcp \. (102|20000)/);
    expect(setBody('allow4_exact')).toContain('tcp . 102');
    expect(setBody('allow4_range')).toContain('tcp . 20000');
  });
});
