// The intake interface: a running source of PacketEvents (NFLOG in bridge and
// routed mode, a live capture in sensor mode) that the node starts, reads
// counters from, and closes. Types only; drivers are nflog.ts and
// capture.ts, the fake for unit tests is intake-fake.ts. Pure.

import type { PacketEvent } from './packet-event.js';

/** Counters since the intake started. */
export interface IntakeStats {
  /** Packets the intake was handed (NFLOG messages, captured frames). */
  readonly received: number;
  /** Events delivered to `onEvents` (including partly decoded ones, which carry `malformed`). */
  readonly decoded: number;
  /** Packets that could not be decoded in full: dropped, or delivered with `malformed`. */
  readonly malformed: number;
  /** Times the kernel dropped events because the reader was slow (each gap in NFLOG sequence numbers: an overrun). */
  readonly overruns: number;
  /** Events the kernel dropped, counted exactly from gaps in NFLOG sequence numbers (0 for captures). */
  readonly lost: number;
}

/** A running intake. */
export interface Intake {
  stats(): IntakeStats;
  /** Stops intake and releases the socket or process; no `onEvents` call after it resolves. */
  close(): Promise<void>;
}

/** Receives events in batches, in the order the kernel or the wire produced them. */
export type EventsHandler = (events: readonly PacketEvent[]) => void;
