// `picket compile <policy.yaml>`: prints the nftables transaction the policy
// compiles to — what `apply` loads, less the quarantine carry-over — or the
// policy's diagnostics and exit 1. Exit 2 for usage or an unreadable file, like
// `check`. Reads the clock: the time windows are computed from now.
// Shell.

import { compile } from '../compile/compile.js';
import { renderNft } from '../compile/render.js';
import { hasErrors } from '../policy/diagnostic.js';
import { UsageError } from './errors.js';
import { readPolicyFile } from './policy-file.js';

const usage = 'usage: picket compile <policy.yaml>';

/** Runs `picket compile`; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [file, ...extra] = argv;
  if (file === undefined || extra.length > 0 || file.startsWith('-')) {
    throw new UsageError(
      file === undefined ? 'no policy file given' : `unexpected argument "${extra[0] ?? file}"`,
      usage,
    );
  }
  const { policy, diagnostics } = await readPolicyFile(file, usage);
  if (policy === undefined || hasErrors(diagnostics)) return 1;
  process.stdout.write(`${renderNft(compile(policy, { nowMs: Date.now() }))}\n`);
  return 0;
}
