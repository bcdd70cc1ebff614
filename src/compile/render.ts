// Renders a Ruleset as the text of one atomic nftables transaction that replaces
// Picket's two tables (and nothing else): for each table `add`, `delete`, then the
// full definition, so the kernel swaps old for new in one commit. Quarantined
// addresses can be carried over into the new quarantine sets.
// Ruleset (+ carry-over) → nft text. Pure.

import type { IpFamily, QueueFailure } from '../policy/types.js';
import { decoyBridgeRules, decoyBridgeSets, decoyInetSets } from './decoy-rules.js';
import { allowSetName, exactSetName, forwardChainRules, type ScheduleSet } from './forward-chain.js';
import { comment, commentText, etherType, identifierParts } from './nft-syntax.js';
import { portalNatChain, portalSetLines } from './portal.js';
import { type AllowEntry, LOG_PREFIX, QUEUE, type Ruleset, TABLE_BRIDGE, TABLE_INET } from './ruleset.js';

/** An address in the kernel's quarantine set, read back before a re-apply so it survives it. */
export interface QuarantinedElement {
  readonly address: string;
  readonly family: 4 | 6;
  readonly timeoutSeconds: number;
  readonly expiresSeconds: number;
}

/** What the new tables inherit from the kernel's current ones. */
export interface CarryOver {
  readonly quarantined?: readonly QuarantinedElement[];
}

const EMPTY: readonly QuarantinedElement[] = [];

/**
 * Sets apply loads over netlink instead of through this text (see `bulkSets`):
 * each is declared under its staged kernel name, without elements, and the
 * rules refer to it by that name.
 */
export interface StagedSets {
  /** Set name as rendered → the name of the already filled set in the kernel. */
  readonly names: ReadonlyMap<string, string>;
}

/**
 * The inet table's comment. It never changes: a staged apply keeps the inet
 * table (its bulk sets were filled before the switch) and the kernel keeps a
 * table's first comment, so what is enforced is recorded on the bridge table,
 * which every apply replaces.
 */
export const INET_TABLE_COMMENT = 'picket: the enforced policy is in the comment of table bridge picket';

/** Renders the complete transaction text; without carry-over it is what the hash covers. */
export function renderNft(ruleset: Ruleset, carry?: CarryOver): string {
  return [
    `# picket: generated from ${commentText(ruleset.policyFile)}, site ${commentText(ruleset.site)}; do not edit`,
    `add table inet ${TABLE_INET}`,
    `delete table inet ${TABLE_INET}`,
    renderInet(ruleset, carry?.quarantined ?? EMPTY),
    renderBridgeReplacement(ruleset),
  ].join('\n');
}

/**
 * The inet table's definition for a staged apply: the bulk sets under their
 * staged names and without elements, everything else as `renderNft` has it.
 * Declared into a table that already holds the staged sets.
 */
export function renderInetStaged(ruleset: Ruleset, staged: StagedSets): string {
  return renderInet(ruleset, EMPTY, staged);
}

/** `add` + `delete` + definition of the bridge table: it is replaced whole on every apply. */
export function renderBridgeReplacement(ruleset: Ruleset): string {
  const tableComment = `${comment(tableCommentText(ruleset)).trimStart()}`;
  return [
    `add table bridge ${TABLE_BRIDGE}`,
    `delete table bridge ${TABLE_BRIDGE}`,
    renderBridge(ruleset, tableComment),
  ].join('\n');
}

/** A set large enough that apply loads it over netlink (declared with `size` or as an interval set). */
export interface BulkSet {
  readonly name: string;
  readonly family: IpFamily;
  readonly interval: boolean;
  readonly entries: readonly AllowEntry[];
  /** `set <name> { type …; … }` without elements, as `renderNft` declares it, under the staged name. */
  declaration(stagedName: string): string;
}

/** The allow sets of `BULK_FROM` elements or more. */
export function bulkSets(r: Ruleset): BulkSet[] {
  return allowSets(r)
    .filter((s) => s.entries.length >= BULK_FROM)
    .map((s) => ({
      ...s,
      declaration: (stagedName: string) =>
        allowSet(r, stagedName, s.family, s.entries, s.interval, true).join('\n'),
    }));
}

interface AllowSetPlan {
  readonly name: string;
  readonly family: IpFamily;
  readonly interval: boolean;
  readonly entries: readonly AllowEntry[];
}

