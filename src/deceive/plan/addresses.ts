// Where a decoy may sit: the IPv4 addresses of a zone that look like an
// ordinary device (not the network or broadcast address, not .1 or .254, which
// look like gateways), and a deterministic pseudo-random walk over them keyed
// by (seed, epoch, decoy id), so placements spread plausibly over the range
// and are the same on every run. Prefixes + key → address candidates. Pure.

import { createHash } from 'node:crypto';
import { formatAddress } from '../../net/address.js';
import { type IpPrefix, parsePrefix, prefixBounds } from '../../net/prefix.js';
import type { Prefix } from '../../policy/types.js';

/** The IPv4 ranges of a zone, as integer bounds. */
export interface AddressSpace {
  readonly ranges: readonly { readonly first: number; readonly last: number }[];
  /** How many addresses the ranges hold (usable or not). */
  readonly size: number;
}

/** The IPv4 networks of a zone as an address space (IPv6 networks are left out). */
export function addressSpaceOf(networks: readonly Prefix[]): AddressSpace {
  const ranges: { first: number; last: number }[] = [];
  let size = 0;
  for (const n of networks) {
    if (n.family !== 4) continue;
    const parsed = parsePrefix(`${n.address}/${n.length}`);
    if (!parsed) continue;
    const { first, last } = prefixBounds(parsed.prefix as IpPrefix);
    ranges.push({ first: Number(first), last: Number(last) });
    size += Number(last - first) + 1;
  }
  return { ranges, size };
}

/** True when `address` (an integer of a range of the space) may hold a decoy. */
export function looksLikeDevice(space: AddressSpace, address: number): boolean {
  const low = address & 0xff;
  if (low === 1 || low === 254) return false;
  const range = space.ranges.find((r) => address >= r.first && address <= r.last);
  if (!range) return false;
  if (range.last - range.first >= 2 && (address === range.first || address === range.last)) return false;
  return range.last - range.first !== 1;
}

/** The address at `offset` (0 ≤ offset < size) counting through the ranges in order. */
export function addressAt(space: AddressSpace, offset: number): number {
  let left = offset;
  for (const r of space.ranges) {
    const n = r.last - r.first + 1;
    if (left < n) return r.first + left;
    left -= n;
  }
  throw new RangeError(`offset ${offset} is outside the address space`);
}

/** Dotted-quad text of an IPv4 integer. */
export function ipv4Text(address: number): string {
  return formatAddress({ family: 4, value: BigInt(address) });
}

/** A pseudo-random offset below `size` for the key and attempt (48 bits of sha256). */
export function hashedOffset(key: string, attempt: number, size: number): number {
  const digest = createHash('sha256').update(`${key}\u0000${attempt}`).digest();
  return digest.readUIntBE(0, 6) % size;
}
