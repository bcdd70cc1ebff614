// `picket schema`: prints the policy JSON Schema to stdout, for editors. Shell.

import { policySchema } from '../policy/schema.js';
import { UsageError } from './errors.js';

/** Runs `picket schema`; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}"`, 'usage: picket schema');
  process.stdout.write(`${JSON.stringify(policySchema, null, 2)}\n`);
  return 0;
}
