// Rules as boxes: each rule's endpoints (asset, group, zone) and services resolved
// to address ranges and port ranges — one box per source range × destination range
// × transport × port range — and boxes rendered back to nft element text.
// Policy → AddressBox[]. Pure.

import { formatAddress, parseAddress } from '../net/address.js';
import { parsePrefix, prefixBounds } from '../net/prefix.js';
import type { Endpoint, IpFamily, Policy, Rule, Transport } from '../policy/types.js';

/** An inclusive range of address values of one family. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

/** One allowed region of (source, destination, transport, port) space, still attributed to its rule. */
export interface AddressBox {
  readonly family: IpFamily;
  readonly source: AddressRange;
  readonly destination: AddressRange;
  readonly transport: Transport;
  readonly fromPort: number;
  readonly toPort: number;
  readonly rule: string;
  readonly line: number;
  readonly schedule?: string;
}

/** The address ranges an endpoint stands for. */
export function endpointRanges(policy: Policy, endpoint: Endpoint): AddressRange[] {
  switch (endpoint.kind) {
    case 'asset': {
      const asset = policy.assets.find((a) => a.name === endpoint.name);
      return asset === undefined ? [] : addressRange(asset.ip);
    }
    case 'group': {
      const group = policy.groups.find((g) => g.name === endpoint.name);
      const names = new Set(group?.assets ?? []);
      return policy.assets.filter((a) => names.has(a.name)).flatMap((a) => addressRange(a.ip));
    }
    case 'zone': {
      const zone = policy.zones.find((z) => z.name === endpoint.name);
      return (zone?.networks ?? []).flatMap((n) => {
        const parsed = parsePrefix(`${n.address}/${n.length}`);
        if (parsed === undefined) return [];
        const { first, last } = prefixBounds(parsed.prefix);
        return [{ family: parsed.prefix.family, first, last }];
      });
    }
  }
}

function addressRange(text: string): AddressRange[] {
  const a = parseAddress(text);
  return a === undefined ? [] : [{ family: a.family, first: a.value, last: a.value }];
}

/** Every box of one rule: each source × destination of the same family × each service port range. */
export function ruleBoxes(policy: Policy, rule: Rule): AddressBox[] {
  const sources = endpointRanges(policy, rule.from);
  const destinations = endpointRanges(policy, rule.to);
  const ports = rule.services.flatMap((name) => policy.services.find((s) => s.name === name)?.ports ?? []);
  const boxes: AddressBox[] = [];
  for (const source of sources) {
    for (const destination of destinations) {
      if (source.family !== destination.family) continue;
      for (const p of ports) {
        boxes.push({
          family: source.family,
          source,
          destination,
          transport: p.transport,
          fromPort: p.from,
          toPort: p.to,
          rule: rule.name,
          line: rule.loc.line,
          ...(rule.when === undefined ? {} : { schedule: rule.when }),
        });
      }
    }
  }
  return boxes;
}

/** nft element text for a range: an address, a prefix when the range is one, else `first-last`. */
export function rangeText(r: AddressRange): string {
  const first = formatAddress({ family: r.family, value: r.first });
  if (r.first === r.last) return first;
  const size = r.last - r.first + 1n;
  const bits = r.family === 4 ? 32 : 128;
  // A range is a prefix when its size is a power of two and its start is aligned to it.
  if ((size & (size - 1n)) === 0n && r.first % size === 0n) {
    return `${first}/${bits - (size.toString(2).length - 1)}`;
  }
  return `${first}-${formatAddress({ family: r.family, value: r.last })}`;
}

/** nft element text for a port range: `502` or `1000-2000`. */
export function portText(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}
