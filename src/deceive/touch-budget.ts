// A rate budget for the decoy server's touch events, per source address: a
// token bucket (sustained rate, burst), counting what it held back so the next
// event can say how many were folded. Bounded memory (least recently seen
// sources are forgotten first). Pure: the caller passes the time.

/** The answer for one event: report it or not, and how many were held back before it. */
export interface Allowance {
  readonly allowed: boolean;
  readonly folded: number;
}

export interface TouchBudget {
  take(source: string, nowMs: number): Allowance;
}

interface Bucket {
  tokens: number;
  lastMs: number;
  held: number;
}

/** A budget of `perSecond` events per source, bursts up to `burst`, for at most `maxSources` sources. */
export function touchBudget(perSecond = 20, burst = 100, maxSources = 4096): TouchBudget {
  const buckets = new Map<string, Bucket>();
  return {
    take(source, nowMs) {
      let bucket = buckets.get(source);
      if (bucket === undefined) {
        bucket = { tokens: burst, lastMs: nowMs, held: 0 };
        if (buckets.size >= maxSources) buckets.delete(buckets.keys().next().value ?? source);
      } else {
        buckets.delete(source); // re-inserted below: the map's order is recency
        bucket.tokens = Math.min(
          burst,
          bucket.tokens + (Math.max(0, nowMs - bucket.lastMs) * perSecond) / 1000,
        );
        bucket.lastMs = nowMs;
      }
      buckets.set(source, bucket);
      if (bucket.tokens < 1) {
        bucket.held++;
        return { allowed: false, folded: 0 };
      }
      bucket.tokens -= 1;
      const folded = bucket.held;
      bucket.held = 0;
      return { allowed: true, folded };
    },
  };
}
