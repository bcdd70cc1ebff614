// `picket node`: the long-running enforcement unit. Start: wire (bridge or
// sensor) → policy in force → journal and kernel quarantine reconciled →
// intake → decision loop, counters, reconcile and HTTP on timers. A policy
// change (SIGHUP, file change) re-applies atomically; a bad one keeps the last
// good ruleset. Stopping flushes the journal and LEAVES the kernel ruleset in
// place: the data path never depends on this process.
// NodeConfig + drivers → a running node. Shell.

import { readEnforced, readNeverList, readQuarantine } from '../apply/apply.js';
import type { Nft } from '../apply/nft.js';
import type { StateStore } from '../apply/state-store.js';
import type { PacketEvent } from '../sense/packet-event.js';
import type { NodeConfig } from './config.js';
import { createDecisionLoop } from './decision-loop.js';
import type { DecoyPort } from './decoys.js';
import { enforcePolicy, type InForce } from './enforcer.js';
import { healthOf, type NodeStatus } from './health.js';
import type { Logger } from './log.js';
import { type NodeSnapshot, renderMetrics } from './metrics.js';
import type { NodePortal } from './portal.js';
import type {
  DeciderPort,
  IntakePort,
  JournalPort,
  ReconcilePort,
  StartIntake,
  StartProtocol,
} from './ports.js';
import { createProtocolSync } from './protocol-sync.js';
import { reconcileQuarantine } from './quarantine-sync.js';
import { type RuleCounter, ruleCountersFrom, ruleCountersOf } from './rule-counters.js';
import { createFlowTelemetry } from './telemetry.js';

/** Everything the node drives; the CLI passes real drivers, tests fakes. */
export interface NodeDeps {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly nft: Nft;
  readonly store: StateStore;
  readonly journal: JournalPort;
  readonly startIntake: StartIntake;
  readonly createDecider: (inForce: InForce) => DeciderPort;
  readonly reconcile: ReconcilePort;
  readonly setUpWire: (wire: NodeConfig['wire']) => { actions: readonly string[] };
  /** NFQUEUE enforcement of the policy's protocol rules; absent where it is not wired. */
  readonly startProtocol?: StartProtocol;
  /** The identity portal (started when the policy asks for it); absent where it is not wired. */
  readonly portal?: NodePortal;
  /** Decoys (bridge mode): started with the loop's intake, synced after each apply. */
  readonly startDecoys?: (accept: (events: readonly PacketEvent[]) => void) => DecoyPort;
  /** After each committed apply: turns on the br_netfilter switches. */
  readonly afterApply: () => void;
  readonly now: () => number;
  readonly memory: () => { rssBytes: number; heapUsedBytes: number };
}

/** Timer periods. */
export const TICK_MS = 100;
export const COUNTERS_MS = 5_000;
export const WATCH_DEBOUNCE_MS = 300;
const LOCK_RETRY_MS = 1_000;

/** A running node. */
export interface RunningNode {
  /** Re-reads and re-applies the policy (SIGHUP, file change); a bad policy keeps the last good one. */
  reload(reason: string): void;
  /** Compares kernel quarantine and journal now (and checks the kernel still enforces the node's ruleset). */
  reconcileNow(): void;
  /** Reads the kernel counters now (normally every 5 s). */
  readCounters(): void;
  /** Decides what is queued now (normally every 100 ms). */
  tick(): number;
  status(): NodeStatus;
  metrics(): string;
  /** Flushes the journal, closes intake and journal; the kernel keeps its ruleset. */
  stop(): Promise<void>;
}