/** The allow sets in the order `renderInet` declares them (one pass over the entries: there can be 10^5). */
function allowSets(r: Ruleset): AllowSetPlan[] {
  const plans: { name: string; family: IpFamily; interval: boolean; entries: AllowEntry[] }[] = [];
  const byKey = new Map<string, AllowEntry[]>();
  const add = (key: string, name: string, family: IpFamily, interval: boolean) => {
    const entries: AllowEntry[] = [];
    plans.push({ name, family, interval, entries });
    byKey.set(key, entries);
  };
  // Keys of their own kind: a schedule may well be called "exact" or "range".
  for (const family of [4, 6] as const) {
    add(`${family} always exact`, exactSetName(family), family, false);
    add(`${family} always range`, allowSetName(family), family, true);
  }
  const schedules = scheduleSets(r);
  for (const s of schedules) {
    add(`${s.family} schedule ${s.schedule}`, allowSetName(s.family, s.id), s.family, true);
  }
  for (const e of r.entries) {
    const key =
      e.schedule === undefined
        ? `${e.family} always ${isExact(e) ? 'exact' : 'range'}`
        : `${e.family} schedule ${e.schedule}`;
    byKey.get(key)?.push(e);
  }
  return plans;
}

/**
 * The table comment that `picket status` reads back. Only the site and file are
 * shortened if the 128-byte comment limit demands it; the hash is kept whole.
 */
export function tableCommentText(r: Ruleset): string {
  const fixed = `picket site= hash=${r.hash} policy=`.length;
  const room = Math.max(0, 126 - fixed);
  const site = r.site.length + r.policyFile.length <= room ? r.site : r.site.slice(0, Math.ceil(room / 2));
  const file = r.policyFile.slice(0, Math.max(0, room - site.length));
  return `picket site=${site.replace(/\s/g, '_')} hash=${r.hash} policy=${file.replace(/\s/g, '_')}`;
}

/** The schedule sets in deterministic order: by schedule name, then family. */
export function scheduleSets(r: Ruleset): ScheduleSet[] {
  const ids = identifierParts(r.entries.flatMap((e) => (e.schedule === undefined ? [] : [e.schedule])));
  const out: ScheduleSet[] = [];
  for (const [schedule, id] of ids) {
    for (const family of [4, 6] as const) {
      if (r.entries.some((e) => e.schedule === schedule && e.family === family)) {
        out.push({ schedule, id, family });
      }
    }
  }
  return out;
}

function renderInet(r: Ruleset, quarantined: readonly QuarantinedElement[], staged?: StagedSets): string {
  const sets = scheduleSets(r);
  const body: string[] = [comment(INET_TABLE_COMMENT).trimStart(), ''];
  for (const family of [4, 6] as const) {
    body.push(...quarantineSet(r, family, quarantined), '');
  }
  for (const family of [4, 6] as const) {
    const never = r.neverAssets.filter((a) => a.family === family);
    body.push(
      ...set(
        `never${family}`,
        `ipv${family}_addr`,
        [],
        never.map((a) => `${a.address}${comment(`${r.policyFile}:${a.line} ${a.asset}`)}`),
      ),
      '',
    );
  }
  for (const s of allowSets(r)) {
    const kernelName = staged?.names.get(s.name);
    body.push(
      ...allowSet(r, kernelName ?? s.name, s.family, s.entries, s.interval, kernelName !== undefined),
      '',
    );
  }
  for (const lines of decoyInetSets(r)) body.push(...lines, '');
  body.push(...queueSetsAndChain(r));
  body.push(...portalSetLines(r, set), ...portalNatChain(r, chain));
  body.push(
    ...chain('forward', 'type filter hook forward priority filter; policy accept;', [
      ...unjudgedRules(r),
      ...forwardChainRules(r, sets, (name) => staged?.names.get(name) ?? name),
    ]),
  );
  return `table inet ${TABLE_INET} {\n${indent(body, 1)}\n}`;
}

/** Name of the queue set of a family and fail mode. */
export function queueSetName(family: IpFamily, failure: QueueFailure): string {
  return `queue${family}_${failure}`;
}

/**
 * The queue sets and the `protocol` chain that marks their packets for the xt
 * NFQUEUE rules (see QUEUE). Priority mangle - 10 so the mark is set before
 * iptables-nft's mangle FORWARD chain looks at it. Only TCP towards the server
 * port is queued: requests are what the policy constrains. Monitor mode queues
 * nothing (it must never drop).
 */
