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

/** The worker's reply: timings in milliseconds, or nft's error text. */
export type WorkerReply =
  | {
      readonly ok: true;
      readonly ms?: number;
      readonly samplesMs?: readonly number[];
      readonly json?: unknown;
    }
  | { readonly ok: false; readonly error: string };

function handle(nft: Nft, spawnNft: Nft, req: WorkerRequest): WorkerReply {
  switch (req.op) {
    case 'run': {
      const text = req.file === undefined ? (req.text ?? '') : readFileSync(req.file, 'utf8');
      const start = performance.now();
      nft.run(text);
      return { ok: true, ms: performance.now() - start };
    }
    case 'elements': {
      const driver = req.backend === 'ffi' ? nft : spawnNft;
      const samplesMs: number[] = [];
      const deadline = performance.now() + req.budgetMs;
      for (const command of req.commands) {
        if (performance.now() > deadline) break;
        const start = performance.now();
        driver.run(command);
        samplesMs.push(performance.now() - start);
      }
      return { ok: true, samplesMs };
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
