// Client of nft-worker.js: starts it inside a network namespace and sends it
// nft work, one request at a time. Requests → timings (ms). Shell.

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PicketError } from '../cli/errors.js';
import type { Timing, WorkerReply, WorkerRequest } from './nft-worker.js';
import type { BenchFlow } from './synthetic-policy.js';

export type { Timing } from './nft-worker.js';

/** nft work done by Picket's driver inside one network namespace. */
export interface NftInNetns {
  /** Runs nft text (or a file of it) as one transaction; resolves to its timing. */
  run(input: { text: string } | { file: string }): Promise<Timing>;
  /**
   * Runs each command as its own transaction until `budgetMs` is spent; resolves to
   * each one's timing (for `spawn`, CPU leaves out the `nft` child's own).
   */
  elements(backend: 'ffi' | 'spawn', commands: readonly string[], budgetMs: number): Promise<Timing[]>;
  /** Times `repeats` of Picket's whole apply (render, carry-over reads, commit, verify, save) of the synthetic policy. */
  picketApply(pairs: number, flow: BenchFlow, repeats: number): Promise<Timing[]>;
  /** `nft -j list …` through the driver. */
  listJson(what: string): Promise<unknown>;
  /** Ends the worker. */
  close(): Promise<void>;
}

/** The worker reported an nft failure. */
export class BenchNftError extends PicketError {
  constructor(message: string) {
    super('bench-nft', `benchmark nft worker: ${message}`);
  }
}

const workerPath = fileURLToPath(new URL('./nft-worker.js', import.meta.url));

/** Starts the worker in namespace `ns` with this Node binary. */
export function startNftInNetns(ns: string): NftInNetns {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, workerPath],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const replies = createInterface({ input: child.stdout });
  const waiting: ((reply: WorkerReply) => void)[] = [];
  replies.on('line', (line) => waiting.shift()?.(JSON.parse(line) as WorkerReply));
  let exited = false;
  child.on('exit', () => {
    exited = true;
    for (const w of waiting.splice(0)) w({ ok: false, error: 'worker exited' });
  });

  const ask = (req: WorkerRequest): Promise<WorkerReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new BenchNftError('worker exited'));
      waiting.push((reply) => (reply.ok ? resolve(reply) : reject(new BenchNftError(reply.error))));
      child.stdin.write(`${JSON.stringify(req)}\n`);
    });

  return {
    run: async (input) =>
      (await ask({ op: 'run', ...input })).timing ?? { wallMs: Number.NaN, cpuMs: Number.NaN },
    elements: async (backend, commands, budgetMs) => [
      ...((await ask({ op: 'elements', backend, commands, budgetMs })).samples ?? []),
    ],
    picketApply: async (pairs, flow, repeats) => [
      ...((await ask({ op: 'apply', pairs, flow, repeats })).samples ?? []),
    ],
    listJson: async (what) => (await ask({ op: 'list', what })).json,
    close: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}
