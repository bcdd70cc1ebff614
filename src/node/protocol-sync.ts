// Keeps the NFQUEUE enforcer in step with the policy in force: bound when the
// ruleset has protocol rules, rebound when they change, closed when they go.
// While it rebinds, each queued flow follows its declared failure mode in the
// kernel (fail-open queues bypass, fail-closed ones drop).
// InForce → a bound enforcer. Shell.

import type { ProtocolJudgementFinding } from '../decide/protocol-judge.js';
import type { InForce } from './enforcer.js';
import type { Logger } from './log.js';
import type { ProtocolPort, StartProtocol } from './ports.js';

/** The enforcer's handle in the daemon. */
export interface ProtocolSync {
  /** Binds, rebinds or closes for the ruleset now in force. */
  sync(inForce: InForce, nowMs: number): void;
  /** Verdicts so far; undefined while nothing is bound. */
  verdicts(): { readonly accept: number; readonly drop: number } | undefined;
  close(): Promise<void>;
}

/** Creates the sync; `start` absent means protocol enforcement is not wired here. */
export function createProtocolSync(deps: {
  readonly start?: StartProtocol;
  readonly onFinding: (finding: ProtocolJudgementFinding) => void;
  readonly onError: (error: Error) => void;
  readonly log: Logger;
}): ProtocolSync {
  let boundHash: string | undefined;
  let bound: ProtocolPort | undefined;
  // Binds and closes run one after another, never interleaved.
  let chain: Promise<void> = Promise.resolve();
  return {
    sync({ policy, ruleset }, nowMs) {
      const start = deps.start;
      if (!start) return;
      const wanted = (ruleset.queues?.length ?? 0) > 0;
      if ((wanted && boundHash === ruleset.hash) || (!wanted && boundHash === undefined)) return;
      boundHash = wanted ? ruleset.hash : undefined;
      chain = chain.then(async () => {
        try {
          await bound?.close();
          bound = undefined;
          if (!wanted) return;
          bound = await start(policy, deps.onFinding, nowMs);
          deps.log.info('protocol enforcement bound', { queues: ruleset.queues?.length ?? 0 });
        } catch (error) {
          boundHash = undefined;
          deps.onError(error as Error);
        }
      });
    },
    verdicts: () => bound?.verdicts(),
    async close() {
      await chain;
      await bound?.close();
      bound = undefined;
    },
  };
}
