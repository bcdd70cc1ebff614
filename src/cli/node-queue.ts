// `node dist/cli/node-queue.js <policy.yaml>`: a development entry point that
// enforces a policy's protocol rules (modbus:, s7:, dnp3:) in the network
// namespace it runs in — installs the xt NFQUEUE rules the compiled ruleset
// needs (see QUEUE in compile/ruleset.ts), binds the fail-closed and fail-open
// queues, judges every queued packet, and prints one JSON line per finding.
// `picket node` will wire `startProtocolEnforcement` itself. Shell.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { compile } from '../compile/compile.js';
import { protocolFlows } from '../compile/protocol-flows.js';
import { queueXtRules } from '../compile/queue-xt.js';
import { QUEUE } from '../compile/ruleset.js';
import { createProtocolJudge, judgePacket, type ProtocolJudgementFinding } from '../decide/protocol-judge.js';
import { renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';
import { createQueueEnforcer, type QueueEnforcer, type QueueEnforcerStats } from '../sense/nfqueue.js';

/** The running protocol enforcement of one policy. */
export interface ProtocolEnforcement {
  stats(): { closed: QueueEnforcerStats; open: QueueEnforcerStats };
  close(): Promise<void>;
}

/** Installs the xt queue rules of the policy (once) in this namespace, then binds and judges both queue pairs. */
export async function startProtocolEnforcement(
  policy: Policy,
  onFinding: (finding: ProtocolJudgementFinding) => void,
  nowMs: number,
): Promise<ProtocolEnforcement> {
  for (const rule of queueXtRules(compile(policy, { nowMs }))) {
    const exists = spawnSync(rule.binary, ['-t', 'mangle', '-C', 'FORWARD', ...rule.match]).status === 0;
    if (exists) continue;
    const r = spawnSync(rule.binary, ['-t', 'mangle', '-A', 'FORWARD', ...rule.match], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${rule.binary}: ${r.stderr.trim()}`);
  }
  const judge = createProtocolJudge(protocolFlows(policy));
  const verdict = (payload: Uint8Array) => {
    const j = judgePacket(judge, payload);
    for (const f of j.findings) onFinding(f);
    return j.verdict;
  };
  const closed: QueueEnforcer = await createQueueEnforcer({
    queues: QUEUE.closed.queues,
    judge: (p) => verdict(p.payload),
    failOpen: false,
    acceptMark: QUEUE.closed.mark | QUEUE.judged,
  });
  const open: QueueEnforcer = await createQueueEnforcer({
    queues: QUEUE.open.queues,
    judge: (p) => verdict(p.payload),
    failOpen: true,
  }).catch(async (error) => {
    await closed.close();
    throw error;
  });
  return {
    stats: () => ({ closed: closed.stats(), open: open.stats() }),
    close: async () => {
      await closed.close();
      await open.close();
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const file = argv[0];
  if (file === undefined) {
    process.stderr.write('usage: node dist/cli/node-queue.js <policy.yaml>\n');
    return 2;
  }
  const source = readFileSync(file, 'utf8');
  const { policy, diagnostics } = parsePolicy(source, file);
  if (policy === undefined) {
    for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n`);
    return 1;
  }
  const enforcement = await startProtocolEnforcement(
    policy,
    (f) => process.stdout.write(`${JSON.stringify({ finding: f })}\n`),
    Date.now(),
  );
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stdout.write(`${JSON.stringify({ stats: enforcement.stats() })}\n`);
  await enforcement.close();
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`node-queue: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
