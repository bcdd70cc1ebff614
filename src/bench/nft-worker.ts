// A process that holds Picket's nft driver inside the node's network namespace
// (the driver acts on the namespace its process is in) and times what it runs.
// Started by nft-in-netns.ts as `ip netns exec <ns> node nft-worker.js`.
// JSON requests on stdin, one per line → JSON replies on stdout. Shell.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { applyRuleset } from '../apply/apply.js';
import { createNft, type Nft } from '../apply/nft.js';
import { createStateStore } from '../apply/state-store.js';
import { compile } from '../compile/compile.js';
import { type BenchFlow, syntheticPolicy } from './synthetic-policy.js';

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
  | { readonly op: 'list'; readonly what: string }
  /** `repeats` runs of Picket's whole apply of the synthetic policy (`pairs`, `flow`), as `picket apply` does it. */
  | { readonly op: 'apply'; readonly pairs: number; readonly flow: BenchFlow; readonly repeats: number };

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
    case 'apply': {
      // Compiled once, untimed (compile time is reported on its own); each repeat then renders,
      // reads what it carries over, commits, verifies the table comment and saves the last good
      // ruleset to a state directory of its own, as `picket apply` does.
      const ruleset = compile(syntheticPolicy(req.pairs, req.flow), { nowMs: Date.now() });
      const dir = mkdtempSync(join(tmpdir(), 'picket-bench-state-'));
      try {
        const store = createStateStore(dir);
        const samples: Timing[] = [];
        for (let i = 0; i < req.repeats; i++) {
          samples.push(timed(() => applyRuleset({ nft, store, nowMs: Date.now() }, ruleset)));
        }
        return { ok: true, samples };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
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
