// Reconcile: the journal's quarantine is the desired state, and the kernel is
// made to equal it — entries the kernel lost (a reboot empties its sets) are
// added back with their remaining time, entries whose kernel timeout strays from
// the journal's are refreshed. Entries only the kernel has were added by the
// packet path since the journal last heard: they are adopted into the journal,
// never removed, because removing would free a source the kernel just caught.
// (journal rows, kernel elements, now) → plan. Pure.

import type { Action } from '../decide/decision.js';
import type { ReconcilePort } from './ports.js';

/** What reconcile needs of a journal quarantine row. */
export interface DesiredQuarantine {
  readonly address: string;
  readonly untilMs: number;
}

/** What reconcile needs of a kernel quarantine element. */
export interface KernelQuarantine {
  readonly address: string;
  /** Seconds until the kernel drops the element. */
  readonly expiresSeconds: number;
}

/** One element for the kernel, with the timeout it must have. */
export interface KernelElement {
  readonly address: string;
  readonly family: 4 | 6;
  readonly timeoutSeconds: number;
}

/** What to do so the kernel equals the journal, and the journal knows the kernel's own catches. */
export interface ReconcilePlan {
  /** In the journal, missing in the kernel: add. */
  readonly add: readonly KernelElement[];
  /** In both, but the kernel's remaining time strays from the journal's: set the timeout again. */
  readonly refresh: readonly KernelElement[];
  /** In the kernel only: quarantine actions for the journal (`writeBatch`). */
  readonly adopt: readonly Extract<Action, { type: 'quarantine' }>[];
  /** One human line per difference found. */
  readonly drift: readonly string[];
}

/** Remaining times within this many seconds of each other are taken as equal (clock steps, read latency). */
export const TOLERANCE_SECONDS = 5;

/** Plans how the kernel is made to equal the journal at `nowMs`. */
export function reconcile(
  journalRows: readonly DesiredQuarantine[],
  kernelElements: readonly KernelQuarantine[],
  nowMs: number,
): ReconcilePlan {
  const kernel = new Map(kernelElements.map((k) => [k.address, k]));
  const desired = new Set<string>();
  const add: KernelElement[] = [];
  const refresh: KernelElement[] = [];
  const adopt: Extract<Action, { type: 'quarantine' }>[] = [];
  const drift: string[] = [];
  for (const row of journalRows) {
    const remaining = Math.ceil((row.untilMs - nowMs) / 1000);
    if (remaining <= 0) continue;
    desired.add(row.address);
    const element = { address: row.address, family: familyOf(row.address), timeoutSeconds: remaining };
    const inKernel = kernel.get(row.address);
    if (inKernel === undefined) {
      add.push(element);
      drift.push(
        `${row.address}: quarantined in the journal for ${remaining} s more, missing in the kernel: added`,
      );
    } else if (Math.abs(inKernel.expiresSeconds - remaining) > TOLERANCE_SECONDS) {
      refresh.push(element);
      drift.push(
        `${row.address}: the kernel expires it in ${inKernel.expiresSeconds} s, the journal in ${remaining} s: refreshed`,
      );
    }
  }
  for (const k of kernelElements) {
    if (desired.has(k.address) || k.expiresSeconds <= 0) continue;
    adopt.push({
      type: 'quarantine',
      address: k.address,
      durationSeconds: k.expiresSeconds,
      reason: 'quarantined by the kernel (packet path) and not yet journaled: adopted',
      producer: 'reconcile',
    });
    drift.push(`${k.address}: in the kernel for ${k.expiresSeconds} s more, not in the journal: adopted`);
  }
  return { add, refresh, adopt, drift };
}

/**
 * `reconcile` in the daemon's port shape: added and refreshed elements both go
 * to `restore` (a refresh must replace the element — delete and add in one
 * transaction — on kernels whose `add element` keeps an existing timeout).
 */
export const reconcilePort: ReconcilePort = (journal, kernel, nowMs) => {
  const plan = reconcile(journal, kernel, nowMs);
  return {
    restore: [...plan.add, ...plan.refresh].map((e) => ({ ...e, expiresSeconds: e.timeoutSeconds })),
    adopt: plan.adopt,
    drift: plan.drift.length,
  };
};

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}
