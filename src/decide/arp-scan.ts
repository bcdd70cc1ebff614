// ARP-scan detector: ARP requests from one MAC for at least N distinct target
// addresses within a sliding window (nmap -sn, arp-scan). The sender's IP is
// contained when it is really the sender's (not an asset's address claimed by
// another MAC, which would cut off the victim); otherwise it is alerted.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import type { DecideContext } from './context.js';
import type { Action } from './decision.js';
import { observeFanOut } from './fan-out.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { claimOf } from './identity.js';
import { lruDelete, lruGet, lruSet } from './lru.js';
import { type Containment, contain } from './respond.js';
import type { DecideState } from './state.js';

const PRODUCER = 'detector:arp-scan';
const ARP_REQUEST = 1;

/** Counts an ARP request towards its sender's targets and detects a sweep at the threshold. */
export function detectArpScan(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const arp = event.arp;
  if (arp === undefined || arp.op !== ARP_REQUEST || arp.targetIp === arp.senderIp) return;
  const mac = arp.senderMac;
  const key = foldKey('arp-scan', mac, undefined);
  if (foldRepeat(state, key, nowMs, out)) return;

  const t = ctx.thresholds;
  let fan = lruGet(state.arpScans, mac);
  if (fan === undefined) {
    fan = { hosts: new Map(), ports: new Map(), evidence: event.summary };
    lruSet(state.arpScans, mac, fan);
  }
  const targets = observeFanOut(fan.hosts, arp.targetIp, nowMs, t.arpWindowMs, t.arpTargets);
  if (targets < t.arpTargets) return;

  lruDelete(state.arpScans, mac);
  const sighting = { kind: 'arp-scan', evidence: fan.evidence, action: 'alerted' } as const;
  if (!admit(state, ctx.node, sighting, nowMs, t, out)) return;
  const { ip } = claimOf(event);
  const reason = `${mac}${ip === undefined ? '' : ` (${ip})`} asked for ${targets} distinct addresses within ${Math.round(t.arpWindowMs / 1000)} s (an ARP sweep)`;
  const id = detectionId(ctx.node, 'arp-scan', mac, undefined, nowMs);
  const owner = ip === undefined ? undefined : ctx.assetsByIp.get(ip);
  const ownIp = ip !== undefined && (owner?.mac === undefined || owner.mac === mac);
  const c: Containment = ownIp
    ? contain(state, ctx, { address: ip, detectionId: id, reason, producer: PRODUCER }, nowMs, out)
    : { taken: ctx.mode === 'monitor' ? 'would-block' : 'alerted', never: false };
  openDetection(
    state,
    ctx.node,
    key,
    {
      id,
      kind: 'arp-scan',
      severity: c.never ? 'critical' : 'high',
      source: mac,
      target: undefined,
      evidence: fan.evidence,
      producer: PRODUCER,
      action: c.taken,
      reason: ownIp ? reason : `${reason}; its sender address is not its own, so nothing is quarantined`,
    },
    nowMs,
    t,
    out,
  );
}
