// Fan-out in a sliding window: how many distinct keys (hosts, ports, ARP
// targets) one source reached in the last `windowMs`. Each key maps to the time
// it was last seen, least recent first, so expiry and the cap cost O(1) amortised.
// Map + key + now → distinct count. Pure (mutates only the map given).

/** Marks `key` seen at `nowMs`, drops keys older than the window and beyond `cap`; returns the distinct count. */
export function observeFanOut<K>(
  seen: Map<K, number>,
  key: K,
  nowMs: number,
  windowMs: number,
  cap: number,
): number {
  seen.delete(key);
  seen.set(key, nowMs);
  for (const [oldKey, atMs] of seen) {
    if (nowMs - atMs <= windowMs && seen.size <= cap) break;
    seen.delete(oldKey);
  }
  return seen.size;
}
