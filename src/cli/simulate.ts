// `picket simulate <policy.yaml> <capture>… [--json] [--quiet] [--without-node]
// [--max-flows N]`: judges every packet of the captures as the node would
// under the policy (src/simulate/) and reports per rule and per source, as
// text or JSON. Exit 0 when nothing would be blocked, 1 when something would
// be blocked or quarantined, 2 for usage errors, unreadable files or a policy
// with errors (printed like `picket check`). Shell.

import { hasErrors } from '../policy/diagnostic.js';
import type { Policy } from '../policy/types.js';
import { scanCaptureFile } from '../sense/capture-scan.js';
import { decodeLinkLayer } from '../sense/decode-frame.js';
import { renderReport } from '../simulate/render-report.js';
import { simulationReport } from '../simulate/report.js';
import { beginCapture, createSimulation, type Simulation, simulateFrame } from '../simulate/simulator.js';
import { PicketError, UsageError } from './errors.js';
import { readPolicyFile } from './policy-file.js';
import { createProgress } from './progress.js';

const usage =
  'usage: picket simulate <policy.yaml> <capture.pcap|.pcapng>… [--json] [--quiet] [--without-node] [--max-flows N]';

const PROGRESS_FROM_BYTES = 32 * 1024 * 1024;

interface Args {
  readonly policy: string;
  readonly captures: readonly string[];
  readonly json: boolean;
  readonly quiet: boolean;
  readonly node: boolean;
  readonly maxFlows?: number;
}

function parseArgs(argv: readonly string[]): Args {
  const files: string[] = [];
  let json = false;
  let quiet = false;
  let node = true;
  let maxFlows: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--without-node') node = false;
    else if (a === '--max-flows') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 2) throw new UsageError('--max-flows needs a whole number ≥ 2', usage);
      maxFlows = n;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option "${a}"`, usage);
    else files.push(a);
  }
  const [policy, ...captures] = files;
  if (policy === undefined) throw new UsageError('no policy file given', usage);
  if (captures.length === 0) throw new UsageError('no capture given', usage);
  return { policy, captures, json, quiet, node, ...(maxFlows === undefined ? {} : { maxFlows }) };
}

function describe(linktype: number, bytes: Uint8Array, at: number, end: number, timeMs: number): string {
  const d = decodeLinkLayer(linktype, bytes.subarray(at, end), { timeMs, origin: 'capture' });
  return d.ok ? d.event.summary : `undecodable frame (${d.malformed})`;
}

async function readPolicy(file: string): Promise<Policy | undefined> {
  const { policy, diagnostics } = await readPolicyFile(file, usage);
  if (policy === undefined || hasErrors(diagnostics)) {
    process.stderr.write(
      `${file}: the policy has errors; fix them (picket check ${file}) and simulate again\n`,
    );
    return undefined;
  }
  return policy;
}

/** Runs `picket simulate`; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  const policy = await readPolicy(args.policy);
  if (policy === undefined) return 2;
  const progress = createProgress('simulate', { quiet: args.quiet || args.json });
  let sim: Simulation | undefined;
  const start = (timeMs: number) =>
    createSimulation(policy, timeMs, {
      node: args.node,
      describe,
      ...(args.maxFlows === undefined ? {} : { maxFlows: args.maxFlows }),
    });
  try {
    for (const [index, path] of args.captures.entries()) {
      if (sim !== undefined) beginCapture(sim, index);
      scanCaptureFile(
        path,
        (bytes, at, end, timeMs, linktype) => {
          if (sim === undefined) {
            sim = start(timeMs);
            beginCapture(sim, index);
          }
          simulateFrame(sim, linktype, bytes, at, end, timeMs);
        },
        // Only long files get a progress line.
        {
          onProgress: (p) => {
            if (p.totalBytes >= PROGRESS_FROM_BYTES)
              progress.update(p.bytesRead, p.totalBytes, `${p.path} ${p.frames} frames`);
          },
        },
      );
    }
  } catch (error) {
    progress.finish();
    if (error instanceof PicketError && error.code === 'capture-file')
      throw new UsageError(error.message, error.hint);
    throw error;
  }
  progress.finish();
  sim ??= start(0);
  const report = simulationReport(sim);
  if (args.json) process.stdout.write(`${JSON.stringify({ captures: args.captures, ...report }, null, 2)}\n`);
  else process.stdout.write(renderReport(report, args.captures));
  return report.wouldBlockAnything ? 1 : 0;
}
