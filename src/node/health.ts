// The node's health as the JSON /health serves: ok while the policy it was
// given is in force, intake runs and the kernel matches the journal; degraded
// (with the reason) otherwise — the kernel keeps enforcing the last good
// ruleset either way. NodeStatus → Health. Pure.

import type { IntakeCounters } from './metrics.js';

/** The daemon's view of itself, as the health check needs it. */
export interface NodeStatus {
  readonly node: string;
  readonly mode: string;
  readonly startedAtMs: number;
  /** Hash of the ruleset in force (the last good one). */
  readonly policyHash?: string;
  readonly lastApply?: {
    readonly atMs: number;
    readonly ok: boolean;
    readonly hash?: string;
    readonly durationMs?: number;
  };
  /** The last control-plane error (bad policy, kernel refusal), until a good apply clears it. */
  readonly lastError?: { readonly atMs: number; readonly code: string; readonly message: string };
  readonly intake?: IntakeCounters & { readonly running: boolean; readonly kind: string };
  readonly lastReconcile?: { readonly atMs: number; readonly drift: number };
  readonly eventsDropped: number;
}

/** The /health document. */
export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly reasons: readonly string[];
  readonly node: string;
  readonly mode: string;
  readonly policyHash: string | null;
  readonly lastApply: {
    readonly at: string;
    readonly ok: boolean;
    readonly hash: string | null;
    readonly durationMs: number | null;
  } | null;
  readonly lastError: { readonly at: string; readonly code: string; readonly message: string } | null;
  readonly intake: NodeStatus['intake'] | null;
  readonly lastReconcile: { readonly at: string; readonly drift: number } | null;
  readonly uptimeSeconds: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Judges the status at `nowMs`. */
export function healthOf(s: NodeStatus, nowMs: number): Health {
  const reasons: string[] = [];
  if (s.policyHash === undefined) reasons.push('no policy in force');
  if (s.lastApply && !s.lastApply.ok)
    reasons.push('the last policy was refused; the last good one is in force');
  else if (s.lastError) reasons.push(`last error: ${s.lastError.code}`);
  if (s.intake && !s.intake.running) reasons.push(`${s.intake.kind} intake is not running`);
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    reasons,
    node: s.node,
    mode: s.mode,
    policyHash: s.policyHash ?? null,
    lastApply: s.lastApply
      ? {
          at: iso(s.lastApply.atMs),
          ok: s.lastApply.ok,
          hash: s.lastApply.hash ?? null,
          durationMs: s.lastApply.durationMs ?? null,
        }
      : null,
    lastError: s.lastError
      ? { at: iso(s.lastError.atMs), code: s.lastError.code, message: s.lastError.message }
      : null,
    intake: s.intake ?? null,
    lastReconcile: s.lastReconcile ? { at: iso(s.lastReconcile.atMs), drift: s.lastReconcile.drift } : null,
    uptimeSeconds: Math.max(0, Math.round((nowMs - s.startedAtMs) / 1000)),
  };
}
