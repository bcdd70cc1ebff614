// Running counts of a simulation: per allow entry (packets, flows, first
// packet), per source address (allowed, dropped, alerted, would-block, when it
// was quarantined, the first packet of each), per outcome, and the protocol
// findings. Sources beyond a cap are pooled into one "other sources" row so
// memory stays bounded. Pure (mutates only the tally it is given).

import { OUTCOME } from './outcome.js';

/** A packet cited by the report: where it is and what it was. */
export interface PacketRef {
  /** 0-based index of the capture in the order given. */
  readonly capture: number;
  /** 1-based frame number within that capture (as Wireshark numbers it). */
  readonly frame: number;
  readonly timeMs: number;
  readonly summary: string;
  /** Why it got its outcome (the rule, or the reason it was dropped). */
  readonly why: string;
}

/** Counts of one source address (or the pooled rest). */
export interface SourceTally {
  readonly address: string;
  allowed: number;
  dropped: number;
  alerted: number;
  wouldBlock: number;
  firstAllowed?: PacketRef;
  firstDropped?: PacketRef;
  firstAlerted?: PacketRef;
  firstWouldBlock?: PacketRef;
  quarantinedAt?: PacketRef;
}

/** Counts of one allow entry (the report groups entries by rule). */
export interface EntryTally {
  packets: number;
  flows: number;
  first?: PacketRef;
}

/** A protocol message the judge did not allow. */
export interface FindingTally {
  readonly what: string;
  readonly reason: string;
  readonly producer: string;
  readonly flow: string;
  readonly packet: PacketRef;
  /** True when nothing was dropped (monitor mode). */
  readonly wouldBlock: boolean;
}

export interface Tally {
  readonly byOutcome: number[];
  readonly entries: EntryTally[];
  readonly sources4: Map<number, SourceTally>;
  readonly sources: Map<string, SourceTally>;
  readonly maxSources: number;
  other: SourceTally | undefined;
  readonly findings: FindingTally[];
  findingCount: number;
  readonly maxFindings: number;
}

/** An empty tally for `entryCount` allow entries. */
export function createTally(entryCount: number, maxSources = 65_536, maxFindings = 1000): Tally {
  return {
    byOutcome: new Array<number>(16).fill(0),
    entries: Array.from({ length: entryCount }, () => ({ packets: 0, flows: 0 })),
    sources4: new Map(),
    sources: new Map(),
    maxSources,
    other: undefined,
    findings: [],
    findingCount: 0,
    maxFindings,
  };
}

function fresh(address: string): SourceTally {
  return { address, allowed: 0, dropped: 0, alerted: 0, wouldBlock: 0 };
}

function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The tally of an IPv4 source (a number) or any other source (text: IPv6 address, or a MAC for L2 frames). */
export function sourceTally(t: Tally, source: number | string): SourceTally {
  let s = typeof source === 'number' ? t.sources4.get(source) : t.sources.get(source);
  if (s !== undefined) return s;
  if (t.sources4.size + t.sources.size >= t.maxSources) {
    t.other ??= fresh('(other sources)');
    return t.other;
  }
  s = fresh(typeof source === 'number' ? ipv4Text(source) : source);
  if (typeof source === 'number') t.sources4.set(source, s);
  else t.sources.set(source, s);
  return s;
}

/** Which first-packet slot of a source an outcome fills, if any is still empty. */
export function needsFirst(s: SourceTally, outcome: number): boolean {
  switch (outcome) {
    case OUTCOME.allowed:
    case OUTCOME.established:
    case OUTCOME.discovery:
    case OUTCOME.l2Allowed:
      return s.firstAllowed === undefined;
    case OUTCOME.alerted:
      return s.firstAlerted === undefined;
    case OUTCOME.wouldBlock:
      return s.firstWouldBlock === undefined;
    case OUTCOME.undecodable:
      return false;
    default:
      return (
        s.firstDropped === undefined || (outcome === OUTCOME.quarantined && s.quarantinedAt === undefined)
      );
  }
}

/** Counts one packet's outcome against its source; `ref` is given when `needsFirst` said so. */
export function countSource(s: SourceTally, outcome: number, ref: PacketRef | undefined): void {
  switch (outcome) {
    case OUTCOME.allowed:
    case OUTCOME.established:
    case OUTCOME.discovery:
    case OUTCOME.l2Allowed:
      s.allowed++;
      if (ref !== undefined) s.firstAllowed ??= ref;
      return;
    case OUTCOME.alerted:
      s.alerted++;
      if (ref !== undefined) s.firstAlerted ??= ref;
      return;
    case OUTCOME.wouldBlock:
      s.wouldBlock++;
      if (ref !== undefined) s.firstWouldBlock ??= ref;
      return;
    case OUTCOME.undecodable:
      return;
    default:
      s.dropped++;
      if (outcome === OUTCOME.never) s.alerted++;
      if (ref !== undefined) {
        s.firstDropped ??= ref;
        if (outcome === OUTCOME.quarantined) s.quarantinedAt ??= ref;
      }
  }
}

/** Records a protocol finding (the first `maxFindings` are kept whole, the rest counted). */
export function addFinding(t: Tally, f: FindingTally): void {
  t.findingCount++;
  if (t.findings.length < t.maxFindings) t.findings.push(f);
}
