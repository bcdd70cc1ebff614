// The demo's view of the node: starts `picket node` in the lab's node
// namespace with a generated node.yaml, waits for it to report healthy, and
// follows its journal so the story can print each detection the moment it is
// written and name the decoys it placed. Lab + policy → a running node, its
// decoys and a live detection feed. Shell.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabProcess } from '../lab/lab.js';
import type { DetectionRow, Journal } from '../node/journal.js';
import { createJournal } from '../node/journal.js';
import { PicketError } from './errors.js';

export interface DemoNode {
  readonly process: LabProcess;
  readonly journalPath: string;
  /** GET /health, parsed; undefined while nothing answers. */
  health(): Promise<{ status: string; policyHash: string | null } | undefined>;
  /** SIGTERM; resolves when the process is gone (the kernel keeps enforcing). */
  stop(): Promise<void>;
}

/** Starts the node on the lab's bridge and waits (up to 20 s) until it enforces `policy`. */
export async function startDemoNode(
  lab: Lab,
  bin: string,
  policy: string,
  stateDir: string,
): Promise<DemoNode> {
  const config = join(stateDir, 'node.yaml');
  const journalPath = join(stateDir, 'journal.db');
  writeFileSync(
    config,
    lab.nodeConfig('demo-node', {
      policy,
      'state-dir': stateDir,
      journal: journalPath,
      'reconcile-interval': '10s',
      'log-level': 'info',
    }),
  );
  const proc = lab.spawn(
    lab.spec.node.name,
    [process.execPath, bin, 'node', '--config', config],
    'demo-node',
  );
  const health = async () => {
    const r = await lab.exec(
      lab.spec.node.name,
      ['curl', '-s', '--max-time', '1', 'http://127.0.0.1:9641/health'],
      { check: false },
    );
    if (r.code !== 0 || !r.stdout.startsWith('{')) return undefined;
    return JSON.parse(r.stdout) as { status: string; policyHash: string | null };
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const h = await health();
    if (h?.status === 'ok') break;
    if (Date.now() > deadline) {
      await proc.stop(2000);
      throw new PicketError('demo-node-not-ready', 'picket node did not report healthy within 20 s', {
        hint: `see its log: ${proc.logFile}`,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: proc, journalPath, health, stop: () => proc.stop(5000) };
}

/** Follows the journal: calls `onDetection` for every detection written after it started. */
export function followDetections(
  journalPath: string,
  onDetection: (row: DetectionRow, isNew: boolean) => void,
  everyMs = 100,
): { stop(): void; readonly seen: ReadonlyMap<string, DetectionRow> } {
  const seen = new Map<string, DetectionRow>();
  let journal: Journal | undefined;
  let afterSeq = Number.MAX_SAFE_INTEGER;
  const poll = () => {
    try {
      journal ??= createJournal(journalPath, { readonly: true });
      if (afterSeq === Number.MAX_SAFE_INTEGER) {
        afterSeq = journal.detections({ limit: 1 })[0]?.seq ?? 0;
      }
      for (const row of journal.detections({ afterSeq })) {
        afterSeq = Math.max(afterSeq, row.seq);
        const isNew = !seen.has(row.id);
        seen.set(row.id, row);
        onDetection(row, isNew);
      }
    } catch {
      // The node creates the journal; until it exists there is nothing to follow.
    }
  };
  poll();
  const timer = setInterval(poll, everyMs);
  return {
    seen,
    stop() {
      clearInterval(timer);
      poll();
      journal?.close();
    },
  };
}

/** A decoy the node placed, as journaled. */
export interface DemoDecoy {
  readonly ip: string;
  readonly profile: string;
  readonly mac: string;
  readonly vendor: string;
  readonly model: string;
  readonly serial: string;
}

/** Waits (up to 20 s) until the node has journaled `count` decoys in place; returns them. */
export async function decoysInPlace(journalPath: string, count: number): Promise<DemoDecoy[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let rows: { ip: string; profile: string; mac: string; identity: string }[] = [];
    try {
      const journal = createJournal(journalPath, { readonly: true });
      try {
        rows = journal.database
          .prepare('SELECT ip, profile, mac, identity FROM decoys ORDER BY ip')
          .all() as typeof rows;
      } finally {
        journal.close();
      }
    } catch {
      // Not created yet.
    }
    if (rows.length >= count) {
      return rows.map((r) => {
        const id = JSON.parse(r.identity) as { vendor?: string; model?: string; serial?: string };
        return {
          ip: r.ip,
          profile: r.profile,
          mac: r.mac,
          vendor: id.vendor ?? '?',
          model: id.model ?? '?',
          serial: id.serial ?? '?',
        };
      });
    }
    if (Date.now() > deadline) {
      throw new PicketError(
        'demo-decoys-not-placed',
        `the node placed ${rows.length} of ${count} decoys within 20 s`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
