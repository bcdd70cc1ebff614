// Protocol-violation detector: what the protocol engine (NFQUEUE, per-flow
// reassembly) concluded about a packet of a protocol-aware flow — a function or
// register the rule does not allow, or a malformed frame. Allowed findings
// produce nothing; violations are contained per the policy's out-of-profile
// action (quarantine the source, block the flow, or alert).
// (state, finding, now, context) → actions. Pure (mutates only the DecideState).

import type { PacketEvent } from '../sense/packet-event.js';
import { type DecideContext, describeAddress } from './context.js';
import type { Action, Severity } from './decision.js';
import { admit, detectionId, foldKey, foldRepeat, openDetection } from './fold.js';
import { contain } from './respond.js';
import type { DecideState } from './state.js';

/** The protocol engine's verdict on one packet of a queued flow. */
export interface ProtocolFinding {
  /** The packet (origin 'queue'). */
  readonly flow: PacketEvent;
  /** Protocol name as in the policy's services, e.g. `modbus`. */
  readonly protocol: string;
  /** What the packet does, e.g. `Modbus write to holding register 40001`. */
  readonly what: string;
  readonly allowed: boolean;
  /** The rule that decided (`policy.yaml:31 hmi-reads-plcs`) or `detector:modbus`. */
  readonly producer: string;
  /** Overrides the default severity (high; critical towards a critical asset). */
  readonly severity?: Severity;
}

/** Detects (and contains) a protocol function the policy does not allow. */
export function detectProtocolViolation(
  state: DecideState,
  ctx: DecideContext,
  finding: ProtocolFinding,
  nowMs: number,
  out: Action[],
): void {
  const { flow } = finding;
  if (finding.allowed || flow.srcIp === undefined) return;
  const source = flow.srcIp;
  const target = flow.dstIp;
  const key = foldKey('protocol-violation', source, target);
  if (foldRepeat(state, key, nowMs, out)) return;
  const sighting = { kind: 'protocol-violation', evidence: flow.summary, action: 'alerted' } as const;
  if (!admit(state, ctx.node, sighting, nowMs, ctx.thresholds, out)) return;
  const id = detectionId(ctx.node, 'protocol-violation', source, target, nowMs);
  const to = target === undefined ? '' : ` → ${describeAddress(ctx, target)}`;
  const reason = `${describeAddress(ctx, source)}${to}: ${finding.what} is not allowed (${finding.protocol})`;
  const c = contain(
    state,
    ctx,
    { address: source, flow, detectionId: id, reason, producer: finding.producer },
    nowMs,
    out,
  );
  const critical = target !== undefined && ctx.assetsByIp.get(target)?.critical === true;
  openDetection(
    state,
    ctx.node,
    key,
    {
      id,
      kind: 'protocol-violation',
      severity: c.never ? 'critical' : (finding.severity ?? (critical ? 'critical' : 'high')),
      source,
      target,
      evidence: flow.summary,
      producer: finding.producer,
      action: c.taken,
      reason: c.never ? `${reason}; on the never list: alerted, never quarantined` : reason,
    },
    nowMs,
    ctx.thresholds,
    out,
  );
}
