// Confirm-or-rollback: an apply on trial is recorded as pending; whoever comes
// first — `picket apply --confirm` or the rollback timer at the deadline —
// claims the record, so exactly one of them acts.
// Pending record + drivers → kernel + disk.
// Shell (drivers are passed in).

import { PicketError } from '../cli/errors.js';
import { type ApplyDeps, rollbackTo } from './apply.js';
import type { Pending, StateStore } from './state-store.js';

/** A new apply was asked for while another one still waits for confirmation. */
export class ConfirmationPendingError extends PicketError {
  readonly pending: Pending;
  constructor(pending: Pending, nowMs: number, timerAlive: boolean) {
    const seconds = Math.max(0, Math.ceil((pending.deadlineMs - nowMs) / 1000));
    super('confirmation-pending', `ruleset ${pending.hash.slice(0, 12)} is waiting for confirmation`, {
      hint: timerAlive
        ? `run \`picket apply --confirm\` to keep it, or wait ${seconds}s for the rollback, then apply again`
        : 'its rollback timer is gone (reboot or killed), so nothing will roll it back: ' +
          'run `picket apply --confirm` to keep it, then apply again',
    });
    this.pending = pending;
  }
}

/** `picket apply --confirm` found nothing waiting for confirmation. */
export class NothingPendingError extends PicketError {
  constructor() {
    super('nothing-pending', 'no apply is waiting for confirmation', {
      hint: 'either it was confirmed already or its deadline passed and it was rolled back; see `picket status`',
    });
  }
}

/** Throws ConfirmationPendingError when an apply is still on trial; `alive` probes the timer's pid. */
export function assertNothingPending(
  store: StateStore,
  nowMs: number,
  alive: (pid: number) => boolean,
): void {
  const pending = store.readPending();
  if (!pending) return;
  throw new ConfirmationPendingError(
    pending,
    nowMs,
    pending.timerPid === undefined || alive(pending.timerPid),
  );
}

/** Keeps the ruleset on trial: takes the pending record away so the timer does nothing. */
export function confirmPending(store: StateStore): Pending {
  const pending = store.claimPending();
  if (!pending) throw new NothingPendingError();
  return pending;
}

export type TimerOutcome = 'rolled-back' | 'confirmed' | 'superseded';

/** At the deadline: rolls back unless confirmed (or the record belongs to another apply). */
export function rollbackIfUnconfirmed(deps: Pick<ApplyDeps, 'nft' | 'store'>, token: string): TimerOutcome {
  const pending = deps.store.claimPending();
  if (!pending) return 'confirmed';
  if (pending.token !== token) {
    deps.store.writePending(pending);
    return 'superseded';
  }
  rollbackTo(deps, pending.previousPath === undefined ? undefined : deps.store.readPrevious());
  return 'rolled-back';
}
