// `picket plan <policy.yaml> [--detailed-exitcode] [--json]`: what apply would
// change, compared with what the kernel enforces now.
// Shell.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnforced } from '../apply/apply.js';
import { createNft } from '../apply/nft.js';
import { planChanges, renderPlan } from '../apply/plan.js';
import { createStateStore } from '../apply/state-store.js';
import { compile } from '../compile/compile.js';
import type { Ruleset } from '../compile/ruleset.js';
import { hasErrors, renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import { PicketError, UsageError } from './errors.js';

/** The policy file could not be read, or has errors. */
export class PolicyRefusedError extends PicketError {
  readonly file: string;
  constructor(file: string, message: string, cause?: unknown) {
    super('policy-refused', message, {
      cause,
      hint: 'nothing was changed; fix the policy (`picket check` lists every problem) and try again',
    });
    this.file = file;
  }
}

/** Reads, parses and compiles a policy file, printing its diagnostics; throws if it has errors. */
export function loadRuleset(file: string, nowMs: number): Ruleset {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyRefusedError(file, `cannot read ${file}`, error);
  }
  const { policy, diagnostics } = parsePolicy(source, file);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (!policy || hasErrors(diagnostics)) {
    throw new PolicyRefusedError(file, `${file} has ${errors || 'unrecoverable'} error(s)`);
  }
  return compile(policy, { nowMs });
}

/** The Ruleset to diff against: the last good one if the kernel still shows it. */
export function baseline(
  enforced: ReturnType<typeof readEnforced>,
  stored: Ruleset | undefined,
): { ruleset?: Ruleset; warning?: string } {
  if (!enforced.present) {
    return stored
      ? { warning: `the kernel has no Picket tables (last applied ${stored.hash.slice(0, 12)} is gone)` }
      : {};
  }
  if (stored && enforced.hash === stored.hash) return { ruleset: stored };
  const seen = enforced.hash ? enforced.hash.slice(0, 12) : 'with no Picket hash';
  return {
    ...(stored ? { ruleset: stored } : {}),
    warning: `the kernel's table inet picket (${seen}) was changed outside Picket${
      stored ? `; comparing with the last good ruleset ${stored.hash.slice(0, 12)}` : ''
    }`,
  };
}

/** `picket plan`: prints the changes; exit 0, or 2 with --detailed-exitcode when there are changes. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { 'detailed-exitcode': { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new UsageError('usage: picket plan <policy.yaml> [--detailed-exitcode]');
  const next = loadRuleset(file, Date.now());
  const nft = createNft();
  const store = createStateStore();
  try {
    const base = baseline(readEnforced(nft), store.readCurrent()?.ruleset);
    const plan = planChanges(base.ruleset, next);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...plan, warning: base.warning }, null, 2)}\n`);
    } else {
      if (base.warning) process.stderr.write(`picket: warning: ${base.warning}\n`);
      process.stdout.write(renderPlan(plan));
    }
    return values['detailed-exitcode'] && plan.changes.length > 0 ? 2 : 0;
  } finally {
    nft.close();
    store.close();
  }
}
