// Moves: what changes between the decoys in place and a new plan — each decoy
// that changes address or MAC is one move (from, to, reason), new ones are
// placed, dropped ones removed — and the rotation epoch of an instant.
// (current, next, reason) → DecoyMove[]; (now, period) → epoch. Pure.

import type { PlacedDecoy } from './placement.js';

/** Why a decoy moved. */
export type MoveReason = 'placed' | 'rotated' | 'yielded' | 'removed' | 'policy';

/** One change to one decoy: `from` absent when placed, `to` absent when removed. */
export interface DecoyMove {
  readonly id: string;
  readonly from?: PlacedDecoy;
  readonly to?: PlacedDecoy;
  readonly reason: MoveReason;
}

/** The rotation epoch at `nowMs` for a period (0 when decoys do not rotate). */
export function epochAt(nowMs: number, rotateEverySeconds: number | undefined): number {
  if (rotateEverySeconds === undefined || rotateEverySeconds <= 0) return 0;
  return Math.floor(nowMs / 1000 / rotateEverySeconds);
}

/** When the epoch after the one at `nowMs` begins (undefined without rotation). */
export function nextEpochAtMs(nowMs: number, rotateEverySeconds: number | undefined): number | undefined {
  if (rotateEverySeconds === undefined || rotateEverySeconds <= 0) return undefined;
  return (epochAt(nowMs, rotateEverySeconds) + 1) * rotateEverySeconds * 1000;
}

/** The moves that turn `current` into `next`; unchanged decoys are left out. */
export function movesBetween(
  current: readonly PlacedDecoy[],
  next: readonly PlacedDecoy[],
  reason: MoveReason,
): DecoyMove[] {
  const before = new Map(current.map((d) => [d.id, d]));
  const out: DecoyMove[] = [];
  for (const to of next) {
    const from = before.get(to.id);
    before.delete(to.id);
    if (!from) out.push({ id: to.id, to, reason: reason === 'rotated' ? 'placed' : reason });
    else if (from.ip !== to.ip || from.identity.mac !== to.identity.mac || from.profile !== to.profile)
      out.push({ id: to.id, from, to, reason });
  }
  for (const from of before.values()) out.push({ id: from.id, from, reason: 'removed' });
  return out;
}
