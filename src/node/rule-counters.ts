// Forward-chain counters: the rules of `chain inet picket forward` (read over
// netlink as KernelRules, or nft's JSON listing of the chain) → packets and
// bytes per rule, keyed by the rule's comment (which cites the policy line,
// e.g. `policy.yaml:31 rules` or `policy.yaml:52 out-of-profile: quarantine
// source`) and its verdict. Rules that share a comment (the exact and interval
// allow sets of both families) are summed. Pure.

import type { KernelRule } from '../apply/nft-rules-codec.js';

/** Packets and bytes counted by the rules with one comment and verdict. */
export interface RuleCounter {
  readonly rule: string;
  readonly verdict: 'accept' | 'drop' | 'other';
  readonly packets: number;
  readonly bytes: number;
}

interface NftRule {
  readonly comment?: string;
  readonly expr?: readonly Record<string, unknown>[];
}

/** Reads the counters of every rule that has a `counter` statement, in chain order. */
export function ruleCountersFrom(doc: unknown): RuleCounter[] {
  const items = (doc as { nftables?: { rule?: NftRule }[] } | undefined)?.nftables ?? [];
  const counted: KernelRule[] = [];
  for (const item of items) {
    const rule = item.rule;
    if (!rule?.expr) continue;
    let counter: { packets?: number; bytes?: number } | undefined;
    let verdict: RuleCounter['verdict'] = 'other';
    for (const e of rule.expr) {
      if (e.counter && typeof e.counter === 'object') counter = e.counter as typeof counter;
      if ('accept' in e) verdict = 'accept';
      if ('drop' in e) verdict = 'drop';
    }
    if (!counter) continue;
    counted.push({
      ...(rule.comment === undefined ? {} : { comment: rule.comment }),
      counted: true,
      packets: Number(counter.packets ?? 0),
      bytes: Number(counter.bytes ?? 0),
      verdict,
    });
  }
  return fold(counted);
}

/** The same counters from rules read over netlink (`Nft.chainRules`); rules without a counter are left out. */
export function ruleCountersOf(rules: readonly KernelRule[]): RuleCounter[] {
  return fold(rules.filter((r) => r.counted));
}

/** Sums counted rules by verdict and comment, in order of first appearance. */
function fold(rules: readonly KernelRule[]): RuleCounter[] {
  const byKey = new Map<string, RuleCounter>();
  for (const r of rules) {
    const name = r.comment ?? '(no comment)';
    const key = `${r.verdict}\u0000${name}`;
    const seen = byKey.get(key);
    byKey.set(key, {
      rule: name,
      verdict: r.verdict,
      packets: (seen?.packets ?? 0) + r.packets,
      bytes: (seen?.bytes ?? 0) + r.bytes,
    });
  }
  return [...byKey.values()];
}
