// The benchmark entry point (`npm run bench -- <name>`): dispatches to one
// benchmark by name, with one top-level error handler. argv → exit code. Shell.

import { exitCodeFor, formatError, UsageError } from '../cli/errors.js';
import { runContainment } from './containment.js';
import { runDataplane } from './dataplane.js';
import { runDecoyServer } from './decoy-server.js';
import { runDecoys } from './decoys.js';
import { runIntake } from './intake.js';
import { runLearn } from './learn.js';
import { runPortal } from './portal.js';
import { runPortalBackends } from './portal-backends.js';
import { runProtocol } from './protocol.js';
import { runSimulate } from './simulate.js';

/** A benchmark: what it measures, and how to run it with the remaining arguments. */
interface Bench {
  readonly summary: string;
  readonly run: (args: readonly string[]) => Promise<void>;
}

const BENCHES: Readonly<Record<string, Bench>> = {
  dataplane: {
    summary: 'forwarding rate, TCP throughput, apply time and element latency through the node bridge',
    run: runDataplane,
  },
  intake: { summary: 'NFLOG events/s taken in by the intake, and what the kernel lost', run: runIntake },
  simulate: {
    summary: 'packets/s of picket simulate on a large synthetic capture, beside tshark -z conv,tcp',
    run: runSimulate,
  },
  protocol: {
    summary: 'protocol verdicts/s through NFQUEUE (Modbus reassembly and judge)',
    run: runProtocol,
  },
  portal: {
    summary: 'identity portal: login → first permitted packet, logins/s (HTTP API peer, slapd)',
    run: runPortal,
  },
  'portal-backends': {
    summary: 'authentications/s of the LDAP and RADIUS backends vs bare binds and radclient',
    run: runPortalBackends,
  },
  decoys: {
    summary: '1,000 decoys on one node: bring-up, memory, moving them all, touch → quarantine (IP and ARP)',
    run: runDecoys,
  },
  'decoy-server': {
    summary:
      'Modbus reads/s and scan connections/s the decoy server takes, against a fixed-reply Node server',
    run: runDecoyServer,
  },
  learn: {
    summary: 'packets/s of picket learn on a large synthetic capture, beside tshark -z conv,tcp',
    run: runLearn,
  },
  containment: {
    summary: 'first out-of-profile packet → kernel quarantine → detection in the journal',
    run: runContainment,
  },
};

function usage(): string {
  const lines = Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(12)} ${b.summary}`);
  return ['usage: npm run bench -- <name>', '', 'benchmarks:', ...lines].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (bench === undefined) {
    throw new UsageError(
      name === undefined ? 'which benchmark?' : `unknown benchmark "${name}"`,
      `one of: ${Object.keys(BENCHES).join(', ')}`,
    );
  }
  if (process.getuid?.() !== 0) throw new UsageError('benchmarks build network namespaces: run as root');
  await bench.run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${formatError(error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`${usage()}\n`);
  process.exitCode = exitCodeFor(error);
});
