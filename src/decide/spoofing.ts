// Spoofing detector: an asset's IP claimed by a MAC other than the one the
// policy gives it — in ARP (poisoning) or in an IP packet's Ethernet source
// (routers' MACs excepted: routed frames carry other hosts' addresses). Always
// critical; alerted, never quarantined by address, because the address is the
// victim's.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import type { DecideContext } from './context.js';
import type { Action } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { claimOf } from './identity.js';
import type { DecideState } from './state.js';

const PRODUCER = 'detector:spoofing';

/** Detects an asset's address claimed from the wrong MAC. */
export function detectSpoofing(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const { ip, mac } = claimOf(event);
  if (ip === undefined || mac === undefined) return;
  const asset = ctx.assetsByIp.get(ip);
  if (asset?.mac === undefined || asset.mac === mac) return;
  if (event.arp === undefined && ctx.routerMacs.has(mac)) return;
  const key = foldKey('spoofing', mac, ip);
  if (foldRepeat(state, key, nowMs, out)) return;
  const sighting = { kind: 'spoofing', evidence: event.summary, action: 'alerted' } as const;
  if (!admit(state, ctx.node, sighting, nowMs, ctx.thresholds, out)) return;
  const owner = ctx.assetsByMac.get(mac);
  const via = event.arp === undefined ? 'sent IP from' : 'claimed in ARP by';
  openDetection(
    state,
    ctx.node,
    key,
    {
      id: detectionId(ctx.node, 'spoofing', mac, ip, nowMs),
      kind: 'spoofing',
      severity: 'critical',
      source: mac,
      target: ip,
      evidence: event.summary,
      producer: PRODUCER,
      action: 'alerted',
      reason: `${ip} (${asset.name}) ${via} ${mac}${owner ? ` (${owner.name}'s MAC)` : ''}, but the policy gives it ${asset.mac}: address spoofing or ARP poisoning`,
    },
    nowMs,
    ctx.thresholds,
    out,
  );
}
