// The xt NFQUEUE rules that queue the packets `table inet picket` marked, as
// iptables-nft / ip6tables-nft argument lists (nft cannot write xt targets, and
// this kernel has no nft_queue). Appended to mangle FORWARD; fail-closed queues
// have no `--queue-bypass`, so with no daemon bound their packets are dropped.
// Ruleset → argv lists. Pure.

import type { QueueFailure } from '../policy/types.js';
import { QUEUE, type Ruleset } from './ruleset.js';

/** One command: the binary (`iptables-nft` or `ip6tables-nft`) and its arguments after `-t mangle -A|-C|-D FORWARD`. */
export interface XtQueueRule {
  readonly binary: 'iptables-nft' | 'ip6tables-nft';
  readonly failure: QueueFailure;
  readonly match: readonly string[];
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The rules for the fail modes the ruleset queues, closed first (a tuple marked both ways is queued closed). */
export function queueXtRules(r: Ruleset): XtQueueRule[] {
  if (r.mode === 'monitor') return [];
  const out: XtQueueRule[] = [];
  for (const failure of ['closed', 'open'] as const) {
    const q = QUEUE[failure];
    for (const family of [4, 6] as const) {
      if (!(r.queues ?? []).some((e) => e.failure === failure && e.family === family)) continue;
      out.push({
        binary: family === 4 ? 'iptables-nft' : 'ip6tables-nft',
        failure,
        match: [
          '-m',
          'mark',
          '--mark',
          `${hex(q.mark)}/${hex(QUEUE.markMask & (failure === 'closed' ? q.mark : QUEUE.markMask))}`,
          '-m',
          'comment',
          '--comment',
          `picket protocol fail-${failure}`,
          '-j',
          'NFQUEUE',
          '--queue-balance',
          `${q.queues[0]}:${q.queues[1]}`,
          ...(failure === 'open' ? ['--queue-bypass'] : []),
        ],
      });
    }
  }
  return out;
}
