// Assets section → Asset[]: canonical IP and MAC, a known zone whose networks
// contain the IP, and no IP or MAC claimed by two assets. Pure.

import { formatAddress, type IpAddress, parseAddress } from '../net/address.js';
import { isGroupMac, parseMac } from '../net/mac.js';
import { formatPrefix, prefixContains } from '../net/prefix.js';
import type { SourceLocation } from './diagnostic.js';
import type { DeclaredNames } from './names.js';
import type { ReadZone } from './read-zones.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Asset } from './types.js';
import { entryOf, type LocatedValue, stringAt, uniqueEntries } from './yaml-source.js';

function readAddress(name: string, node: LocatedValue | undefined, report: Report): IpAddress | undefined {
  if (node?.kind !== 'scalar' || typeof node.value !== 'string') return undefined;
  const address = parseAddress(node.value);
  if (!address) {
    const bare = node.value.split('/')[0] ?? '';
    const hint =
      node.value.includes('/') && parseAddress(bare) ? `an asset has one address: write ${bare}` : undefined;
    report.error(
      'invalid-address',
      node.loc,
      `asset "${name}": "${node.value}" is not an IPv4 or IPv6 address`,
      hint,
    );
  }
  return address;
}

function readMac(name: string, node: LocatedValue | undefined, report: Report): string | undefined {
  if (node?.kind !== 'scalar' || typeof node.value !== 'string') return undefined;
  const mac = parseMac(node.value);
  if (!mac) {
    report.error(
      'invalid-mac',
      node.loc,
      `asset "${name}": "${node.value}" is not a MAC address`,
      'write aa:bb:cc:dd:ee:ff',
    );
    return undefined;
  }
  if (isGroupMac(mac)) {
    report.error('invalid-mac', node.loc, `asset "${name}": ${mac} is a multicast MAC, which no device owns`);
    return undefined;
  }
  return mac;
}

function checkInZone(
  name: string,
  address: IpAddress,
  loc: SourceLocation,
  zone: ReadZone,
  zones: readonly ReadZone[],
  report: Report,
): void {
  if (zone.prefixes.length === 0 || zone.prefixes.some((p) => prefixContains(p, address))) return;
  const home = zones.find((z) => z.prefixes.some((p) => prefixContains(p, address)));
  const hint = home
    ? `${formatAddress(address)} is in zone "${home.zone.name}"`
    : `zone "${zone.zone.name}" has ${zone.prefixes.map(formatPrefix).join(', ')}`;
  report.error(
    'asset-outside-zone',
    loc,
    `asset "${name}": ${formatAddress(address)} is outside its zone "${zone.zone.name}"`,
    hint,
  );
}

type Owners = Map<string, { readonly name: string; readonly line: number }>;

/** Records that `name` owns `value` (an IP or MAC), reporting it when another asset already does. */
function claim(
  owners: Owners,
  code: string,
  value: string,
  name: string,
  at: SourceLocation,
  line: number,
  report: Report,
) {
  const owner = owners.get(value);
  if (owner) {
    report.error(code, at, `asset "${name}": ${value} is already asset "${owner.name}" (line ${owner.line})`);
  } else owners.set(value, { name, line });
}

function readZoneRef(
  name: string,
  value: LocatedValue,
  keyLoc: SourceLocation,
  names: DeclaredNames,
  report: Report,
) {
  const zoneName = stringAt(value, 'zone');
  if (zoneName !== undefined && !names.zones.has(zoneName)) {
    report.error(
      'unknown-zone',
      entryOf(value, 'zone')?.value.loc ?? keyLoc,
      `asset "${name}": unknown zone "${zoneName}"`,
      didYouMean(zoneName, names.zones.keys()),
    );
  }
  return zoneName;
}

/** Reads and checks every asset; an asset with a bad address or unknown zone is left out. */
export function readAssets(
  section: LocatedValue | undefined,
  names: DeclaredNames,
  zones: readonly ReadZone[],
  report: Report,
): Asset[] {
  const assets: Asset[] = [];
  const ips: Owners = new Map();
  const macs: Owners = new Map();
  for (const { key: name, keyLoc, value } of uniqueEntries(section)) {
    const ipNode = entryOf(value, 'ip')?.value;
    const address = readAddress(name, ipNode, report);
    const macNode = entryOf(value, 'mac')?.value;
    const mac = readMac(name, macNode, report);
    const zoneName = readZoneRef(name, value, keyLoc, names, report);
    const zone = zones.find((z) => z.zone.name === zoneName);
    if (address && ipNode) {
      if (zone) checkInZone(name, address, ipNode.loc, zone, zones, report);
      claim(ips, 'duplicate-ip', formatAddress(address), name, ipNode.loc, keyLoc.line, report);
    }
    if (mac && macNode) claim(macs, 'duplicate-mac', mac, name, macNode.loc, keyLoc.line, report);
    if (!address || zoneName === undefined || !zone) continue;
    const role = stringAt(value, 'role');
    const critical = entryOf(value, 'critical')?.value;
    assets.push({
      name,
      ip: formatAddress(address),
      family: address.family,
      ...(mac === undefined ? {} : { mac }),
      zone: zoneName,
      ...(role === undefined ? {} : { role }),
      critical: critical?.kind === 'scalar' && critical.value === true,
      loc: keyLoc,
    });
  }
  return assets;
}