/** Starts the node: wire, policy, reconcile, intake, timers. Throws only if the wire cannot be set up. */
export async function startNode(deps: NodeDeps): Promise<RunningNode> {
  const { config, log, nft, journal, now } = deps;
  const enforcing = config.wire.mode !== 'sensor';
  const startedAtMs = now();
  let inForce: InForce | undefined;
  let decider: DeciderPort | undefined;
  let lastApply: NodeStatus['lastApply'];
  let lastError: NodeStatus['lastError'];
  let lastReconcile: NodeStatus['lastReconcile'];
  let lastGoodAtMs = 0;
  let applyFailures = 0;
  let driftTotal = 0;
  let rules: RuleCounter[] = [];
  let rulesReadAtMs = 0;
  let quarantineSize = 0;
  let intake: IntakePort | undefined;
  const telemetry = createFlowTelemetry([]);

  const wired = deps.setUpWire(config.wire);
  for (const action of wired.actions) log.info('wire', { action, mode: config.wire.mode });

  const loop = createDecisionLoop({
    nft,
    journal,
    decider: () => decider,
    telemetry,
    limits: () => ({
      never: new Set(inForce?.ruleset.never ?? []),
      enforcing,
      blockFlowSets: inForce?.blockFlowSets ?? false,
    }),
    now,
    log,
  });

  const decoys = enforcing ? deps.startDecoys?.((events) => loop.accept(events)) : undefined;

  let retry: NodeJS.Timeout | undefined;
  const protocol = createProtocolSync({
    ...(deps.startProtocol ? { start: deps.startProtocol } : {}),
    onFinding: (f) => loop.acceptFinding(f),
    onError: (error) => {
      lastError = { atMs: now(), code: 'nfqueue', message: error.message };
      log.error('protocol enforcement failed to start; queued flows follow their failure mode', { error });
    },
    log,
  });

  const reload = (reason: string) => {
    clearTimeout(retry);
    const atMs = now();
    const outcome = enforcePolicy(
      { nft, store: deps.store, nowMs: atMs, enforcing, afterApply: deps.afterApply },
      config.policyFile,
    );
    if (!outcome.ok) {
      applyFailures++;
      lastApply = { atMs, ok: false };
      lastError = { atMs, code: outcome.code, message: outcome.message };
      log.error('policy not applied; the last good ruleset stays in force', {
        reason,
        code: outcome.code,
        message: outcome.message,
        lastGood: inForce?.ruleset.hash ?? null,
        diagnostics: outcome.diagnostics,
      });
      // Someone's `picket apply` holds the lock for a moment: try again shortly.
      if (outcome.code === 'state-locked')
        retry = setTimeout(() => reload(`${reason} (retry)`), LOCK_RETRY_MS);
      return;
    }
    const { ruleset, policy } = outcome.inForce;
    inForce = outcome.inForce;
    lastGoodAtMs = atMs;
    lastApply = { atMs, ok: true, hash: ruleset.hash, durationMs: outcome.durationMs };
    lastError = undefined;
    telemetry.setZones(policy.zones);
    if (decider) decider.setPolicy(policy);
    else decider = deps.createDecider(outcome.inForce);
    for (const warning of outcome.warnings) log.warn('policy warning', { diagnostic: warning });
    if (ruleset.logGroup !== config.nflogGroup) {
      log.warn('the policy logs to a different NFLOG group than node.yaml listens to', {
        policyGroup: ruleset.logGroup,
        nflogGroup: config.nflogGroup,
      });
    }
    const what = !enforcing
      ? 'policy loaded for detection (sensor mode: the kernel is not touched)'
      : outcome.applied
        ? 'policy applied'
        : 'policy already in force';
    if (enforcing) protocol.sync(outcome.inForce, atMs);
    void decoys?.sync(policy, atMs);
    if (enforcing) void deps.portal?.sync(outcome.inForce);
    log.info(what, {
      reason,
      hash: ruleset.hash,
      site: ruleset.site,
      entries: ruleset.entries.length,
      mode: ruleset.mode,
      transactionMs: outcome.durationMs,
      carriedQuarantine: outcome.carried,
    });
  };

  const reconcileNow = (neverFromKernel?: readonly string[]) => {
    if (!enforcing) return;
    deps.portal?.reconcile(false);
    try {
      if (neverFromKernel === undefined && !rulesetStillOurs()) return;
      const never = new Set(neverFromKernel ?? inForce?.ruleset.never ?? []);
      const result = reconcileQuarantine({ nft, journal, reconcile: deps.reconcile, never }, now());
      loop.record(result.adopt);
      driftTotal += result.drift;
      quarantineSize = result.kernelSize;
      lastReconcile = { atMs: now(), drift: result.drift };
      if (lastError?.code === 'reconcile') lastError = undefined;
      const fields = { drift: result.drift, restored: result.restored, adopted: result.adopt.length };
      if (result.drift > 0) log.warn('reconcile: kernel and journal differed', fields);
      else log.debug('reconcile: in sync', fields);
    } catch (error) {
      lastError = { atMs: now(), code: 'reconcile', message: (error as Error).message };
      log.error('reconcile failed', { error });
    }
  };

  /**
   * Checks that the kernel still enforces the policy in force. Tables gone
   * (`nft flush ruleset`) leave the bridge forwarding everything: put them back
   * at once. Another ruleset (someone ran `picket apply` by hand) is reported,
   * not fought. False when the quarantine should not be reconciled now.
   */
  const rulesetStillOurs = (): boolean => {
    if (!inForce) return false;
    const enforced = readEnforced(nft);
    if (!enforced.present) {
      driftTotal++;
      log.warn('the kernel lost the ruleset; applying it again', { hash: inForce.ruleset.hash });
      reload('kernel lost the ruleset');
      return lastApply?.ok === true;
    }
    if (enforced.hash !== inForce.ruleset.hash) {
      driftTotal++;
      lastError = {
        atMs: now(),
        code: 'ruleset-drift',
        message: `the kernel enforces ${enforced.hash?.slice(0, 12) ?? 'a ruleset without hash'}, not ${inForce.ruleset.hash.slice(0, 12)}; send SIGHUP to re-apply the node's policy`,
      };
      log.warn('ruleset drift', { kernel: enforced.hash ?? null, node: inForce.ruleset.hash });
    } else if (lastError?.code === 'ruleset-drift') lastError = undefined;
    return true;
  };

  const readCounters = () => {
    if (!enforcing || !inForce) return;
    try {
      // Over netlink: nft's listing fetches every set element, seconds of event loop with a 100k-tuple allow set.
      rules = nft.chainRules
        ? ruleCountersOf(nft.chainRules('inet', 'picket', 'forward') ?? [])
        : ruleCountersFrom(nft.listJson('list chain inet picket forward'));
      quarantineSize = readQuarantine(nft).length;
      rulesReadAtMs = now();
    } catch (error) {
      log.warn('cannot read kernel counters', { error });
    }
    const recompileBy = inForce.ruleset.recompileByMs;
    if (recompileBy !== undefined && now() >= recompileBy) reload('time windows cross a DST change');
  };

  // After a crash the tables are still there: put back what the journal holds
  // first (with the kernel's own never-list), before the slower policy compile.
  const kernelNever = enforcing ? readNeverList(nft) : undefined;
  if (kernelNever !== undefined) reconcileNow(kernelNever);
  reload('start');
  if (kernelNever === undefined) reconcileNow();
  try {
    intake = await deps.startIntake((events) => {
      loop.accept(events);
      // An ARP touch of a decoy is quarantined by the node, not the kernel: decide it now.
      if (decoys?.observe(events)) setImmediate(() => loop.tick());
    });
    log.info('intake started', { kind: intake.kind });
  } catch (error) {
    lastError = { atMs: now(), code: 'intake', message: (error as Error).message };
    log.error('intake failed to start; enforcing without detection', { error });
  }
  readCounters();

  const timers = [
    setInterval(() => loop.tick(), TICK_MS),
    setInterval(readCounters, COUNTERS_MS),
    setInterval(reconcileNow, config.reconcileIntervalSeconds * 1000),
  ];

  const status = (): NodeStatus => {
    const counts = loop.counts();
    const stats = intake?.stats();
    return {
      node: config.name,
      mode: config.wire.mode,
      startedAtMs,
      ...(inForce ? { policyHash: inForce.ruleset.hash } : {}),
      ...(lastApply ? { lastApply } : {}),
      ...(lastError ? { lastError } : {}),
      ...(intake && stats ? { intake: { ...stats, kind: intake.kind, running: true } } : {}),
      ...(lastReconcile ? { lastReconcile } : {}),
      eventsDropped: counts.dropped,
    };
  };

  const snapshot = (): NodeSnapshot => {
    const queueVerdicts = protocol.verdicts();
    const portal = deps.portal?.snapshot();
    const counts = loop.counts();
    const stats = intake?.stats();
    return {
      node: config.name,
      mode: config.wire.mode,
      uptimeSeconds: Math.round((now() - startedAtMs) / 1000),
      rules,
      rulesReadAtSeconds: Math.floor(rulesReadAtMs / 1000),
      zonePairs: telemetry.snapshot(),
      detectionsByKind: counts.detectionsByKind,
      actionsByType: counts.actionsByType,
      quarantineSize,
      ...(stats ? { intake: stats } : {}),
      events: { processed: counts.processed, dropped: counts.dropped, queued: counts.queued },
      apply: {
        lastDurationMs: lastApply?.durationMs ?? 0,
        lastSuccess: lastApply?.ok ?? false,
        lastSuccessAtSeconds: Math.floor(lastGoodAtMs / 1000),
        failures: applyFailures,
      },
      ...(queueVerdicts ? { queueVerdicts } : {}),
      ...(decoys ? { decoys: decoys.counts() } : {}),
      ...(portal ? { portal } : {}),
      driftTotal,
      memory: deps.memory(),
    };
  };

  return {
    reload,
    reconcileNow: () => reconcileNow(),
    readCounters,
    tick: () => loop.tick(),
    status,
    metrics: () => renderMetrics(snapshot()),
    async stop() {
      for (const t of timers) clearInterval(t);
      clearTimeout(retry);
      await intake?.close();
      await protocol.close();
      await decoys?.stop();
      await deps.portal?.close();
      // Whatever the intake delivered is decided and journaled before exit.
      loop.drain();
      journal.close();
      log.info('stopped; the kernel ruleset stays in force', { hash: inForce?.ruleset.hash ?? null });
    },
  };
}

/** The /health document of a running node. */
export function nodeHealth(node: RunningNode, nowMs: number) {
  return healthOf(node.status(), nowMs);
}
