// `picket compile <policy.yaml>`: prints the nftables transaction the policy
// compiles to (what `apply` would load, without the quarantine carry-over), or
// the policy's diagnostics and exit 1. Reads the clock for the time windows.
// Shell.

import { readFileSync } from 'node:fs';
import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import { hasErrors, renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import { PicketError, UsageError } from './errors.js';

/** The policy file could not be read. */
export class PolicyReadError extends PicketError {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super('policy-unreadable', `cannot read ${file}`, { cause, hint: 'check the path and permissions' });
    this.file = file;
  }
}

/** Runs `picket compile`; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] === undefined || argv[0].startsWith('-')) {
    throw new UsageError('usage: picket compile <policy.yaml>', 'give exactly one policy file');
  }
  const file = argv[0];
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyReadError(file, error);
  }
  const { policy, diagnostics } = parsePolicy(source, file);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n`);
  if (policy === undefined || hasErrors(diagnostics)) return 1;
  process.stdout.write(`${renderNft(compile(policy, { nowMs: Date.now() }))}\n`);
  return 0;
}
