// Reads, from `nft -j list chain` output, the packet counters of the rules
// that matter for the benchmark: the conntrack fast path and the allow-set
// lookups, to show which path the measured packets took. JSON → counts. Pure.

interface RuleJson {
  readonly expr?: readonly Record<string, unknown>[];
}

/** Packets accepted by the `ct state established,related` rule and by rules that look up `@set`. */
export interface PathCounters {
  readonly established: number;
  readonly setLookup: number;
}

function packets(expr: readonly Record<string, unknown>[]): number {
  for (const e of expr) {
    const counter = e.counter as { packets?: number } | undefined;
    if (counter?.packets !== undefined) return counter.packets;
  }
  return 0;
}

/** Sums the counters of the chain's fast-path rule and of every rule looking up one of `sets`. */
export function pathCounters(doc: unknown, sets: readonly string[]): PathCounters {
  const items = (doc as { nftables?: { rule?: RuleJson }[] }).nftables ?? [];
  let established = 0;
  let setLookup = 0;
  for (const item of items) {
    const expr = item.rule?.expr;
    if (expr === undefined) continue;
    const text = JSON.stringify(expr);
    if (/"right":\["established","related"\]/.test(text)) established += packets(expr);
    else if (sets.some((s) => text.includes(`"right":"@${s}"`))) setLookup += packets(expr);
  }
  return { established, setLookup };
}
