// The node's policy loop: read the policy file, parse, compile and apply it
// atomically with the apply module; a bad policy or a kernel refusal leaves the
// last good ruleset in force and becomes the node's last error (health shows
// it). Policy file → kernel + status. Shell (drivers passed in).

import { readFileSync } from 'node:fs';
import { applyRuleset, readEnforced } from '../apply/apply.js';
import type { Nft } from '../apply/nft.js';
import { StateLockedError, type StateStore } from '../apply/state-store.js';
import { PicketError } from '../cli/errors.js';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import type { Ruleset } from '../compile/ruleset.js';
import { hasErrors, renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';

/** The policy in force: parsed, compiled, and whether the kernel takes block-flow elements. */
export interface InForce {
  readonly policy: Policy;
  readonly ruleset: Ruleset;
  readonly blockFlowSets: boolean;
}

/** Outcome of one load-and-apply. */
export type EnforceOutcome =
  | {
      readonly ok: true;
      readonly inForce: InForce;
      /** False when the kernel already enforced this exact ruleset (a restart): nothing was replaced. */
      readonly applied: boolean;
      readonly durationMs: number;
      readonly carried: number;
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** Rendered diagnostics (file:line:col, source line, caret). */
      readonly diagnostics: readonly string[];
    };

/** Reads, parses and compiles `file`; diagnostics are rendered for the log. */
export function loadPolicy(
  file: string,
  nowMs: number,
): { policy?: Policy; ruleset?: Ruleset; errors: string[]; warnings: string[]; unreadable?: string } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    return { errors: [], warnings: [], unreadable: (error as Error).message };
  }
  const { policy, diagnostics } = parsePolicy(source, file);
  const render = (severity: string) =>
    diagnostics.filter((d) => d.severity === severity).map((d) => renderDiagnostic(d, source));
  if (!policy || hasErrors(diagnostics)) return { errors: render('error'), warnings: render('warning') };
  return { policy, ruleset: compile(policy, { nowMs }), errors: [], warnings: render('warning') };
}

/**
 * Loads `file` and puts it in force. With `enforcing` false (sensor mode) the
 * kernel is left alone: the policy only drives detection.
 */
export function enforcePolicy(
  deps: {
    readonly nft: Nft;
    readonly store: StateStore;
    readonly nowMs: number;
    readonly enforcing: boolean;
    /** Runs after a commit: the br_netfilter switches (after, so a failed apply changes nothing). */
    readonly afterApply: () => void;
  },
  file: string,
): EnforceOutcome {
  const loaded = loadPolicy(file, deps.nowMs);
  if (loaded.unreadable !== undefined) {
    return { ok: false, code: 'policy-unreadable', message: loaded.unreadable, diagnostics: [] };
  }
  if (!loaded.policy || !loaded.ruleset) {
    return {
      ok: false,
      code: 'policy-refused',
      message: `${file} has ${loaded.errors.length} error(s); the last good ruleset stays in force`,
      diagnostics: loaded.errors,
    };
  }
  const { policy, ruleset } = loaded;
  const inForce: InForce = { policy, ruleset, blockFlowSets: /\bset blockflow4\b/.test(renderNft(ruleset)) };
  const done = (applied: boolean, durationMs: number, carried: number) =>
    ({ ok: true, inForce, applied, durationMs, carried, warnings: loaded.warnings }) as const;
  if (!deps.enforcing) return done(false, 0, 0);
  try {
    if (
      readEnforced(deps.nft).hash === ruleset.hash &&
      deps.store.readCurrent()?.ruleset.hash === ruleset.hash
    ) {
      return done(false, 0, 0);
    }
    const unlock = deps.store.lock();
    try {
      const result = applyRuleset({ nft: deps.nft, store: deps.store, nowMs: deps.nowMs }, ruleset);
      deps.afterApply();
      return done(true, result.transactionMs, result.carried.length);
    } finally {
      unlock();
    }
  } catch (error) {
    if (error instanceof StateLockedError) {
      return { ok: false, code: error.code, message: error.message, diagnostics: [] };
    }
    if (error instanceof PicketError) {
      const hint = error.hint ? ` (${error.hint})` : '';
      return { ok: false, code: error.code, message: `${error.message}${hint}`, diagnostics: [] };
    }
    throw error;
  }
}
