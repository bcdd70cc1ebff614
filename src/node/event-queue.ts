// A bounded FIFO of packet events between the intake and the decision loop:
// when the loop falls behind, new events are dropped and counted rather than
// held — the kernel has already enforced, so memory stays bounded and nothing
// on the data path waits. Events in → batches out. Pure data structure.

/** Bounded queue with drop-and-count. */
export interface EventQueue<T> {
  /** Appends what fits; returns how many were dropped. */
  push(items: readonly T[]): number;
  /** Takes up to `max` items, oldest first. */
  take(max: number): T[];
  readonly size: number;
  readonly dropped: number;
}

/** Creates a queue holding at most `capacity` items. */
export function createEventQueue<T>(capacity: number): EventQueue<T> {
  // A ring buffer: take() must not shift a large array on every batch.
  const ring: (T | undefined)[] = new Array(capacity);
  let head = 0;
  let size = 0;
  let dropped = 0;
  return {
    push(items) {
      let lost = 0;
      for (const item of items) {
        if (size === capacity) {
          lost++;
          continue;
        }
        ring[(head + size) % capacity] = item;
        size++;
      }
      dropped += lost;
      return lost;
    },
    take(max) {
      const out: T[] = [];
      while (size > 0 && out.length < max) {
        out.push(ring[head] as T);
        ring[head] = undefined;
        head = (head + 1) % capacity;
        size--;
      }
      return out;
    },
    get size() {
      return size;
    },
    get dropped() {
      return dropped;
    },
  };
}
