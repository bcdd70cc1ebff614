// Enforcement section → Enforcement, every key defaulted to the safe choice:
// enforce, block unrecognized sources, quarantine out-of-profile ones for 1h,
// pass the industrial L2 protocols. Checks the never list and duration bounds. Pure.

import { parseDurationSeconds } from './clock.js';
import type { SourceLocation } from './diagnostic.js';
import { DEFAULT_L2_ALLOW, IP_ETHERTYPES, L2_PROTOCOLS, MIN_ETHERTYPE } from './l2-protocols.js';
import type { DeclaredNames } from './names.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Enforcement, EnforcementMode, OutOfProfileAction, UnrecognizedAction } from './types.js';
import { entryOf, type LocatedValue, mapAt, seqAt, stringAt, stringItems } from './yaml-source.js';

/** Quarantine bounds: shorter lets a scanner straight back in; longer outlives anyone's memory of why. */
export const MIN_QUARANTINE_SECONDS = 10;
export const MAX_QUARANTINE_SECONDS = 30 * 86_400;
const DEFAULT_QUARANTINE_SECONDS = 3_600;

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

function duration(quarantine: LocatedValue | undefined, report: Report): number {
  const text = stringAt(quarantine, 'duration');
  const node = entryOf(quarantine, 'duration')?.value;
  if (text === undefined || !node) return DEFAULT_QUARANTINE_SECONDS;
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined) {
    report.error(
      'invalid-duration',
      node.loc,
      `enforcement: quarantine duration "${text}" is not a duration`,
      'write e.g. 30s, 15m, 1h, 2d or 1h30m',
    );
    return DEFAULT_QUARANTINE_SECONDS;
  }
  if (seconds < MIN_QUARANTINE_SECONDS || seconds > MAX_QUARANTINE_SECONDS) {
    report.error(
      'duration-out-of-range',
      node.loc,
      `enforcement: quarantine duration "${text}" is outside 10s..30d`,
      seconds < MIN_QUARANTINE_SECONDS ? 'use at least 10s' : 'use at most 30d',
    );
  }
  return seconds;
}

function never(quarantine: LocatedValue | undefined, names: DeclaredNames, report: Report): string[] {
  const out: string[] = [];
  for (const { value: name, loc } of stringItems(seqAt(quarantine, 'never'))) {
    if (names.assets.has(name)) {
      if (out.includes(name))
        report.warn('duplicate-entry', loc, `enforcement: "${name}" is listed twice in never`);
      else out.push(name);
      continue;
    }
    const kind = names.groups.has(name) ? 'group' : names.zones.has(name) ? 'zone' : undefined;
    if (kind) {
      report.error(
        'never-not-asset',
        loc,
        `enforcement: quarantine never lists ${kind} "${name}", not an asset`,
        'list each safety-critical asset by name, so none is exempt by accident',
      );
    } else {
      report.error(
        'unknown-asset',
        loc,
        `enforcement: quarantine never lists unknown asset "${name}"`,
        didYouMean(name, names.assets.keys()),
      );
    }
  }
  return out;
}

function etherType(item: LocatedValue, report: Report): number | undefined {
  if (item.kind !== 'scalar') return undefined;
  const { value } = item;
  let type: number | undefined;
  if (typeof value === 'number') type = value;
  else if (typeof value === 'string' && /^0x[0-9a-f]{1,4}$/i.test(value)) type = Number.parseInt(value, 16);
  else if (typeof value === 'string') {
    type = L2_PROTOCOLS[value.toLowerCase()];
    if (type === undefined) {
      report.error(
        'unknown-l2-protocol',
        item.loc,
        `enforcement: l2 protocol "${value}" is not known`,
        didYouMean(value, Object.keys(L2_PROTOCOLS)) ??
          'name one of the known protocols or give the EtherType, e.g. 0x88b8',
      );
      return undefined;
    }
  }
  if (type === undefined) return undefined;
  const hex = `0x${type.toString(16).padStart(4, '0')}`;
  if (!Number.isInteger(type) || type < MIN_ETHERTYPE || type > 0xffff) {
    report.error(
      'invalid-ethertype',
      item.loc,
      `enforcement: ${typeof value === 'number' ? hex : String(value)} is not an EtherType`,
      'EtherTypes are 0x0600-0xffff',
    );
    return undefined;
  }
  if (IP_ETHERTYPES.has(type)) {
    report.warn(
      'ip-ethertype',
      item.loc,
      `enforcement: ${hex} is IP, which the rules decide; listing it here has no effect`,
    );
    return undefined;
  }
  return type;
}

function l2(section: LocatedValue | undefined, report: Report): Enforcement['l2'] {
  const node = mapAt(section, 'l2');
  const list = seqAt(node, 'allow');
  const allow: number[] = [];
  if (!list) for (const name of DEFAULT_L2_ALLOW) allow.push(L2_PROTOCOLS[name] ?? 0);
  for (const item of list?.items ?? []) {
    const type = etherType(item, report);
    if (type === undefined) continue;
    if (allow.includes(type))
      report.warn(
        'duplicate-entry',
        item.loc,
        `enforcement: l2 ${String(item.kind === 'scalar' ? item.value : '')} is listed twice`,
      );
    else allow.push(type);
  }
  return { allow, default: pick(stringAt(node, 'default'), ['accept', 'drop'] as const, 'accept') };
}

/** Reads the enforcement section (absent means every default); `start` locates a missing section. */
export function readEnforcement(
  section: LocatedValue | undefined,
  sectionLoc: SourceLocation,
  names: DeclaredNames,
  report: Report,
): Enforcement {
  const quarantine = mapAt(section, 'quarantine');
  return {
    mode: pick<EnforcementMode>(stringAt(section, 'mode'), ['enforce', 'monitor'], 'enforce'),
    unrecognized: pick<UnrecognizedAction>(stringAt(section, 'unrecognized'), ['portal', 'block'], 'block'),
    outOfProfile: pick<OutOfProfileAction>(
      stringAt(section, 'out-of-profile'),
      ['quarantine', 'block', 'alert'],
      'quarantine',
    ),
    quarantine: { durationSeconds: duration(quarantine, report), never: never(quarantine, names, report) },
    l2: l2(section, report),
    loc: sectionLoc,
  };
}
