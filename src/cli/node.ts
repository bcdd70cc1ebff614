// `picket node --config node.yaml [--check]`: runs the enforcement node until
// SIGTERM/SIGINT (exit 0, kernel ruleset left in force). SIGHUP or a change of
// the policy file re-applies the policy. Creates the real drivers and wires
// them; the node itself lives in src/node/. Shell.

import { readFileSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createNft } from '../apply/nft.js';
import { createStateStore } from '../apply/state-store.js';
import { ensureBridgeNetfilter } from '../apply/sysctl.js';
import { parseNodeConfig } from '../node/config.js';
import { nodeHealth, startNode, WATCH_DEBOUNCE_MS } from '../node/daemon.js';
import { createDecoys } from '../node/decoys.js';
import { createEngines } from '../node/engines.js';
import { startHttpServer } from '../node/http-server.js';
import { createJournal } from '../node/journal.js';
import { createLogger } from '../node/log.js';
import { createNodePortal } from '../node/portal.js';
import { setUpWire } from '../node/wire.js';
import { hasErrors, renderDiagnostic } from '../policy/diagnostic.js';
import { PicketError, UsageError } from './errors.js';
import { startProtocolEnforcement } from './node-queue.js';

const USAGE = 'usage: picket node --config <node.yaml> [--check]';

/** node.yaml could not be read or has errors. */
export class NodeConfigError extends PicketError {
  readonly file: string;
  constructor(file: string, message: string, cause?: unknown) {
    super('node-config', message, { cause, hint: 'fix node.yaml; see examples/node.yaml and docs/NODE.md' });
    this.file = file;
  }
}

/** `picket node`: exit 0 on SIGTERM/SIGINT (or a clean --check), 1 on a bad config, 2 usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' } },
  });
  const file = values.config;
  if (file === undefined || positionals.length > 0) throw new UsageError(USAGE);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NodeConfigError(file, `cannot read ${file}`, error);
  }
  const { config, diagnostics } = parseNodeConfig(source, file);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, source)}\n`);
  if (!config || hasErrors(diagnostics)) {
    throw new NodeConfigError(file, `${file} has ${diagnostics.length} problem(s)`);
  }
  if (values.check) {
    process.stdout.write(`${file}: ok (node ${config.name}, mode ${config.wire.mode})\n`);
    return 0;
  }

  const log = createLogger(config.logLevel);
  const store = createStateStore(config.stateDir);
  const journalFile = config.journalFile ?? join(store.dir, 'journal.db');
  const engines = createEngines(config, journalFile);
  const nft = createNft();
  // The portal keeps its permits in the same journal file, on its own connection.
  const permitJournal = createJournal(journalFile);
  const portal = createNodePortal({
    nft,
    database: permitJournal.database,
    log,
    stateDir: store.dir,
    config,
    now: Date.now,
  });
  // Decoys (bridge mode) journal their placement and moves in the same file, on their own connection.
  const { wire } = config;
  const decoyJournal = wire.mode === 'bridge' ? createJournal(journalFile) : undefined;
  const node = await startNode({
    config,
    log,
    nft,
    store,
    ...engines,
    ...(wire.mode === 'bridge' && decoyJournal
      ? {
          startDecoys: (accept) =>
            createDecoys({
              nft,
              bridge: wire.bridge,
              stateDir: store.dir,
              database: decoyJournal.database,
              log,
              now: Date.now,
              accept,
            }),
        }
      : {}),
    setUpWire,
    portal,
    startProtocol: async (policy, onFinding, nowMs) => {
      const enforcement = await startProtocolEnforcement(policy, onFinding, nowMs);
      return {
        verdicts: () => {
          const { closed, open } = enforcement.stats();
          return { accept: closed.accepted + open.accepted, drop: closed.dropped + open.dropped };
        },
        close: () => enforcement.close(),
      };
    },
    afterApply: () => {
      if (!ensureBridgeNetfilter().available)
        log.warn(
          'br_netfilter is not loaded: bridged traffic bypasses the inet hooks (modprobe br_netfilter)',
        );
    },
    now: Date.now,
    memory: () => {
      const m = process.memoryUsage();
      return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
    },
  });
  // Without its listener the node still enforces and detects: report, run on.
  const server = await startHttpServer(config.metrics.host, config.metrics.port, {
    metrics: () => node.metrics(),
    health: () => nodeHealth(node, Date.now()),
  }).catch((error: unknown) => {
    log.error('cannot listen for /metrics and /health', { error, listen: config.metrics });
    return undefined;
  });
  log.info('node running', {
    node: config.name,
    mode: config.wire.mode,
    policy: config.policyFile,
    journal: journalFile,
    metrics: server ? `http://${config.metrics.host}:${server.port}/metrics` : null,
    pid: process.pid,
  });

  // Editors save by rename, so the directory is watched, not the file.
  let debounce: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(config.policyFile), (_event, name) => {
    if (name !== null && name !== basename(config.policyFile)) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => node.reload('policy file changed'), WATCH_DEBOUNCE_MS);
  });
  watcher.on('error', (error) => log.warn('cannot watch the policy file; use SIGHUP', { error }));

  return new Promise<number>((resolve) => {
    process.on('SIGHUP', () => node.reload('SIGHUP'));
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal });
      clearTimeout(debounce);
      watcher.close();
      void Promise.all([node.stop(), server?.close()]).finally(() => {
        permitJournal.close();
        decoyJournal?.close();
        nft.close();
        store.close();
        resolve(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
