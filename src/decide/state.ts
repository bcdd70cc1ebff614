// DecideState: everything the detectors remember between packets, as one
// explicit value created here and owned by the caller. `decide` mutates it in
// place (for speed) and it is the only thing `decide` mutates. Every table has a
// cap (LRU eviction), so a flood from random source addresses cannot grow it.
// Pure data.

import type { Detection } from './decision.js';
import { createLru, type Lru } from './lru.js';

/** Caps of the per-source tables. */
export interface DecideLimits {
  /** Detections kept for folding (kind + source + target). */
  readonly detections: number;
  /** Sources whose fan-out (hosts, ports) the scan detector tracks. */
  readonly scanSources: number;
  /** ARP senders (MACs) whose targets the arp-scan detector tracks. */
  readonly arpSenders: number;
  /** Addresses the node knows it has quarantined, with their expiry. */
  readonly quarantined: number;
  /** New detections per second; beyond it, new sightings fold into one flood detection per kind. */
  readonly newDetectionsPerSecond: number;
}

/** Caps that hold the state to tens of megabytes whatever the traffic (~11 MB measured at 6k detections, 38k quarantined). */
export const DEFAULT_LIMITS: DecideLimits = {
  detections: 10_000,
  scanSources: 4096,
  arpSenders: 1024,
  quarantined: 65_536,
  newDetectionsPerSecond: 500,
};

/** A detection being folded: the mutable record behind the snapshots handed out in actions. */
export interface FoldEntry {
  /** The detection as first emitted; records are snapshots of it with the current count and last time. */
  readonly first: Detection;
  count: number;
  lastMs: number;
  /** When the last record of this detection was emitted. */
  lastEmitMs: number;
  /** Quiet time after which a repeat starts a new detection. */
  readonly quietMs: number;
  /** Least time between two records of this detection. */
  readonly recordEveryMs: number;
}

/** Distinct destinations (hosts, ports or ARP targets) of one source, most recent last. */
export interface FanOut {
  readonly hosts: Map<string, number>;
  readonly ports: Map<number, number>;
  /** Summary of the first packet counted. */
  readonly evidence: string;
}

/** Counters for health and metrics. */
export interface DecideStats {
  events: number;
  detections: number;
  evicted: number;
}

/** The detectors' memory. Create with `createDecideState`; pass the same value to every `decide` call. */
export interface DecideState {
  readonly limits: DecideLimits;
  /** Fold key (kind, source, target) → the detection it folds into. */
  readonly folds: Lru<string, FoldEntry>;
  /** Folded detections with updates not yet emitted (a subset of `folds`). */
  readonly dirty: Set<FoldEntry>;
  readonly scans: Lru<string, FanOut>;
  readonly arpScans: Lru<string, FanOut>;
  /** Address → until when (ms) the node has it in quarantine. */
  readonly quarantined: Lru<string, number>;
  readonly stats: DecideStats;
  /** New detections opened in the current second. */
  readonly budget: { secondMs: number; opened: number };
}

/** A fresh, empty state with the given caps (defaults for the rest). */
export function createDecideState(limits: Partial<DecideLimits> = {}): DecideState {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    limits: l,
    folds: createLru(l.detections),
    dirty: new Set(),
    scans: createLru(l.scanSources),
    arpScans: createLru(l.arpSenders),
    quarantined: createLru(l.quarantined),
    stats: { events: 0, detections: 0, evicted: 0 },
    budget: { secondMs: Number.NEGATIVE_INFINITY, opened: 0 },
  };
}
