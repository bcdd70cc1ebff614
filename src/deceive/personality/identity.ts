// Draws a decoy's identity from the profile tables: deterministic from
// (site seed, profile, index), so a site's decoys keep their identity across
// restarts while no two sites share one, and nothing is a fixed fingerprint.
// (profile, seed, index) → DecoyIdentity. Pure.

import { FACILITIES, PLACES, PROFILE_TABLES } from './profiles.js';
import { type Draw, fillPattern, hash32, seededDraw } from './seeded.js';
import type { DecoyIdentity, DecoyProfile } from './types.js';

/** The plant name every decoy of a site reports. */
export function plantNameOf(siteSeed: string): string {
  const draw = seededDraw(`${siteSeed}/plant`);
  return `${draw.pick(PLACES)} ${fillPattern(draw.pick(FACILITIES), draw)}`;
}

/**
 * A MAC under `oui` whose low 24 bits step by an odd constant per index, so
 * decoys of one site, profile and OUI never share one (for indexes below
 * 2^24); other profiles start from another hashed point.
 */
function macOf(oui: string, profile: DecoyProfile, siteSeed: string, index: number): string {
  const low =
    (hash32(`${siteSeed}/mac/${oui}/${profile}`) + Math.imul(index, 0x9e3779) * 2 + index) & 0xffffff;
  const hex = (oui + low.toString(16).padStart(6, '0')).toLowerCase();
  return hex.match(/../g)?.join(':') ?? hex;
}

function drawFields(
  draw: Draw,
  choices: Readonly<Record<string, readonly (string | number)[]>>,
  ranges: Readonly<Record<string, readonly [number, number]>>,
): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  for (const [name, list] of Object.entries(choices)) {
    const value = draw.pick(list);
    fields[name] = typeof value === 'string' ? fillPattern(value, draw) : value;
  }
  for (const [name, [min, max]] of Object.entries(ranges)) fields[name] = draw.int(min, max);
  return fields;
}

/** The identity of decoy number `index` of `profile` at the site seeded `siteSeed`. */
export function drawIdentity(profile: DecoyProfile, siteSeed: string, index: number): DecoyIdentity {
  const table = PROFILE_TABLES[profile];
  const draw = seededDraw(`${siteSeed}/${profile}/${index}`);
  const variant = draw.pick(table.variants);
  const oui = draw.pick(variant.ouis);
  return {
    profile,
    vendor: variant.vendor,
    model: variant.model,
    serial: fillPattern(draw.pick(table.serials), draw),
    firmware: draw.pick(variant.firmwares),
    plantName: plantNameOf(siteSeed),
    hostname: fillPattern(draw.pick(table.hostnames), draw),
    mac: macOf(oui, profile, siteSeed, index),
    fields: { ...variant.fields, ...drawFields(draw, table.choices, table.ranges) },
  };
}
