// Remembers values computed from an identity (reply pages, SZL records, static
// data) for as long as the identity object lives, so each conversation does
// not rebuild them. Deterministic: the value depends only on the identity. Pure.

import type { DecoyIdentity } from './types.js';

/** `compute`, evaluated once per identity object. */
export function perIdentity<T>(compute: (identity: DecoyIdentity) => T): (identity: DecoyIdentity) => T {
  const cache = new WeakMap<DecoyIdentity, T>();
  return (identity) => {
    let value = cache.get(identity);
    if (value === undefined) {
      value = compute(identity);
      cache.set(identity, value);
    }
    return value;
  };
}
