// The decision loop: events from the intake wait in a bounded queue; every
// ~100 ms a batch is decided, its kernel actions run as ONE nftables
// transaction, and every action is written to the journal in one batch.
// PacketEvent → decide → kernel + journal. Shell (drivers passed in).

import type { Nft } from '../apply/nft.js';
import type { Action } from '../decide/decision.js';
import type { ProtocolJudgementFinding } from '../decide/protocol-judge.js';
import type { PacketEvent } from '../sense/packet-event.js';
import { renderActionBatch } from './action-batch.js';
import { createEventQueue } from './event-queue.js';
import type { Logger } from './log.js';
import type { DeciderPort, JournalPort } from './ports.js';
import type { FlowTelemetry } from './telemetry.js';

/** Bounds: what the queue holds and what one tick decides. */
export const QUEUE_CAPACITY = 20_000;
export const BATCH_MAX = 5_000;
const DROP_LOG_EVERY_MS = 5_000;

/** Counts the loop keeps for /metrics. */
export interface LoopCounts {
  readonly processed: number;
  readonly dropped: number;
  readonly queued: number;
  readonly detectionsByKind: Readonly<Record<string, number>>;
  readonly actionsByType: Readonly<Record<string, number>>;
  readonly kernelFailures: number;
}

/** The loop's handle. */
export interface DecisionLoop {
  /** The intake's callback: enqueue (drop-and-count when full). */
  accept(events: readonly PacketEvent[]): void;
  /** The protocol enforcer's callback: enqueue a finding (drop-and-count when full). */
  acceptFinding(finding: ProtocolJudgementFinding): void;
  /** Decides and executes what is queued (up to BATCH_MAX); returns the number of events handled. */
  tick(): number;
  /** Decides everything queued and flushes every folded detection (at stop). */
  drain(): void;
  /** Records actions that did not come from an event (reconcile adoptions). */
  record(actions: readonly Action[]): void;
  counts(): LoopCounts;
}

/** What the loop works with; `limits` is read on every tick so a re-apply takes effect at once. */
export interface LoopDeps {
  readonly nft: Nft;
  readonly journal: JournalPort;
  readonly decider: () => DeciderPort | undefined;
  readonly telemetry: FlowTelemetry;
  readonly limits: () => { never: ReadonlySet<string>; enforcing: boolean; blockFlowSets: boolean };
  readonly now: () => number;
  readonly log: Logger;
}

const bump = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

/** Creates the loop; the caller drives `tick` from a timer. */
export function createDecisionLoop(deps: LoopDeps): DecisionLoop {
  const queue = createEventQueue<PacketEvent>(QUEUE_CAPACITY);
  const findings = createEventQueue<ProtocolJudgementFinding>(QUEUE_CAPACITY);
  const detectionsByKind: Record<string, number> = {};
  const actionsByType: Record<string, number> = {};
  let processed = 0;
  let kernelFailures = 0;
  let droppedLogged = 0;
  let droppedLoggedAtMs = Number.NEGATIVE_INFINITY;

  const journalWrite = (actions: readonly Action[], nowMs: number) => {
    for (const a of actions) {
      bump(actionsByType, a.type);
      if (a.type === 'record' || a.type === 'alert') bump(detectionsByKind, a.detection.kind);
    }
    try {
      deps.journal.writeBatch(actions, nowMs);
    } catch (error) {
      deps.log.error('journal write failed', { error, actions: actions.length });
    }
  };

  const execute = (actions: readonly Action[]) => {
    const batch = renderActionBatch(actions, deps.limits());
    if (batch.commands !== '') {
      try {
        deps.nft.run(batch.commands);
      } catch (error) {
        kernelFailures++;
        deps.log.error('kernel refused an action batch', { error, commands: batch.commands.slice(0, 500) });
      }
    }
    for (const address of batch.quarantined) deps.log.info('quarantined', { address });
    for (const address of batch.released) deps.log.info('released', { address });
    for (const address of batch.spared) {
      deps.log.warn('never-list asset not quarantined (alert only)', { address });
    }
    for (const { action, why } of batch.skipped)
      deps.log.debug('action not executed', { type: action.type, why });
  };

  const tick = (final: boolean): number => {
    const events = queue.take(BATCH_MAX);
    const decider = deps.decider();
    const nowMs = deps.now();
    const actions: Action[] = [];
    if (decider) {
      for (const event of events) {
        try {
          actions.push(...decider.decide(event, nowMs));
        } catch (error) {
          deps.log.error('decide failed on an event', { error, event: event.summary });
        }
      }
      for (const finding of findings.take(BATCH_MAX)) {
        try {
          actions.push(...decider.decideFinding(finding, nowMs));
        } catch (error) {
          deps.log.error('decide failed on a protocol finding', { error, what: finding.what });
        }
      }
      actions.push(...decider.flush(nowMs, final));
    }
    processed += events.length;
    if (actions.length > 0) {
      execute(actions);
      journalWrite(actions, nowMs);
    }
    // At most one line per interval, however hard the flood.
    if (queue.dropped > droppedLogged && nowMs - droppedLoggedAtMs >= DROP_LOG_EVERY_MS) {
      deps.log.warn('decision loop fell behind: events dropped (the kernel enforced them)', {
        dropped: queue.dropped - droppedLogged,
        total: queue.dropped,
      });
      droppedLogged = queue.dropped;
      droppedLoggedAtMs = nowMs;
    }
    return events.length;
  };

  return {
    accept(events) {
      for (const e of events) deps.telemetry.add(e);
      queue.push(events);
    },
    acceptFinding(finding) {
      findings.push([finding]);
    },
    tick: () => tick(false),
    drain() {
      while (queue.size > 0 || findings.size > 0) tick(false);
      tick(true);
    },
    record(actions) {
      if (actions.length > 0) journalWrite(actions, deps.now());
    },
    counts: () => ({
      processed,
      dropped: queue.dropped + findings.dropped,
      queued: queue.size,
      detectionsByKind: { ...detectionsByKind },
      actionsByType: { ...actionsByType },
      kernelFailures,
    }),
  };
}
