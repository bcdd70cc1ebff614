// The compiled Ruleset's tuple sets as the kernel matches them: the allow sets
// (`exact4/6` hash sets, `allow4/6` interval sets, one interval set per
// schedule) and the protocol queue sets, each element parsed from its nft text
// (address, prefix or range . address . transport . port or port range) into
// numbers, with single-host IPv4 destinations indexed for a quick first look.
// Ruleset → TupleSets; (tuple) → matching element. Pure.

import type { AllowEntry, QueueEntry, Ruleset } from '../compile/ruleset.js';
import { parseAddress } from '../net/address.js';
import { parsePrefix, prefixBounds } from '../net/prefix.js';

/** One set element as numbers: IPv4 bounds as numbers, IPv6 as bigints. */
export interface TupleElement {
  readonly family: 4 | 6;
  readonly srcFirst: number | bigint;
  readonly srcLast: number | bigint;
  readonly dstFirst: number | bigint;
  readonly dstLast: number | bigint;
  readonly proto: number;
  readonly fromPort: number;
  readonly toPort: number;
  /** Index into the Ruleset's entries (allow) or queues (queue). */
  readonly index: number;
}

/** Elements of one set, IPv4 single-host destinations indexed by destination. */
interface ElementIndex {
  readonly byDestination4: Map<number, TupleElement[]>;
  readonly rest: TupleElement[];
}

/** The sets of a Ruleset in kernel order. */
export interface TupleSets {
  /** Always-on allow elements (exact and interval sets; one match is as good as the other). */
  readonly always: ElementIndex;
  /** Per schedule, its allow elements. */
  readonly scheduled: ReadonlyMap<string, ElementIndex>;
  /** Queue set elements per fail mode. */
  readonly closed: ElementIndex;
  readonly open: ElementIndex;
}

function bounds(text: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  if (text.includes('/')) {
    const p = parsePrefix(text);
    if (p === undefined) return undefined;
    const b = prefixBounds(p.prefix);
    return { family: p.prefix.family, first: b.first, last: b.last };
  }
  const dash = text.indexOf('-');
  if (dash > 0) {
    const a = parseAddress(text.slice(0, dash));
    const z = parseAddress(text.slice(dash + 1));
    if (a === undefined || z === undefined) return undefined;
    return { family: a.family, first: a.value, last: z.value };
  }
  const a = parseAddress(text);
  return a === undefined ? undefined : { family: a.family, first: a.value, last: a.value };
}

function ports(text: string): [number, number] {
  const dash = text.indexOf('-');
  if (dash < 0) return [Number(text), Number(text)];
  return [Number(text.slice(0, dash)), Number(text.slice(dash + 1))];
}

function element(
  e: { source: string; destination: string; ports: string },
  proto: number,
  index: number,
): TupleElement | undefined {
  const s = bounds(e.source);
  const d = bounds(e.destination);
  if (s === undefined || d === undefined) return undefined;
  const [fromPort, toPort] = ports(e.ports);
  const v4 = s.family === 4;
  return {
    family: s.family,
    srcFirst: v4 ? Number(s.first) : s.first,
    srcLast: v4 ? Number(s.last) : s.last,
    dstFirst: v4 ? Number(d.first) : d.first,
    dstLast: v4 ? Number(d.last) : d.last,
    proto,
    fromPort,
    toPort,
    index,
  };
}

function indexOf(elements: readonly TupleElement[]): ElementIndex {
  const byDestination4 = new Map<number, TupleElement[]>();
  const rest: TupleElement[] = [];
  for (const e of elements) {
    if (e.family === 4 && e.dstFirst === e.dstLast) {
      const list = byDestination4.get(e.dstFirst as number);
      if (list === undefined) byDestination4.set(e.dstFirst as number, [e]);
      else list.push(e);
    } else rest.push(e);
  }
  return { byDestination4, rest };
}

const PROTO = { tcp: 6, udp: 17 } as const;

/** Builds the matchable sets of a Ruleset (queue sets only count in enforce mode, as the kernel loads them). */
export function buildTupleSets(r: Ruleset): TupleSets {
  const allow = (filter: (e: AllowEntry) => boolean) =>
    indexOf(r.entries.flatMap((e, i) => (filter(e) ? (element(e, PROTO[e.transport], i) ?? []) : [])));
  const schedules = new Set(r.entries.flatMap((e) => (e.schedule === undefined ? [] : [e.schedule])));
  const queue = (failure: QueueEntry['failure']) =>
    indexOf((r.queues ?? []).flatMap((q, i) => (q.failure === failure ? (element(q, 6, i) ?? []) : [])));
  return {
    always: allow((e) => e.schedule === undefined),
    scheduled: new Map([...schedules].sort().map((s) => [s, allow((e) => e.schedule === s)])),
    closed: queue('closed'),
    open: queue('open'),
  };
}

function hit(
  e: TupleElement,
  src: number | bigint,
  dst: number | bigint,
  proto: number,
  port: number,
): boolean {
  return (
    e.proto === proto &&
    e.fromPort <= port &&
    port <= e.toPort &&
    e.srcFirst <= src &&
    src <= e.srcLast &&
    e.dstFirst <= dst &&
    dst <= e.dstLast
  );
}

/**
 * The first element of `set` that holds the tuple, or undefined. IPv4
 * addresses are numbers; IPv6 addresses bigints.
 */
export function matchTuple(
  set: ElementIndex,
  family: 4 | 6,
  src: number | bigint,
  dst: number | bigint,
  proto: number,
  port: number,
): TupleElement | undefined {
  if (family === 4) {
    const list = set.byDestination4.get(dst as number);
    if (list !== undefined) {
      for (const e of list) if (hit(e, src, dst, proto, port)) return e;
    }
  }
  for (const e of set.rest) {
    if (e.family === family && hit(e, src, dst, proto, port)) return e;
  }
  return undefined;
}
