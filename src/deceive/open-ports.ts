// Loads the decoy namespace's port filter (see plan/open-ports.ts) into the
// decoy server's network namespace with `nsenter … nft -f -`, one atomic
// transaction per change of the decoys. Decoys → kernel. Driver.

import { spawnSync } from 'node:child_process';
import { PicketError } from '../cli/errors.js';
import { type DecoyPorts, openPortsRuleset } from './plan/open-ports.js';

/** The decoy namespace's port filter could not be loaded. */
export class DecoyPortsError extends PicketError {
  constructor(stderr: string) {
    super(
      'decoy-ports',
      `loading the decoy namespace's port filter failed: ${stderr.trim() || 'no output'}`,
      {
        hint: 'run as root with nft and nsenter installed (scripts/setup)',
      },
    );
  }
}

/** Makes the namespace of process `pid` answer only on `decoys`' own ports. */
export function writeOpenPorts(pid: number, decoys: readonly DecoyPorts[]): void {
  const r = spawnSync('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], {
    encoding: 'utf8',
    input: openPortsRuleset(decoys),
  });
  if (r.status !== 0) throw new DecoyPortsError(`${r.stderr ?? ''}${r.error?.message ?? ''}`);
}
