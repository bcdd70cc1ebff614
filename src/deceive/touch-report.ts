// The decoy server's events (ready, touch, error) and how a peer's touch
// notes become touch events: repeats folded per peer, at most
// MAX_TOUCHES_PER_PEER events per peer, within the source's rate budget (what
// it holds back is counted in the next event that goes out). Pure: the caller
// passes the clock and the emitter.

import type { TouchNote } from './personality/types.js';
import type { TouchBudget } from './touch-budget.js';

/** A touch: someone opened a connection to a decoy or said something to it. */
export interface TouchEvent {
  readonly type: 'touch';
  readonly decoy: string;
  readonly timeMs: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  readonly transport: 'tcp' | 'udp';
  readonly protocol: string;
  readonly notes: readonly TouchNote[];
}

/** What the server reports, one JSON line each. */
export type ServerEvent =
  | { readonly type: 'ready'; readonly decoys: number; readonly ms: number }
  | TouchEvent
  | { readonly type: 'error'; readonly message: string };

/** What every touch event of one peer shares. */
export type TouchBase = Omit<TouchEvent, 'timeMs' | 'notes'>;

/** Touch events one connection or UDP peer may cause; the rest are folded away. */
export const MAX_TOUCHES_PER_PEER = 64;

/**
 * Reports a peer's notes: repeats folded, at most MAX_TOUCHES_PER_PEER events
 * per peer, and within the source's rate budget (what it holds back is counted
 * in the next event that goes out).
 */
export function touchReporter(
  base: TouchBase,
  emit: (e: ServerEvent) => void,
  nowMs: () => number,
  budget: TouchBudget,
) {
  const seen = new Set<string>();
  let events = 0;
  return (notes: readonly TouchNote[]): void => {
    if (events >= MAX_TOUCHES_PER_PEER) return;
    const fresh = notes.filter((n) => {
      const key = `${n.protocol}\n${n.what}`;
      if (seen.has(key)) return false;
      if (seen.size < 256) seen.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    const timeMs = nowMs();
    const allowance = budget.take(base.src, timeMs);
    if (!allowance.allowed) return;
    events++;
    const shown = fresh.slice(0, 32);
    if (allowance.folded > 0)
      shown.push({
        protocol: base.protocol,
        what: `${allowance.folded} touches from this source not reported (rate limit)`,
        severity: 'low',
      });
    if (events === MAX_TOUCHES_PER_PEER)
      shown.push({
        protocol: base.protocol,
        what: 'further touches from this peer are not reported',
        severity: 'low',
      });
    emit({ ...base, timeMs, notes: shown });
  };
}
