// A capped map with least-recently-used eviction, in the two-generation style
// (hashlru, quick-lru): entries live in `recent` until it holds half the cap,
// then `recent` becomes `old` and the previous `old` is dropped whole. Every
// operation is O(1); a plain Map used as an LRU queue is not, because V8 skips
// the holes deleted entries leave at its front. Holds at most `cap` entries.
// Pure (mutates only the table given).

/** A capped table; create with `createLru`. */
export interface Lru<K, V> {
  readonly cap: number;
  recent: Map<K, V>;
  old: Map<K, V>;
}

/** An empty table holding at most `cap` entries (at least 2). */
export function createLru<K, V>(cap: number): Lru<K, V> {
  return { cap: Math.max(2, cap), recent: new Map(), old: new Map() };
}

/** Reads `key`, making it recently used. Evicted entries (if the read promoted one) are returned via `evicted`. */
export function lruGet<K, V>(lru: Lru<K, V>, key: K, evicted?: (value: V) => void): V | undefined {
  const value = lru.recent.get(key);
  if (value !== undefined) return value;
  const aged = lru.old.get(key);
  if (aged === undefined) return undefined;
  lru.old.delete(key);
  lruSet(lru, key, aged, evicted);
  return aged;
}

/** Stores `key` as recently used; `evicted` hears every value dropped to stay within the cap. */
export function lruSet<K, V>(lru: Lru<K, V>, key: K, value: V, evicted?: (value: V) => void): void {
  if (lru.recent.has(key)) {
    lru.recent.set(key, value);
    return;
  }
  lru.old.delete(key);
  if (lru.recent.size >= lru.cap >> 1) {
    if (evicted) for (const v of lru.old.values()) evicted(v);
    lru.old = lru.recent;
    lru.recent = new Map();
  }
  lru.recent.set(key, value);
}

/** Removes `key`. */
export function lruDelete<K, V>(lru: Lru<K, V>, key: K): void {
  lru.recent.delete(key);
  lru.old.delete(key);
}

/** Reads `key` without making it recently used. */
export function lruPeek<K, V>(lru: Lru<K, V>, key: K): V | undefined {
  return lru.recent.get(key) ?? lru.old.get(key);
}

/** How many entries the table holds. */
export function lruSize(lru: Lru<unknown, unknown>): number {
  return lru.recent.size + lru.old.size;
}

/** Every value, least recent generation first. */
export function* lruValues<K, V>(lru: Lru<K, V>): Iterable<V> {
  yield* lru.old.values();
  yield* lru.recent.values();
}
