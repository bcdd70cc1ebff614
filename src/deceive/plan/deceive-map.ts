// Which decoy answers for which real asset when `deceive: true`: a quarantined
// source's new connections to an asset go to a decoy of the asset's zone, of a
// kind that fits the asset's role where there is one (a PLC's attacker meets a
// PLC), chosen stably by the asset's name. (assets, decoys) → asset ip → decoy ip. Pure.

import { createHash } from 'node:crypto';
import type { Asset } from '../../policy/types.js';
import type { PlacedDecoy } from './placement.js';

/** Profiles that look like each kind of role; roles are free-form, matched by substring. */
const FITTING: readonly { readonly role: RegExp; readonly profiles: readonly string[] }[] = [
  { role: /plc|controller|cpu/i, profiles: ['s7-300', 'modicon-m340', 'controllogix'] },
  { role: /rtu|outstation|substation/i, profiles: ['iec104-rtu', 'dnp3-outstation'] },
  { role: /hmi|engineer|workstation|scada|historian/i, profiles: ['engineering-workstation'] },
  { role: /bms|bacnet|building|hvac/i, profiles: ['bacnet-controller'] },
];

function stableIndex(key: string, n: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % n;
}

/** Pairs [asset address, decoy address] for every IPv4 asset, when there are decoys. */
export function deceiveMap(
  assets: readonly Pick<Asset, 'name' | 'ip' | 'family' | 'zone' | 'role'>[],
  decoys: readonly PlacedDecoy[],
): [string, string][] {
  if (decoys.length === 0) return [];
  const out: [string, string][] = [];
  for (const asset of assets) {
    if (asset.family !== 4) continue;
    const sameZone = decoys.filter((d) => d.zone === asset.zone);
    const pool = sameZone.length > 0 ? sameZone : decoys;
    const fitting = FITTING.find((f) => asset.role !== undefined && f.role.test(asset.role))?.profiles ?? [];
    const fit = pool.filter((d) => fitting.includes(d.profile));
    const choices = fit.length > 0 ? fit : pool;
    const decoy = choices[stableIndex(asset.name, choices.length)];
    if (decoy) out.push([asset.ip, decoy.ip]);
  }
  return out;
}
