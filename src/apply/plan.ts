// The planner: what applying one Ruleset over another would change, in the
// operator's terms (rules, pairs, windows, settings), and its text rendering.
// (previous Ruleset | undefined, next Ruleset) → Plan → text.
// Pure.

import type { AllowEntry, RoleEntry, Ruleset, UtcWindow } from '../compile/ruleset.js';

export type Op = '+' | '-';

/** One change, as the operator would say it. */
export type Change =
  | { readonly kind: 'allow'; readonly op: Op; readonly entry: AllowEntry }
  | { readonly kind: 'window'; readonly op: Op; readonly window: UtcWindow }
  | { readonly kind: 'never'; readonly op: Op; readonly address: string }
  | { readonly kind: 'l2-allow'; readonly op: Op; readonly etherType: number }
  | { readonly kind: 'portal-role'; readonly op: Op; readonly role: string; readonly entry: RoleEntry }
  | { readonly kind: 'setting'; readonly name: SettingName; readonly from: string; readonly to: string };

export type SettingName =
  | 'site'
  | 'mode'
  | 'out-of-profile'
  | 'quarantine-duration'
  | 'l2-default'
  | 'log-group'
  | 'portal';

/** Every change between two rulesets, with counts. */
export interface Plan {
  readonly previousHash?: string;
  readonly nextHash: string;
  readonly changes: readonly Change[];
  readonly toAdd: number;
  readonly toRemove: number;
  readonly toChange: number;
}

const entryKey = (e: AllowEntry): string =>
  [e.rule, e.family, e.source, e.destination, e.transport, e.ports, e.schedule ?? ''].join('|');

const windowKey = (w: UtcWindow): string =>
  [w.schedule, w.utcDays.join(','), w.fromSecond, w.toSecond, w.notBeforeMs ?? '', w.notAfterMs ?? ''].join(
    '|',
  );

function diffBy<T>(
  before: readonly T[],
  after: readonly T[],
  key: (t: T) => string,
): { added: T[]; removed: T[] } {
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    added: after.filter((t) => !beforeKeys.has(key(t))),
    removed: before.filter((t) => !afterKeys.has(key(t))),
  };
}

function both<T, C extends Change>(
  before: readonly T[],
  after: readonly T[],
  key: (t: T) => string,
  make: (op: Op, t: T) => C,
): C[] {
  const { added, removed } = diffBy(before, after, key);
  return [...added.map((t) => make('+', t)), ...removed.map((t) => make('-', t))];
}

function settings(previous: Ruleset | undefined, next: Ruleset): Change[] {
  if (!previous) return [];
  const pairs: [SettingName, string, string][] = [
    ['site', previous.site, next.site],
    ['mode', previous.mode, next.mode],
    ['out-of-profile', previous.outOfProfile, next.outOfProfile],
    [
      'quarantine-duration',
      formatSeconds(previous.quarantineTimeoutSeconds),
      formatSeconds(next.quarantineTimeoutSeconds),
    ],
    ['l2-default', previous.l2.default, next.l2.default],
    ['log-group', String(previous.logGroup), String(next.logGroup)],
    ['portal', portalSetting(previous), portalSetting(next)],
  ];
  return pairs
    .filter(([, from, to]) => from !== to)
    .map(([name, from, to]) => ({ kind: 'setting', name, from, to }) as const);
}

/** What the portal does: none, permits only, or redirect (and drop) unrecognized sources. */
function portalSetting(r: Ruleset): string {
  if (!r.portal) return 'none';
  return r.portal.redirect ? `redirect to :${r.portal.listenPort}` : 'permits only';
}

type RoleTuple = { readonly role: string; readonly entry: RoleEntry };

const roleTuples = (r: Ruleset | undefined): RoleTuple[] =>
  (r?.portal?.roles ?? []).flatMap((x) => x.entries.map((entry) => ({ role: x.role, entry })));

const roleKey = ({ role, entry: e }: RoleTuple): string =>
  [role, e.family, e.destination, e.transport, e.ports].join('|');

