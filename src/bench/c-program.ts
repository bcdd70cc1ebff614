// Builds one of the benchmarks' small C programs (src/bench/<name>.c: packet
// senders and clients that must outrun Node) with the system's cc into `dir`.
// Source name + directory → path of the binary. Shell.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PicketError } from '../cli/errors.js';

const benchDir = fileURLToPath(new URL('../../src/bench/', import.meta.url));

/** A benchmark's C program did not compile. */
export class BenchBuildError extends PicketError {
  constructor(name: string, stderr: string) {
    super('bench-build', `cannot build src/bench/${name}.c: ${stderr.trim() || 'cc failed'}`, {
      hint: 'install a C compiler (Debian: apt-get install gcc; scripts/setup does)',
    });
  }
}

/** Compiles src/bench/`name`.c with -O2 to `dir`/`name`; returns the binary's path. */
export function buildCProgram(name: string, dir: string): string {
  const binary = join(dir, name);
  const cc = spawnSync('cc', ['-O2', '-o', binary, join(benchDir, `${name}.c`)], { encoding: 'utf8' });
  if (cc.status !== 0) throw new BenchBuildError(name, `${cc.stderr ?? ''}${cc.error?.message ?? ''}`);
  return binary;
}
