// IP prefixes as values: `addr/len` text → canonical network, and the
// containment and overlap math the policy checks need. Pure.

import { type AddressFamily, addressBits, formatAddress, type IpAddress, parseAddress } from './address.js';

/** A network prefix: family, network address value (host bits clear) and length. */
export interface IpPrefix {
  readonly family: AddressFamily;
  readonly value: bigint;
  readonly length: number;
}

/** The result of reading prefix text: the prefix, and whether the text had host bits set. */
export interface ParsedPrefix {
  readonly prefix: IpPrefix;
  /** True when the text had bits set past the prefix length (`10.0.0.1/24`). */
  readonly hostBitsSet: boolean;
}

function hostMask(family: AddressFamily, length: number): bigint {
  return (1n << BigInt(addressBits(family) - length)) - 1n;
}

/** Parses `addr/len` (a bare address is a full-length prefix); undefined when malformed. */
export function parsePrefix(text: string): ParsedPrefix | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return undefined;
  let length = addressBits(address.family);
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(lengthText)) return undefined;
    length = Number(lengthText);
    if (length > addressBits(address.family)) return undefined;
  }
  const mask = hostMask(address.family, length);
  return {
    prefix: { family: address.family, value: address.value & ~mask, length },
    hostBitsSet: (address.value & mask) !== 0n,
  };
}

/** Canonical `network/len` text. */
export function formatPrefix(prefix: IpPrefix): string {
  return `${formatAddress({ family: prefix.family, value: prefix.value })}/${prefix.length}`;
}

/** First and last address values covered by the prefix. */
export function prefixBounds(prefix: IpPrefix): { readonly first: bigint; readonly last: bigint } {
  return { first: prefix.value, last: prefix.value | hostMask(prefix.family, prefix.length) };
}

/** True when the address lies inside the prefix (same family only). */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  if (prefix.family !== address.family) return false;
  const { first, last } = prefixBounds(prefix);
  return address.value >= first && address.value <= last;
}

/** True when two prefixes share at least one address (same family only). */
export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  if (a.family !== b.family) return false;
  const x = prefixBounds(a);
  const y = prefixBounds(b);
  return x.first <= y.last && y.first <= x.last;
}
