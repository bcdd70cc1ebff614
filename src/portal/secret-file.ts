// Reads a secret (RADIUS shared secret, HTTP API bearer token) from the file
// the policy names, at each use so a rotated secret takes effect without a
// restart. Errors name the file and what to do, never the content. Driver.

import { readFile } from 'node:fs/promises';

/** The file's content without its trailing newline, or an operator-facing error message. */
export async function readSecretFile(
  path: string,
  what: string,
): Promise<{ readonly secret: string } | { readonly error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      error: `cannot read ${what} file ${path} (${code}): create it, readable by the node, or fix the path`,
    };
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) return { error: `${what} file ${path} is empty: put the ${what} in it` };
  return { secret };
}
