// Zones section → Zone[]: parses each network prefix, refuses host bits, and
// reports prefixes that overlap (within a zone or across zones), since an
// address must belong to exactly one zone. Pure.

import { formatPrefix, type IpPrefix, parsePrefix, prefixesOverlap } from '../net/prefix.js';
import type { SourceLocation } from './diagnostic.js';
import type { Report } from './report.js';
import type { Prefix, Zone } from './types.js';
import { type LocatedValue, seqAt, stringAt, uniqueEntries } from './yaml-source.js';

/** A zone with its parsed prefixes, for containment checks downstream. */
export interface ReadZone {
  readonly zone: Zone;
  readonly prefixes: readonly IpPrefix[];
}

/** Converts a parsed prefix to the Policy's text form. */
export function toPolicyPrefix(prefix: IpPrefix): Prefix {
  const [address = ''] = formatPrefix(prefix).split('/');
  return { family: prefix.family, address, length: prefix.length };
}

/** Reads and checks every zone. */
export function readZones(section: LocatedValue | undefined, report: Report): ReadZone[] {
  const placed: { zone: string; prefix: IpPrefix; loc: SourceLocation }[] = [];
  const out: ReadZone[] = [];
  for (const entry of uniqueEntries(section)) {
    const prefixes: IpPrefix[] = [];
    for (const item of seqAt(entry.value, 'networks')?.items ?? []) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string') continue;
      const parsed = parsePrefix(item.value);
      if (!parsed || !item.value.includes('/')) {
        report.error(
          'invalid-prefix',
          item.loc,
          `zone "${entry.key}": "${item.value}" is not an IPv4 or IPv6 prefix`,
          'write addr/len, e.g. 10.20.1.0/24 or fd00:20:1::/64',
        );
        continue;
      }
      if (parsed.hostBitsSet) {
        report.error(
          'host-bits-set',
          item.loc,
          `zone "${entry.key}": "${item.value}" has host bits set`,
          `did you mean ${formatPrefix(parsed.prefix)}?`,
        );
        continue;
      }
      const clash = placed.find((p) => prefixesOverlap(p.prefix, parsed.prefix));
      if (clash) {
        const where = clash.zone === entry.key ? 'another network of this zone' : `zone "${clash.zone}"`;
        report.error(
          'zone-overlap',
          item.loc,
          `zone "${entry.key}": ${formatPrefix(parsed.prefix)} overlaps ${formatPrefix(clash.prefix)} of ${where} (line ${clash.loc.line})`,
          'every address must belong to exactly one zone',
        );
      }
      placed.push({ zone: entry.key, prefix: parsed.prefix, loc: item.loc });
      prefixes.push(parsed.prefix);
    }
    const failure = stringAt(entry.value, 'protocol-failure');
    out.push({
      zone: {
        name: entry.key,
        networks: prefixes.map(toPolicyPrefix),
        ...(failure === 'open' || failure === 'closed' ? { protocolFailure: failure } : {}),
        loc: entry.keyLoc,
      },
      prefixes,
    });
  }
  return out;
}
