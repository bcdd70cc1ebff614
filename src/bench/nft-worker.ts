// A process that holds Picket's nft driver inside the node's network namespace
// (the driver acts on the namespace its process is in) and times what it runs.
// Started by nft-in-netns.ts as `ip netns exec <ns> node nft-worker.js`.
// JSON requests on stdin, one per line → JSON replies on stdout. Shell.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createNft, type Nft } from '../apply/nft.js';

/** One request to the worker. */
export type WorkerRequest =
  | { readonly op: 'run'; readonly text?: string; readonly file?: string }
  | {
      readonly op: 'elements';
      readonly backend: 'ffi' | 'spawn';
      readonly commands: readonly string[];
      /** Stop early once this much time has been spent (the replies say how many ran). */
      readonly budgetMs: number;
    }
  | { readonly op: 'list'; readonly what: string };

/** Wall-clock and CPU (this process's user + system, where the kernel work of a netlink send runs) ms. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The worker's reply: timings, or nft's error text. */
export type WorkerReply =
  | {
      readonly ok: true;
      readonly timing?: Timing;
      readonly samples?: readonly Timing[];
      readonly json?: unknown;
    }
  | { readonly ok: false; readonly error: string };

/** Times `work`; the CPU part excludes time this process spent preempted by others. */
function timed(work: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function handle(nft: Nft, spawnNft: Nft, req: WorkerRequest): WorkerReply {
  switch (req.op) {
    case 'run': {
      const text = req.file === undefined ? (req.text ?? '') : readFileSync(req.file, 'utf8');
      return { ok: true, timing: timed(() => nft.run(text)) };
    }
    case 'elements': {
      const driver = req.backend === 'ffi' ? nft : spawnNft;
      const samples: Timing[] = [];
      const deadline = performance.now() + req.budgetMs;
      for (const command of req.commands) {
        if (performance.now() > deadline) break;
        samples.push(timed(() => driver.run(command)));
      }
      return { ok: true, samples };
    }
    case 'list':
      return { ok: true, json: nft.listJson(req.what) };
  }
}

function main(): void {
  const nft = createNft({ backend: 'ffi' });
  const spawnNft = createNft({ backend: 'spawn' });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let reply: WorkerReply;
    try {
      reply = handle(nft, spawnNft, JSON.parse(line) as WorkerRequest);
    } catch (error) {
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
  lines.on('close', () => nft.close());
}

main();
