// The parts the node daemon drives, as narrow interfaces: packet intake,
// the decision engine, the journal and the reconciler. engines.ts builds the
// real ones (sense/, decide/, journal.ts, reconcile.ts); unit tests pass fakes.
// Pure types.

import type { QuarantinedElement } from '../apply/apply.js';
import type { Action } from '../decide/decision.js';
import type { ProtocolJudgementFinding } from '../decide/protocol-judge.js';
import type { Policy } from '../policy/types.js';
import type { PacketEvent } from '../sense/packet-event.js';
import type { IntakeCounters } from './metrics.js';

/** A running packet intake (NFLOG, capture); events arrive through the callback it was created with. */
export interface IntakePort {
  readonly kind: 'nflog' | 'capture' | 'none';
  stats(): IntakeCounters;
  /** Stops delivering events; resolves once no callback can follow. */
  close(): Promise<void>;
}

/** Starts an intake that hands decoded events, in batches, to `onEvents`. */
export type StartIntake = (onEvents: (events: readonly PacketEvent[]) => void) => Promise<IntakePort>;

/** The decision engine with its bounded state; `setPolicy` swaps the policy and keeps the state. */
export interface DeciderPort {
  decide(event: PacketEvent, nowMs: number): readonly Action[];
  /** The actions a protocol finding (a function the policy does not allow, judged on NFQUEUE) calls for. */
  decideFinding(finding: ProtocolJudgementFinding, nowMs: number): readonly Action[];
  /** Records of folded (repeated) detections that are due; all of them with `all` (at stop). */
  flush(nowMs: number, all: boolean): readonly Action[];
  setPolicy(policy: Policy): void;
}

/** A quarantine the journal holds as active. */
export interface JournalQuarantine {
  readonly address: string;
  readonly untilMs: number;
}

/** The node's durable record of actions and detections. */
export interface JournalPort {
  writeBatch(actions: readonly Action[], nowMs: number): void;
  activeQuarantine(nowMs: number): readonly JournalQuarantine[];
  close(): void;
}

/** What a reconcile decided: kernel elements to restore, journal rows to adopt, how many differed. */
export interface ReconcilePlan {
  /** In the journal but missing in the kernel (e.g. after a reboot): put back with their remaining time. */
  readonly restore: readonly QuarantinedElement[];
  /** In the kernel but not in the journal (the packet path added them): recorded as quarantine actions. */
  readonly adopt: readonly Action[];
  readonly drift: number;
}

/** Compares journal and kernel quarantine at `nowMs`. */
export type ReconcilePort = (
  journal: readonly JournalQuarantine[],
  kernel: readonly QuarantinedElement[],
  nowMs: number,
) => ReconcilePlan;

/** Protocol-aware enforcement (NFQUEUE): verdict counts and close. */
export interface ProtocolPort {
  verdicts(): { readonly accept: number; readonly drop: number };
  close(): Promise<void>;
}

/** Binds the queues a policy's protocol rules need and judges every queued packet, reporting findings. */
export type StartProtocol = (
  policy: Policy,
  onFinding: (finding: ProtocolJudgementFinding) => void,
  nowMs: number,
) => Promise<ProtocolPort>;
