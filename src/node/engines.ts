// Builds the node's real parts for a config: the intake (NFLOG in bridge and
// routed mode, a live capture in sensor mode), the decision engine with its
// bounded state, the journal and the reconciler, each adapted to the node's
// ports. NodeConfig → ports. Shell.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createDecideContext,
  createDecideState,
  decide,
  decideProtocolFinding,
  flush,
  type ProtocolFinding,
} from '../decide/decide.js';
import type { ProtocolJudgementFinding } from '../decide/protocol-judge.js';
import { createCaptureIntake } from '../sense/capture.js';
import type { Intake } from '../sense/intake.js';
import { createNflogIntake } from '../sense/nflog.js';
import type { NodeConfig } from './config.js';
import type { InForce } from './enforcer.js';
import { createJournal } from './journal.js';
import type { IntakeCounters } from './metrics.js';
import type { DeciderPort, IntakePort, JournalPort, ReconcilePort, StartIntake } from './ports.js';
import { reconcilePort } from './reconcile.js';

/** The parts `startNode` needs besides the kernel driver and the state store. */
export interface Engines {
  readonly startIntake: StartIntake;
  readonly createDecider: (inForce: InForce) => DeciderPort;
  readonly journal: JournalPort;
  readonly reconcile: ReconcilePort;
}

/** The rate is recomputed at most this often, whoever asks. */
const RATE_WINDOW_MS = 5_000;

/** Adapts a sense/ intake to the node's port, adding an events-per-second rate. */
export function intakePort(kind: IntakePort['kind'], intake: Intake, now: () => number): IntakePort {
  let mark = { atMs: now(), received: 0 };
  let rate = 0;
  return {
    kind,
    stats(): IntakeCounters {
      const s = intake.stats();
      const atMs = now();
      if (atMs - mark.atMs >= RATE_WINDOW_MS) {
        rate = ((s.received - mark.received) * 1000) / (atMs - mark.atMs);
        mark = { atMs, received: s.received };
      }
      return {
        received: s.received,
        overruns: s.overruns,
        lost: s.lost,
        ratePerSecond: Math.round(rate * 10) / 10,
      };
    },
    close: () => intake.close(),
  };
}

/** A queue judge's finding as decide reads it: the flow as a packet event of origin `queue`. */
export function protocolFinding(f: ProtocolJudgementFinding, nowMs: number): ProtocolFinding {
  return {
    flow: {
      timeMs: nowMs,
      origin: 'queue',
      srcIp: f.source,
      dstIp: f.destination,
      l4: 'tcp',
      protocol: 6,
      srcPort: f.sourcePort,
      dstPort: f.destinationPort,
      length: 0,
      summary: `${f.source}:${f.sourcePort} → ${f.destination}:${f.destinationPort} tcp ${f.protocol}: ${f.what}`,
    },
    protocol: f.protocol,
    what: f.what,
    allowed: f.allowed,
    producer: f.producer,
  };
}

/** The decision engine over one bounded DecideState, kept across policy changes. */
export function createDecider(inForce: InForce, node: string): DeciderPort {
  const state = createDecideState();
  let ctx = createDecideContext(inForce.policy, { node });
  return {
    decide: (event, nowMs) => decide(state, event, nowMs, ctx),
    decideFinding: (finding, nowMs) =>
      decideProtocolFinding(state, protocolFinding(finding, nowMs), nowMs, ctx),
    flush: (nowMs, all) => flush(state, nowMs, all),
    setPolicy(policy) {
      ctx = createDecideContext(policy, { node });
    },
  };
}

function openJournal(path: string): JournalPort {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return createJournal(path);
}

/** Opens the journal and prepares intake and decide for `config`. */
export function createEngines(config: NodeConfig, journalFile: string): Engines {
  const { wire } = config;
  const startIntake: StartIntake = async (onEvents) =>
    wire.mode === 'sensor'
      ? intakePort('capture', await createCaptureIntake({ iface: wire.interface, onEvents }), Date.now)
      : intakePort('nflog', await createNflogIntake({ group: config.nflogGroup, onEvents }), Date.now);
  return {
    startIntake,
    createDecider: (inForce) => createDecider(inForce, config.name),
    journal: openJournal(journalFile),
    reconcile: reconcilePort,
  };
}
