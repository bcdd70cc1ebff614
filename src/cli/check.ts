// `picket check <policy.yaml>`: reads the policy, prints every diagnostic with its
// source line and a caret to stderr, then a summary. Exit 0 clean (warnings
// allowed), 1 errors, 2 usage or unreadable file. Shell.

import { UsageError } from './errors.js';
import { readPolicyFile } from './policy-file.js';

const usage = 'usage: picket check <policy.yaml>';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Runs `picket check`; returns the exit code. */
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
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (policy) {
    const counts = `${plural(policy.zones.length, 'zone')}, ${plural(policy.assets.length, 'asset')}, ${plural(policy.rules.length, 'rule')}`;
    process.stderr.write(
      `${file}: ok (${counts})${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}\n`,
    );
    return 0;
  }
  process.stderr.write(`${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  return 1;
}