/** Diffs `previous` (absent: nothing enforced) into `next`. */
export function planChanges(previous: Ruleset | undefined, next: Ruleset): Plan {
  const p = previous;
  const changes: Change[] = [
    ...both(p?.entries ?? [], next.entries, entryKey, (op, entry) => ({ kind: 'allow', op, entry }) as const),
    ...both(
      p?.windows ?? [],
      next.windows,
      windowKey,
      (op, window) => ({ kind: 'window', op, window }) as const,
    ),
    ...both(p?.never ?? [], next.never, String, (op, address) => ({ kind: 'never', op, address }) as const),
    ...both(
      p?.l2.allow ?? [],
      next.l2.allow,
      String,
      (op, etherType) => ({ kind: 'l2-allow', op, etherType }) as const,
    ),
    ...both(
      roleTuples(p),
      roleTuples(next),
      roleKey,
      (op, t) => ({ kind: 'portal-role', op, role: t.role, entry: t.entry }) as const,
    ),
    ...settings(previous, next),
  ];
  const count = (op: Op) => changes.filter((c) => c.kind !== 'setting' && c.op === op).length;
  return {
    ...(previous ? { previousHash: previous.hash } : {}),
    nextHash: next.hash,
    changes,
    toAdd: count('+'),
    toRemove: count('-'),
    toChange: changes.filter((c) => c.kind === 'setting').length,
  };
}

/** `3600` → `1h`, `90` → `1m30s`. */
export function formatSeconds(total: number): string {
  if (total === 0) return '0s';
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const clock = (second: number): string =>
  `${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor((second % 3600) / 60)).padStart(2, '0')}`;

/** `10.20.0.50 → 10.20.1.10 tcp/502 (when maintenance)`. */
export function describeEntry(e: AllowEntry): string {
  return `${e.source} → ${e.destination} ${e.transport}/${e.ports}${e.schedule ? ` (when ${e.schedule})` : ''}`;
}

/** `maintenance: sat 08:00–10:00 UTC until 2026-03-08T08:00Z`. */
export function describeWindow(w: UtcWindow): string {
  const days = w.utcDays.map((d) => DAYS[d] ?? String(d)).join(',');
  let out = `${w.schedule}: ${days} ${clock(w.fromSecond)}–${clock(w.toSecond + 1)} UTC`;
  if (w.notBeforeMs !== undefined) out += ` from ${new Date(w.notBeforeMs).toISOString()}`;
  if (w.notAfterMs !== undefined) out += ` until ${new Date(w.notAfterMs).toISOString()}`;
  return out;
}

function describeChange(c: Change): string {
  switch (c.kind) {
    case 'allow':
      return `${c.op} ${describeEntry(c.entry)}`;
    case 'window':
      return `${c.op} ${describeWindow(c.window)}`;
    case 'never':
      return `${c.op} ${c.address} (alert only, never quarantined)`;
    case 'l2-allow':
      return `${c.op} EtherType 0x${c.etherType.toString(16).padStart(4, '0')}`;
    case 'portal-role':
      return `${c.op} permit holders → ${c.entry.destination} ${c.entry.transport}/${c.entry.ports}`;
    case 'setting':
      return `~ ${c.name}: ${c.from} → ${c.to}`;
  }
}

/** The one-line summary: `3 to add, 1 to remove, 0 to change`. */
export function summarizePlan(plan: Plan): string {
  return `${plan.toAdd} to add, ${plan.toRemove} to remove, ${plan.toChange} to change`;
}

/** Renders a plan for a person: changes grouped by rule, then windows, never-list, L2 and settings. */
export function renderPlan(plan: Plan): string {
  if (plan.changes.length === 0)
    return `No changes: the kernel already enforces ${plan.nextHash.slice(0, 12)}.\n`;
  const groups = new Map<string, string[]>();
  const push = (group: string, line: string) => groups.set(group, [...(groups.get(group) ?? []), line]);
  for (const c of plan.changes) {
    const group =
      c.kind === 'allow'
        ? `rule ${c.entry.rule}`
        : c.kind === 'window'
          ? 'time windows'
          : c.kind === 'never'
            ? 'never quarantined'
            : c.kind === 'l2-allow'
              ? 'layer 2'
              : c.kind === 'portal-role'
                ? `portal role ${c.role}`
                : 'settings';
    push(group, describeChange(c));
  }
  let out = '';
  for (const [group, lines] of groups) out += `${group}:\n${lines.map((l) => `  ${l}\n`).join('')}`;
  return `${out}\n${summarizePlan(plan)}.\n`;
}
