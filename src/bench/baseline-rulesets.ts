// The rulesets Picket is compared against, as nft text for the node's
// namespace: conntrack only (the cheapest stateful firewall), a naive linear
// list with one rule per allowed tuple and the measured flow last, and Picket's
// own text without per-element comments (to price them at apply time).
// Allow entries or nft text → nft text. Pure.

import type { AllowEntry } from '../compile/ruleset.js';

/** The benchmark's own table; Picket's tables are `picket`, so the two never collide. */
export const BENCH_TABLE = 'picketbench';

/** A forward chain that only accepts established/related flows; everything else passes by policy. */
export function conntrackOnlyRuleset(): string {
  return [
    `table inet ${BENCH_TABLE} {`,
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy accept;',
    '\t\tct state established,related accept',
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** Orders entries so those of `isFlow` come last (stable otherwise). */
export function flowLast(entries: readonly AllowEntry[], isFlow: (e: AllowEntry) => boolean): AllowEntry[] {
  return [...entries.filter((e) => !isFlow(e)), ...entries.filter(isFlow)];
}

/**
 * One `ip saddr … ip daddr … <transport> dport … accept` rule per entry, in the
 * given order, after the same conntrack fast path Picket has; policy drop.
 * IPv4 entries only (the benchmark is IPv4).
 */
export function naiveRuleset(entries: readonly AllowEntry[]): string {
  const rules = entries
    .filter((e) => e.family === 4)
    .map((e) => `\t\tip saddr ${e.source} ip daddr ${e.destination} ${e.transport} dport ${e.ports} accept`);
  return [
    `table inet ${BENCH_TABLE} {`,
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy drop;',
    '\t\tct state established,related accept',
    ...rules,
    '\t}',
    '}',
    '',
  ].join('\n');
}
