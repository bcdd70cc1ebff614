// Unknown-device detector: a sender seen on the wire whose IP and MAC are both
// absent from the inventory (an asset without a declared MAC is known by its IP;
// a known MAC on a new address, e.g. IPv6 link-local, is a known device).
// Records what already happened to it; containment is the kernel's
// out-of-profile path (and, later, the identity portal).
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import type { DecideContext } from './context.js';
import type { Action, ActionTaken } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { claimOf } from './identity.js';
import type { DecideState } from './state.js';

const PRODUCER = 'detector:unknown-device';

const TAKEN: Readonly<Record<PacketEvent['origin'], ActionTaken>> = {
  quarantine: 'quarantined',
  block: 'blocked',
  l2: 'blocked',
  alert: 'alerted',
  'would-block': 'would-block',
  quarantined: 'already-quarantined',
  queue: 'alerted',
  capture: 'alerted',
  decoy: 'quarantined',
  'decoy-claim': 'alerted',
  'decoy-note': 'quarantined',
};

/** Detects a sender the inventory does not know. */
export function detectUnknownDevice(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const { ip, mac } = claimOf(event);
  if (ip === undefined && mac === undefined) return;
  if (ip !== undefined && ctx.assetsByIp.has(ip)) return;
  if (mac !== undefined && ctx.assetsByMac.has(mac)) return;
  const source = ip ?? (mac as string);
  const key = foldKey('unknown-device', source, undefined);
  if (foldRepeat(state, key, nowMs, out)) return;
  const sighting = { kind: 'unknown-device', evidence: event.summary, action: TAKEN[event.origin] } as const;
  if (!admit(state, ctx.node, sighting, nowMs, ctx.thresholds, out)) return;
  const who = ip !== undefined && mac !== undefined ? `${ip} (MAC ${mac})` : source;
  openDetection(
    state,
    ctx.node,
    key,
    {
      id: detectionId(ctx.node, 'unknown-device', source, undefined, nowMs),
      kind: 'unknown-device',
      severity: 'medium',
      source,
      target: undefined,
      evidence: event.summary,
      producer: PRODUCER,
      action: TAKEN[event.origin],
      reason: `${who} is not in the inventory: no asset has this address${mac === undefined ? '' : ' or MAC'}`,
    },
    nowMs,
    ctx.thresholds,
    out,
  );
}
