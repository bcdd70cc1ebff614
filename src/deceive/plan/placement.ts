// Placement plan: which address each decoy of the policy takes in its zone —
// one no asset of the policy uses, none seen on the wire, none another decoy
// holds, and (when moving) not the one it held before; identities and MACs
// drawn per (seed, epoch). Deterministic: the same inputs give the same plan,
// and one more taken address moves only the decoy that sat there.
// (seed, epoch, zones, placements, taken) → PlacedDecoy[]. Pure.

import type { DecoyPlacement, Zone } from '../../policy/types.js';
import { type DecoyIdentity, type DecoyProfile, drawIdentity } from '../personality/index.js';
import { addressAt, addressSpaceOf, hashedOffset, ipv4Text, looksLikeDevice } from './addresses.js';

/** One decoy the policy asks for: its stable id, zone, profile and ordinal. */
export interface DecoySlot {
  /** `zone/profile/n`: stable across moves, so the journal can follow a decoy. */
  readonly id: string;
  readonly zone: string;
  readonly profile: DecoyProfile;
  /** Ordinal among all the policy's decoys. */
  readonly ordinal: number;
}

/** A decoy with its address and the identity it shows this epoch. */
export interface PlacedDecoy extends DecoySlot {
  readonly ip: string;
  readonly identity: DecoyIdentity;
}

/** What the planner works from. */
export interface PlacementInput {
  /** Per-installation seed. */
  readonly seed: string;
  /** Rotation epoch (0 without rotation): a new epoch gives new addresses and identities. */
  readonly epoch: number;
  readonly zones: readonly Pick<Zone, 'name' | 'networks'>[];
  readonly place: readonly Pick<DecoyPlacement, 'zone' | 'profile' | 'count'>[];
  /** Addresses no decoy may take: the policy's assets, what was seen on the wire, addresses yielded to a real device. */
  readonly taken: ReadonlySet<string>;
  /** Addresses to avoid if any other is free: where the decoys sat before a move. */
  readonly avoid?: ReadonlySet<string>;
}

/** The plan: placed decoys, and those that found no free address. */
export interface Placement {
  readonly decoys: readonly PlacedDecoy[];
  readonly unplaced: readonly DecoySlot[];
}

/** Identities per epoch: 8192 decoys per epoch and 2048 epochs before indexes repeat (MACs stay below 2^24). */
const ORDINALS_PER_EPOCH = 8192;
const EPOCH_CYCLE = 2048;
const HASHED_ATTEMPTS = 32;

/** The decoys a policy asks for, in policy order. */
export function decoySlots(place: PlacementInput['place']): DecoySlot[] {
  const out: DecoySlot[] = [];
  const perKind = new Map<string, number>();
  for (const p of place) {
    for (let k = 0; k < p.count; k++) {
      const kind = `${p.zone}/${p.profile}`;
      const n = perKind.get(kind) ?? 0;
      perKind.set(kind, n + 1);
      out.push({ id: `${kind}/${n}`, zone: p.zone, profile: p.profile as DecoyProfile, ordinal: out.length });
    }
  }
  return out;
}

/** The identity of a decoy in an epoch: the site seed stays (one plant name), the index changes. */
export function identityFor(seed: string, epoch: number, slot: DecoySlot): DecoyIdentity {
  const cycle = ((epoch % EPOCH_CYCLE) + EPOCH_CYCLE) % EPOCH_CYCLE;
  return drawIdentity(slot.profile, seed, cycle * ORDINALS_PER_EPOCH + (slot.ordinal % ORDINALS_PER_EPOCH));
}

/** Plans where every decoy of the policy sits this epoch. */
export function planPlacement(input: PlacementInput): Placement {
  const decoys: PlacedDecoy[] = [];
  const unplaced: DecoySlot[] = [];
  const chosen = new Set<string>();
  const free = (ip: string, avoid: boolean) =>
    !input.taken.has(ip) && !chosen.has(ip) && !(avoid && input.avoid?.has(ip));
  for (const slot of decoySlots(input.place)) {
    const zone = input.zones.find((z) => z.name === slot.zone);
    const space = addressSpaceOf(zone?.networks ?? []);
    const ip =
      space.size === 0 ? undefined : pick(space, `${input.seed}\u0000${input.epoch}\u0000${slot.id}`, free);
    if (ip === undefined) {
      unplaced.push(slot);
      continue;
    }
    chosen.add(ip);
    decoys.push({ ...slot, ip, identity: identityFor(input.seed, input.epoch, slot) });
  }
  return { decoys, unplaced };
}

/**
 * Hashed tries first (spread over the range), then a walk from the last try,
 * first avoiding the old addresses, then not: small zones still fit.
 */
function pick(
  space: ReturnType<typeof addressSpaceOf>,
  key: string,
  free: (ip: string, avoid: boolean) => boolean,
): string | undefined {
  let offset = 0;
  for (let attempt = 0; attempt < HASHED_ATTEMPTS; attempt++) {
    offset = hashedOffset(key, attempt, space.size);
    const address = addressAt(space, offset);
    if (looksLikeDevice(space, address) && free(ipv4Text(address), true)) return ipv4Text(address);
  }
  for (const avoid of [true, false]) {
    for (let step = 1; step <= space.size; step++) {
      const address = addressAt(space, (offset + step) % space.size);
      if (looksLikeDevice(space, address) && free(ipv4Text(address), avoid)) return ipv4Text(address);
    }
  }
  return undefined;
}
