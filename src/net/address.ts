// IP addresses as values: IPv4 and IPv6 text → family + BigInt, and back to
// canonical text (dotted quad; RFC 5952 for IPv6). Pure.

export type AddressFamily = 4 | 6;

/** One IP address: its family and its value as an unsigned integer. */
export interface IpAddress {
  readonly family: AddressFamily;
  readonly value: bigint;
}

/** Number of bits in an address of the family. */
export function addressBits(family: AddressFamily): number {
  return family === 4 ? 32 : 128;
}

const decimalOctet = /^(0|[1-9]\d{0,2})$/;

/** Parses dotted-quad IPv4 text; leading zeros are refused (they mean octal to some tools). */
export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!decimalOctet.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

const hextet = /^[0-9a-fA-F]{1,4}$/;

function parseHextets(text: string): bigint[] | undefined {
  if (text === '') return [];
  const out: bigint[] = [];
  for (const part of text.split(':')) {
    if (!hextet.test(part)) return undefined;
    out.push(BigInt(`0x${part}`));
  }
  return out;
}

/** Parses IPv6 text (with `::` and an optional embedded IPv4 tail); zone ids are refused. */
export function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail: bigint[] = [];
  const lastColon = head.lastIndexOf(':');
  if (lastColon >= 0 && head.includes('.', lastColon)) {
    const v4 = parseIpv4(head.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = head.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:…:1.2.3.4" leaves "a:b:…:".
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = parseHextets(halves[0] ?? '');
  const right = halves.length === 2 ? parseHextets(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (given > 7) return undefined;
    groups = [...left, ...Array<bigint>(8 - given).fill(0n), ...right, ...tail];
  } else {
    if (given !== 8) return undefined;
    groups = [...left, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses IPv4 or IPv6 address text. */
export function parseAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // RFC 5952 §5: IPv4-mapped addresses keep their dotted tail.
  if (value >> 32n === 0xffffn) return `::ffff:${formatIpv4(value & 0xffffffffn)}`;
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6 (lower case, `::` for the longest zero run). */
export function formatAddress(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}
