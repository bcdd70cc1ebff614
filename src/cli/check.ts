// `picket check <policy.yaml>`: reads the policy, prints every diagnostic with its
// source line and a caret to stderr, then a summary. Exit 0 clean (warnings
// allowed), 1 errors, 2 usage or unreadable file. Shell.

import { readFile } from 'node:fs/promises';
import { renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import { UsageError } from './errors.js';

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
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (cause) {
    // A missing or unreadable file is the operator's argument being wrong: exit 2, like usage.
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String((cause as Error).message);
    throw new UsageError(`cannot read policy "${file}": ${reason}`, usage);
  }
  const { policy, diagnostics } = parsePolicy(source, file);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n\n`);
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