function queueSetsAndChain(r: Ruleset): string[] {
  const queues = r.mode === 'monitor' ? [] : (r.queues ?? []);
  if (queues.length === 0) return [];
  const out: string[] = [];
  const rules: string[] = [];
  for (const failure of ['closed', 'open'] as const) {
    for (const family of [4, 6] as const) {
      const entries = queues.filter((q) => q.family === family && q.failure === failure);
      if (entries.length === 0) continue;
      const name = queueSetName(family, failure);
      const addr = `ipv${family}_addr`;
      out.push(
        ...set(
          name,
          `${addr} . ${addr} . inet_proto . inet_service`,
          ['flags interval'],
          entries.map(
            (e) =>
              `${e.source} . ${e.destination} . tcp . ${e.ports}${comment(`${r.policyFile}:${e.line} ${e.rule}`)}`,
          ),
        ),
        '',
      );
      const ip = family === 4 ? 'ip' : 'ip6';
      const first = Math.min(...entries.map((e) => e.line));
      rules.push(
        `${ip} saddr . ${ip} daddr . meta l4proto . th dport @${name} meta mark set meta mark | 0x${QUEUE[failure].mark.toString(16).padStart(8, '0')} counter${comment(`${r.policyFile}:${first} protocol rules: judged in userspace, fail-${failure}`)}`,
      );
    }
  }
  out.push(...chain('protocol', 'type filter hook forward priority mangle - 10; policy accept;', rules), '');
  return out;
}

/** Fail-closed protocol flows whose packet was not judged (no daemon, no xt rule yet): dropped. */
function unjudgedRules(r: Ruleset): string[] {
  const closed = r.mode === 'monitor' ? [] : (r.queues ?? []).filter((q) => q.failure === 'closed');
  if (closed.length === 0) return [];
  const mask = QUEUE.closed.mark | QUEUE.judged;
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  const first = Math.min(...closed.map((q) => q.line));
  return [
    `meta mark & ${hex(mask)} == ${hex(QUEUE.closed.mark)} counter drop${comment(`${r.policyFile}:${first} protocol rules: fail-closed, not judged by a Picket daemon`)}`,
  ];
}

function quarantineSet(r: Ruleset, family: IpFamily, carried: readonly QuarantinedElement[]): string[] {
  // Only elements with time left are carried: `expires` must be positive and at
  // most the element's own timeout.
  const elements = carried
    .filter((q) => q.family === family && q.expiresSeconds > 0 && q.timeoutSeconds > 0)
    .map((q) => {
      const timeout = Math.ceil(q.timeoutSeconds);
      const expires = Math.min(timeout, Math.max(1, Math.floor(q.expiresSeconds)));
      return `${q.address} timeout ${timeout}s expires ${expires}s`;
    });
  return set(
    `quarantine${family}`,
    `ipv${family}_addr`,
    ['flags dynamic, timeout', `timeout ${r.quarantineTimeoutSeconds}s`, 'size 65536'],
    elements,
  );
}

/**
 * True for a tuple of single values (host . host . proto . port). Those go to a
 * hash set: measured with 100k elements on Linux 6.18, a hash set loads in about
 * half the kernel time of an interval (pipapo) set, and pipapo copies the whole
 * set on every change, so single-element updates stay cheap there.
 */
function isExact(e: AllowEntry): boolean {
  const single = (text: string) => !text.includes('/') && !text.includes('-');
  return single(e.source) && single(e.destination) && !e.ports.includes('-');
}

function allowSet(
  r: Ruleset,
  name: string,
  family: IpFamily,
  entries: readonly AllowEntry[],
  interval: boolean,
  withoutElements = false,
): string[] {
  const addr = `ipv${family}_addr`;
  // Each element cites its rule, except in sets of thousands: there the comments
  // are most of the text libnftables parses (100k elements: ~0.9 s applied
  // without them, ~1.3 s with), and `picket compile` shows the same provenance.
  const large = entries.length >= SIZE_HINT_FROM;
  return set(
    name,
    `${addr} . ${addr} . inet_proto . inet_service`,
    interval ? ['flags interval'] : hashSizeHint(entries.length),
    withoutElements
      ? []
      : entries.map(
          (e) =>
            `${e.source} . ${e.destination} . ${e.transport} . ${e.ports}${large ? '' : comment(`${r.policyFile}:${e.line} ${e.rule}`)}`,
        ),
  );
}

/** Sets at least this large are declared with their size (hash sets) and carry no element comments. */
const SIZE_HINT_FROM = 4096;

