// Reads a policy file named on the command line, parses it, and prints every
// diagnostic with its source line and caret to stderr — what `check`,
// `compile` and `simulate` all begin with. A missing or unreadable file is the
// operator's argument being wrong: a UsageError (exit 2). Shell.

import { readFile } from 'node:fs/promises';
import { type Diagnostic, renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';
import { UsageError } from './errors.js';

/** The parsed policy (absent when it has errors) and every diagnostic, already printed. */
export async function readPolicyFile(
  file: string,
  usage: string,
): Promise<{ readonly policy?: Policy; readonly diagnostics: readonly Diagnostic[] }> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String((cause as Error).message);
    throw new UsageError(`cannot read policy "${file}": ${reason}`, usage);
  }
  const parsed = parsePolicy(source, file);
  for (const d of parsed.diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n\n`);
  return parsed;
}
