// Describes the machine a benchmark ran on: CPU, memory, kernel and the
// versions of the tools in the data path. Nothing → Machine. Shell.

import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { Machine } from './results.js';

function firstLine(argv: readonly string[]): string {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd ?? '', args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown'
  );
}

/** Reads the machine's description (spawns `nft`, `iperf3` and `hping3` for their versions). */
export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    kernel: `Linux ${release()}`,
    nft: firstLine(['nft', '--version']),
    node: process.version,
    iperf3: firstLine(['iperf3', '--version']),
    hping3: firstLine(['hping3', '--version']).replace(/\s*\(\$Id.*$/, ''),
  };
}
