// `picket apply <policy.yaml> [--confirm-within 60s] [--dry-run]`, `picket apply
// --confirm`, and the hidden `picket apply --rollback-timer <token>` that a
// confirm-within apply leaves running, detached, in the same network namespace.
// Shell.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applyRuleset, checkRuleset } from '../apply/apply.js';
import { assertNothingPending, confirmPending, rollbackIfUnconfirmed } from '../apply/confirm.js';
import { parseDurationSeconds } from '../apply/duration.js';
import { createNft, type Nft } from '../apply/nft.js';
import { formatSeconds, planChanges, summarizePlan } from '../apply/plan.js';
import { createStateStore, processAlive, StateLockedError, type StateStore } from '../apply/state-store.js';
import { ensureBridgeNetfilter } from '../apply/sysctl.js';
import type { Ruleset } from '../compile/ruleset.js';
import { UsageError } from './errors.js';
import { loadRuleset } from './plan.js';

const USAGE = 'usage: picket apply <policy.yaml> [--confirm-within 60s] [--dry-run] | picket apply --confirm';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `picket apply`: exit 0 applied (or checked, or confirmed), 1 refused or failed, 2 usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'confirm-within': { type: 'string' },
      confirm: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'rollback-timer': { type: 'string' },
    },
  });
  if (values['rollback-timer'] !== undefined) return rollbackTimer(values['rollback-timer']);
  if (values.confirm) {
    if (positionals.length > 0 || values['confirm-within'] || values['dry-run']) throw new UsageError(USAGE);
    return confirm();
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(USAGE);
  let confirmSeconds: number | undefined;
  if (values['confirm-within'] !== undefined) {
    confirmSeconds = parseDurationSeconds(values['confirm-within']);
    if (confirmSeconds === undefined) {
      throw new UsageError(
        `--confirm-within: "${values['confirm-within']}" is not a duration`,
        'write it like 60s, 5m or 1h',
      );
    }
  }
  // Parse and compile before touching anything: a bad policy changes nothing.
  const ruleset = loadRuleset(file, Date.now());
  const nft = createNft();
  const store = createStateStore();
  try {
    if (values['dry-run']) {
      checkRuleset(nft, ruleset);
      say(
        `ruleset ${ruleset.hash.slice(0, 12)} (${ruleset.entries.length} allow entries) passes nftables' check; nothing applied`,
      );
      return 0;
    }
    const unlock = store.lock();
    try {
      return applyLocked(nft, store, ruleset, confirmSeconds);
    } finally {
      unlock();
    }
  } finally {
    nft.close();
    store.close();
  }
}

function applyLocked(
  nft: Nft,
  store: StateStore,
  ruleset: Ruleset,
  confirmSeconds: number | undefined,
): number {
  assertNothingPending(store, Date.now(), processAlive);
  const result = applyRuleset({ nft, store, nowMs: Date.now() }, ruleset);
  const previous = result.readPrevious();
  say(
    `applied ${ruleset.hash.slice(0, 12)} for site ${ruleset.site} from ${ruleset.policyFile}: ` +
      `${ruleset.entries.length} allow entries, ${ruleset.windows.length} time windows, mode ${ruleset.mode} ` +
      `(switched in one transaction; ${result.transactionMs.toFixed(1)} ms in nftables; ${summarizePlan(planChanges(previous?.ruleset, ruleset))})`,
  );
  if (result.carried.length > 0) say(`kept ${result.carried.length} quarantined source(s) in quarantine`);
  if (result.released.length > 0)
    say(`released ${result.released.join(', ')} from quarantine: now on the never-list`);
  if (confirmSeconds !== undefined)
    startTimer(store, ruleset.hash, confirmSeconds, result.replacedTables && previous !== undefined);
  // Last: turning these on before the commit would put a previous ruleset on
  // bridged traffic it never saw, should this apply fail.
  const bridge = ensureBridgeNetfilter();
  if (!bridge.available) {
    process.stderr.write(
      'picket: warning: br_netfilter is not loaded here: bridged traffic bypasses the inet hooks (modprobe br_netfilter)\n',
    );
  } else if (bridge.enabled.length > 0) {
    say(`turned on ${bridge.enabled.join(', ')} so bridged traffic passes Picket's rules`);
  }
  return 0;
}

function startTimer(store: StateStore, hash: string, seconds: number, hasPrevious: boolean): void {
  const token = randomUUID();
  const deadlineMs = Date.now() + seconds * 1000;
  store.writePending({
    token,
    deadlineMs,
    hash,
    ...(hasPrevious ? { previousPath: join(store.dir, 'previous.json') } : {}),
  });
  const log = openSync(join(store.dir, 'rollback.log'), 'a');
  const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));
  // Detached, so it outlives this command and the terminal; it inherits the netns and env.
  const child = spawn(process.execPath, [mainJs, 'apply', '--rollback-timer', token], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  closeSync(log);
  if (child.pid !== undefined)
    store.writePending({ ...store.readPending(), token, deadlineMs, hash, timerPid: child.pid });
  const to = hasPrevious ? 'the previous ruleset' : 'no Picket ruleset (tables deleted)';
  say(
    `confirm with \`picket apply --confirm\` within ${formatSeconds(seconds)} or it rolls back to ${to} at ${new Date(deadlineMs).toISOString()}`,
  );
}

async function confirm(): Promise<number> {
  const store = createStateStore();
  const pending = confirmPending(store);
  say(`confirmed ${pending.hash.slice(0, 12)}: it stays in force`);
  return 0;
}

async function rollbackTimer(token: string): Promise<number> {
  const store = createStateStore();
  const pending = store.readPending();
  if (!pending || pending.token !== token) return 0;
  await sleepUntil(pending.deadlineMs);
  const unlock = await lockPatiently(store, pending.deadlineMs + LOCK_PATIENCE_MS);
  const nft = createNft();
  try {
    const outcome = rollbackIfUnconfirmed({ nft, store }, token);
    say(`${new Date().toISOString()} ${pending.hash.slice(0, 12)}: ${outcome}`);
    return 0;
  } finally {
    nft.close();
    unlock();
  }
}

// The timer waits for the deadline itself, not for a test: a real timer is its job.
const sleepUntil = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));

const LOCK_PATIENCE_MS = 60_000;

/** Takes the state lock, waiting while another command (a confirm, say) holds it. */
async function lockPatiently(store: StateStore, untilMs: number): Promise<() => void> {
  for (;;) {
    try {
      return store.lock();
    } catch (error) {
      if (!(error instanceof StateLockedError) || Date.now() > untilMs) throw error;
      await sleepUntil(Date.now() + 200);
    }
  }
}
