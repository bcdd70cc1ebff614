// Out-of-profile detector: a packet no rule allows, which the kernel already
// acted on (the NFLOG prefix says how: quarantine, block, alert, would-block, or
// an L2 frame dropped). Records what the kernel did, and makes a kernel-side
// quarantine durable by emitting it for the journal.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import { type DecideContext, describeAddress } from './context.js';
import type { Action, ActionTaken, Severity } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { quarantine } from './respond.js';
import type { DecideState } from './state.js';

/** What the kernel did per NFLOG origin, and the comment of the rule that did it. */
const KERNEL: Readonly<Record<string, { readonly taken: ActionTaken; readonly rule: string }>> = {
  quarantine: { taken: 'quarantined', rule: 'out-of-profile: quarantine' },
  block: { taken: 'blocked', rule: 'out-of-profile: block' },
  alert: { taken: 'alerted', rule: 'out-of-profile: alert' },
  'would-block': { taken: 'would-block', rule: 'monitor: out of profile' },
  l2: { taken: 'blocked', rule: 'l2 default drop' },
};

const SAID: Readonly<Record<ActionTaken, string>> = {
  quarantined: 'the kernel dropped it and quarantined the source',
  'already-quarantined': 'the source was already in quarantine',
  blocked: 'the kernel dropped it',
  alerted: 'the kernel let it through and raised an alert',
  'would-block': 'monitor mode: enforcement would have dropped it',
};

/** Records an out-of-profile packet the kernel logged. */
export function detectOutOfProfile(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const kernel = KERNEL[event.origin];
  if (kernel === undefined) return;
  const source = event.srcIp ?? event.srcMac ?? 'unknown';
  const target = event.dstIp ?? (event.etherType === undefined ? undefined : etherTypeText(event.etherType));
  const key = foldKey('out-of-profile', source, target);
  if (foldRepeat(state, key, nowMs, out)) return;
  const sighting = { kind: 'out-of-profile', evidence: event.summary, action: kernel.taken } as const;
  if (!admit(state, ctx.node, sighting, nowMs, ctx.thresholds, out)) return;

  const never = event.origin === 'alert' && ctx.never.has(source);
  const rule = never ? 'never list: alert, never quarantine' : kernel.rule;
  const producer = `${ctx.enforcementCite} ${rule}`;
  const id = detectionId(ctx.node, 'out-of-profile', source, target, nowMs);
  const reason = `${flowText(ctx, event, source, target)}: no rule allows it; ${never ? 'the source is on the never list: dropped, never quarantined' : SAID[kernel.taken]}`;
  if (kernel.taken === 'quarantined') {
    quarantine(state, ctx, { address: source, detectionId: id, reason, producer }, nowMs, out, true);
  }
  openDetection(
    state,
    ctx.node,
    key,
    {
      id,
      kind: 'out-of-profile',
      severity: never ? 'critical' : severityOf(ctx, event),
      source,
      target,
      evidence: event.summary,
      producer,
      action: kernel.taken,
      reason,
    },
    nowMs,
    ctx.thresholds,
    out,
  );
}

function severityOf(ctx: DecideContext, event: PacketEvent): Severity {
  const target = event.dstIp === undefined ? undefined : ctx.assetsByIp.get(event.dstIp);
  return target?.critical ? 'high' : 'medium';
}

function flowText(
  ctx: DecideContext,
  event: PacketEvent,
  source: string,
  target: string | undefined,
): string {
  const service =
    event.dstPort !== undefined ? ` ${event.l4 ?? 'ip'}/${event.dstPort}` : event.l4 ? ` ${event.l4}` : '';
  const to = target === undefined ? '' : ` → ${event.dstIp ? describeAddress(ctx, target) : target}`;
  return `${describeAddress(ctx, source)}${to}${service}`;
}

function etherTypeText(etherType: number): string {
  return `ethertype 0x${etherType.toString(16).padStart(4, '0')}`;
}
