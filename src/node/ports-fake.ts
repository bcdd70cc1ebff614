// Stand-ins for the node's ports, for unit tests (and for the node itself while
// a real part is missing): an intake that is fed by hand, a journal in memory,
// a decider that follows a script, and a plain reconciler (journal rows the
// kernel lost are restored; kernel-only addresses are adopted). Shell (test doubles).

import type { QuarantinedElement } from '../apply/apply.js';
import type { Action } from '../decide/decision.js';
import type { PacketEvent } from '../sense/packet-event.js';
import type { IntakeCounters } from './metrics.js';
import type { DeciderPort, IntakePort, JournalPort, JournalQuarantine, ReconcilePort } from './ports.js';

/** An intake a test feeds with `emit`. */
export interface FakeIntake extends IntakePort {
  emit(events: readonly PacketEvent[]): void;
  readonly closed: boolean;
}

/** Creates a fake intake wired to `onEvents`. */
export function createFakeIntake(onEvents: (events: readonly PacketEvent[]) => void): FakeIntake {
  let received = 0;
  let closed = false;
  return {
    kind: 'none',
    emit(events) {
      received += events.length;
      onEvents(events);
    },
    stats: (): IntakeCounters => ({ received, overruns: 0, lost: 0, ratePerSecond: 0 }),
    async close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

/** A journal in memory: every batch kept, quarantines active until their duration ends. */
export interface MemoryJournal extends JournalPort {
  readonly batches: (readonly Action[])[];
  readonly closed: boolean;
}

/** Creates an empty memory journal. */
export function createMemoryJournal(): MemoryJournal {
  const batches: (readonly Action[])[] = [];
  const active = new Map<string, number>();
  let closed = false;
  return {
    batches,
    writeBatch(actions, nowMs) {
      batches.push(actions);
      for (const a of actions) {
        if (a.type === 'quarantine') active.set(a.address, nowMs + a.durationSeconds * 1000);
        if (a.type === 'release') active.delete(a.address);
      }
    },
    activeQuarantine: (nowMs): JournalQuarantine[] =>
      [...active]
        .filter(([, untilMs]) => untilMs > nowMs)
        .map(([address, untilMs]) => ({ address, untilMs })),
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

/** A decider that answers every event with `script(event)`. */
export function createScriptedDecider(script: (event: PacketEvent) => readonly Action[]): DeciderPort {
  return { decide: (event) => script(event), decideFinding: () => [], flush: () => [], setPolicy() {} };
}

/** Restores journal quarantines the kernel lost, adopts kernel-only ones. */
export const plainReconcile: ReconcilePort = (journal, kernel, nowMs) => {
  const inKernel = new Set(kernel.map((k) => k.address));
  const inJournal = new Set(journal.map((j) => j.address));
  const restore: QuarantinedElement[] = journal
    .filter((j) => !inKernel.has(j.address) && j.untilMs > nowMs)
    .map((j) => {
      const seconds = Math.max(1, Math.ceil((j.untilMs - nowMs) / 1000));
      return {
        address: j.address,
        family: j.address.includes(':') ? 6 : 4,
        timeoutSeconds: seconds,
        expiresSeconds: seconds,
      };
    });
  const adopt: Action[] = kernel
    .filter((k) => !inJournal.has(k.address))
    .map((k) => ({
      type: 'quarantine',
      address: k.address,
      durationSeconds: k.expiresSeconds,
      reason: 'found in the kernel quarantine (added by the packet path)',
      producer: 'reconcile',
    }));
  return { restore, adopt, drift: restore.length + adopt.length };
};