/**
 * Allow sets at least this large are loaded by apply over netlink: libnftables
 * parses set element text at ~8 µs an element (0.8 s of CPU for 100k); the
 * netlink path builds and commits the same elements in a fraction of that.
 */
export const BULK_FROM = SIZE_HINT_FROM;

/**
 * A large hash set is told its size up front (twice its elements, a power of
 * two, so the kernel's hash stays sparse): the kernel then builds a fixed-size
 * table instead of a resizable one that rehashes as it grows — measured with
 * 100k elements on Linux 6.18, the kernel's share of a full apply drops from
 * ~0.35 s to ~0.15 s. The set only changes at apply, so the bound never bites.
 */
function hashSizeHint(elements: number): string[] {
  if (elements < SIZE_HINT_FROM) return [];
  let size = 1;
  while (size < 2 * elements) size *= 2;
  return [`size ${size}`];
}

function set(name: string, type: string, props: readonly string[], elements: readonly string[]): string[] {
  const lines = [`set ${name} {`, `\ttype ${type}`, ...props.map((p) => `\t${p}`)];
  if (elements.length > 0) {
    lines.push('\telements = {', ...elements.map((e, i) => `\t\t${e}${i < elements.length - 1 ? ',' : ''}`));
    lines.push('\t}');
  }
  lines.push('}');
  return lines;
}

function chain(name: string, hook: string, rules: readonly string[]): string[] {
  return [`chain ${name} {`, `\t${hook}`, ...rules.map((rule) => `\t${rule}`), '}'];
}

function indent(lines: readonly string[], depth: number): string {
  const pad = '\t'.repeat(depth);
  return lines.map((l) => (l === '' ? '' : `${pad}${l}`)).join('\n');
}

function renderBridge(r: Ruleset, tableComment: string): string {
  const at = (what: string) => comment(`${r.policyFile}:${r.enforcementLine} ${what}`);
  const allowed = [...new Set(r.l2.allow)].sort((a, b) => a - b).map(etherType);
  const log = (prefix: string) =>
    `limit rate ${r.logRatePerSecond}/second burst ${r.logRatePerSecond * 2} packets log prefix "${prefix}" group ${r.logGroup}`;
  const decoyAt = (what: string) => comment(`${r.policyFile}:${r.decoys?.line ?? r.enforcementLine} ${what}`);
  const rules = [
    ...decoyBridgeRules({ r, at: decoyAt, log }),
    // br_netfilter hands bridged IPv4/IPv6 to `table inet picket`'s forward hook
    // after this chain, so IP is accepted here and judged there.
    `ether type { ip, ip6 } counter accept${at('IP: judged by table inet picket')}`,
  ];
  if (allowed.length > 0) {
    rules.push(`ether type { ${allowed.join(', ')} } counter accept${at('l2 allow')}`);
    // Industrial L2 protocols (PROFINET RT, GOOSE) are usually priority-tagged 802.1Q.
    rules.push(
      `ether type 8021q vlan type { ${allowed.join(', ')} } counter accept${at('l2 allow, 802.1Q tagged')}`,
    );
  }
  if (r.l2.default === 'drop') {
    rules.push(
      `ether type 8021q vlan type { ip, ip6 } counter accept${at('tagged IP: judged by table inet picket')}`,
    );
    if (r.mode === 'monitor') {
      rules.push(
        `limit rate ${r.logRatePerSecond}/second burst ${r.logRatePerSecond * 2} packets log prefix "${LOG_PREFIX.wouldBlock}" group ${r.logGroup}${at('monitor: l2 default drop')}`,
      );
      rules.push(`counter accept${at('monitor: l2 default drop, accepted')}`);
    } else {
      rules.push(
        `limit rate ${r.logRatePerSecond}/second burst ${r.logRatePerSecond * 2} packets log prefix "${LOG_PREFIX.l2}" group ${r.logGroup}${at('l2 default drop')}`,
      );
      rules.push(`counter drop${at('l2 default drop')}`);
    }
  } else {
    rules.push(`counter accept${at('l2 default accept')}`);
  }
  const body = [
    tableComment,
    '',
    ...decoyBridgeSets(r).flatMap((lines) => [...lines, '']),
    ...chain('forward', 'type filter hook forward priority filter; policy accept;', rules),
  ];
  return `table bridge ${TABLE_BRIDGE} {\n${indent(body, 1)}\n}`;
}
