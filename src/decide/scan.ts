// Scan detector: one source reaching at least N distinct hosts (a sweep) or M
// distinct ports (a port scan) within a sliding window. Counts out-of-profile and
// quarantined traffic, and in sensor mode only connection attempts (bare TCP SYN,
// UDP, ICMP), so replies and established flows never look like fan-out.
// (state, event, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import { type DecideContext, describeAddress } from './context.js';
import type { Action } from './decision.js';
import { observeFanOut } from './fan-out.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { lruDelete, lruGet, lruSet } from './lru.js';
import { contain } from './respond.js';
import type { DecideState } from './state.js';

const PRODUCER = 'detector:scan';

/** Counts the event towards its source's fan-out and detects a scan at the threshold. */
export function detectScan(
  state: DecideState,
  ctx: DecideContext,
  event: PacketEvent,
  nowMs: number,
  out: Action[],
): void {
  const { srcIp: source, dstIp } = event;
  if (source === undefined || dstIp === undefined) return;
  if (event.origin === 'capture' && event.l4 === 'tcp' && event.tcpFlags !== 'S') return;
  const key = foldKey('scan', source, undefined);
  if (foldRepeat(state, key, nowMs, out)) return;

  const t = ctx.thresholds;
  let fan = lruGet(state.scans, source);
  if (fan === undefined) {
    fan = { hosts: new Map(), ports: new Map(), evidence: event.summary };
    lruSet(state.scans, source, fan);
  }
  const hosts = observeFanOut(fan.hosts, dstIp, nowMs, t.scanWindowMs, t.scanHosts);
  const ports =
    event.dstPort === undefined
      ? fan.ports.size
      : observeFanOut(
          fan.ports,
          (event.protocol ?? 0) * 65_536 + event.dstPort,
          nowMs,
          t.scanWindowMs,
          t.scanPorts,
        );
  if (hosts < t.scanHosts && ports < t.scanPorts) return;

  lruDelete(state.scans, source);
  const sighting = { kind: 'scan', evidence: fan.evidence, action: 'alerted' } as const;
  if (!admit(state, ctx.node, sighting, nowMs, t, out)) return;
  const seconds = Math.round(t.scanWindowMs / 1000);
  const what =
    hosts >= t.scanHosts
      ? `reached ${hosts} distinct hosts within ${seconds} s (a sweep)`
      : `reached ${ports} distinct ports within ${seconds} s (a port scan)`;
  const reason = `${describeAddress(ctx, source)} ${what}`;
  const id = detectionId(ctx.node, 'scan', source, undefined, nowMs);
  const c = contain(state, ctx, { address: source, detectionId: id, reason, producer: PRODUCER }, nowMs, out);
  openDetection(
    state,
    ctx.node,
    key,
    {
      id,
      kind: 'scan',
      severity: c.never ? 'critical' : 'high',
      source,
      target: undefined,
      evidence: fan.evidence,
      producer: PRODUCER,
      action: c.taken,
      reason: c.never ? `${reason}; on the never list: alerted, never quarantined` : reason,
    },
    nowMs,
    t,
    out,
  );
}
