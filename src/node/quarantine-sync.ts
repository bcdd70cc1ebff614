// Brings kernel quarantine and journal back in line: reads the kernel's
// quarantine sets, asks the (pure) reconciler what differs, puts back what the
// kernel lost (a reboot empties the sets; the journal remembers) in one
// transaction, and returns the kernel-only entries for the journal to adopt.
// Never-list addresses are never restored. Kernel + journal → kernel. Shell.

import { type QuarantinedElement, quarantineElementsText, readQuarantine } from '../apply/apply.js';
import type { Nft } from '../apply/nft.js';
import type { Action } from '../decide/decision.js';
import type { JournalPort, ReconcilePort } from './ports.js';

/** What one reconcile did. */
export interface QuarantineSync {
  readonly restored: number;
  readonly adopt: readonly Action[];
  readonly drift: number;
  /** Quarantine size in the kernel afterwards. */
  readonly kernelSize: number;
}

/**
 * A refresh takes the element out before adding it back, in the same
 * transaction: a kernel whose `add element` keeps an existing element's timeout
 * would otherwise ignore it.
 */
function deleteElementsText(elements: readonly QuarantinedElement[]): string {
  return elements.map((e) => `delete element inet picket quarantine${e.family} { ${e.address} }\n`).join('');
}

/** Reconciles now; throws NftError when the kernel cannot be read or written. */
export function reconcileQuarantine(
  deps: {
    readonly nft: Nft;
    readonly journal: JournalPort;
    readonly reconcile: ReconcilePort;
    readonly never: ReadonlySet<string>;
  },
  nowMs: number,
): QuarantineSync {
  const kernel = readQuarantine(deps.nft);
  const plan = deps.reconcile(deps.journal.activeQuarantine(nowMs), kernel, nowMs);
  const restore: QuarantinedElement[] = plan.restore.filter((q) => !deps.never.has(q.address));
  const present = new Set(kernel.map((k) => k.address));
  const refresh = restore.filter((q) => present.has(q.address));
  if (restore.length > 0) deps.nft.run(deleteElementsText(refresh) + quarantineElementsText(restore));
  return {
    restored: restore.length,
    adopt: plan.adopt,
    drift: plan.drift,
    kernelSize: kernel.length + restore.length,
  };
}
