// The node's decoys: after each apply, places the policy's decoys on free
// addresses (policy assets, ARP senders the bridge heard and addresses real
// devices claimed are taken), fills the kernel's decoy sets, brings the decoys
// up on the bridge and feeds the decoy server; turns what the server reports
// into `decoy-note` events for the decision loop; moves every decoy on
// `rotate.every`; makes a decoy yield at once when a real device claims its
// address; journals placement and every move. Bridge mode only. Shell.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Nft } from '../apply/nft.js';
import { createBridgeRoutes } from '../deceive/bridge-routes.js';
import { readSeenAddresses, writeDecoySets } from '../deceive/kernel-sets.js';
import { createDecoyLinks, type DecoyLink, type DecoyLinks } from '../deceive/links.js';
import { writeOpenPorts } from '../deceive/open-ports.js';
import { servicesOf } from '../deceive/personality/index.js';
import { deceiveMap } from '../deceive/plan/deceive-map.js';
import { type DecoyMove, epochAt, type MoveReason, movesBetween } from '../deceive/plan/moves.js';
import { type PlacedDecoy, planPlacement } from '../deceive/plan/placement.js';
import { type DecoyServerProcess, startDecoyServer } from '../deceive/server-process.js';
import type { Policy } from '../policy/types.js';
import type { PacketEvent } from '../sense/packet-event.js';
import { createDecoyJournal, type DecoyJournal } from './decoy-journal.js';
import { touchEvents } from './decoy-touches.js';
import type { Logger } from './log.js';

/** What /metrics shows about decoys. */
export interface DecoyCounts {
  readonly hosted: number;
  readonly touches: number;
  readonly moves: Readonly<Record<string, number>>;
  readonly lastBringUpMs: number;
}

/** The node's handle on its decoys. */
export interface DecoyPort {
  /** Puts the policy's decoys in place (after an apply: the kernel sets were recreated empty). */
  sync(policy: Policy, nowMs: number): Promise<void>;
  /**
   * Looks at intake events for addresses claimed by real devices and live
   * addresses; true when they hold an ARP touch of a decoy, which only the node
   * can quarantine, so the caller should decide now rather than at the next batch.
   */
  observe(events: readonly PacketEvent[]): boolean;
  counts(): DecoyCounts;
  /** Stops the server; the decoys, their namespace and the bridge port disappear. */
  stop(): Promise<void>;
}

/** What the decoys work with. */
export interface DecoyDeps {
  readonly nft: Nft;
  readonly bridge: string;
  readonly stateDir: string;
  readonly database?: Database.Database;
  readonly log: Logger;
  readonly now: () => number;
  /** The decision loop's intake: touches become `decoy-note` events. */
  readonly accept: (events: readonly PacketEvent[]) => void;
}

/** Seen addresses are forgotten after this long (as the kernel's seen4 set does). */
const SEEN_MS = 3_600_000;
const ROTATE_CHECK_MS = 1_000;
/** ARP touches are decided early at most this often. */
const URGENT_MS = 5;
/** A decoy server that keeps dying is restarted at most this rarely. */
const RESTART_MAX_MS = 30_000;

/** The per-installation part of the default seed: random once, kept in the state directory. */
function stateSeed(stateDir: string): string {
  const file = join(stateDir, 'decoy-seed');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const seed = randomBytes(16).toString('hex');
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${seed}\n`, { mode: 0o600 });
    return seed;
  }
}

/** Creates the node's decoys; nothing is hosted until a policy with decoys is synced. */
export function createDecoys(deps: DecoyDeps): DecoyPort {
  const { log } = deps;
  const journal: DecoyJournal | undefined = deps.database ? createDecoyJournal(deps.database) : undefined;
  const claimed = new Set<string>();
  const seen = new Map<string, number>();
  const moveCounts: Record<string, number> = {};
  let current: PlacedDecoy[] = [];
  let policy: Policy | undefined;
  let seed = '';
  let epoch = 0;
  let configKey = '';
  let server: DecoyServerProcess | undefined;
  let links: DecoyLinks | undefined;
  let starting: Promise<void> | undefined;
  let touches = 0;
  let lastBringUpMs = 0;
  let rotateTimer: NodeJS.Timeout | undefined;
  const routes = createBridgeRoutes(deps.bridge);
  let warnedReversePath = false;
  let lastUrgentMs = Number.NEGATIVE_INFINITY;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarts = 0;
  let stopped = false;

  const byIp = () => new Map(current.map((d) => [d.ip, d]));

  const taken = (nowMs: number): Set<string> => {
    for (const ip of readSeenAddresses(deps.nft)) seen.set(ip, nowMs);
    for (const [ip, atMs] of seen) if (nowMs - atMs > SEEN_MS) seen.delete(ip);
    const mine = new Set(current.map((d) => d.ip));
    const out = new Set<string>(claimed);
    for (const a of policy?.assets ?? []) out.add(a.ip);
    for (const ip of seen.keys()) if (!mine.has(ip)) out.add(ip);
    return out;
  };

  const start = async () => {
    server = await startDecoyServer({
      onEvent: (event) => {
        if (event.type === 'touch') {
          touches++;
          const profiles = byIp();
          deps.accept(touchEvents(event, (ip) => profiles.get(ip)?.profile));
        } else if (event.type === 'ready') {
          log.info('decoy server ready', { decoys: event.decoys, ms: event.ms });
        } else log.warn('decoy server', { message: event.message });
      },
      onExit: (code) => {
        links?.close();
        server = undefined;
        links = undefined;
        current = [];
        configKey = '';
        restarts++;
        const delayMs = Math.min(RESTART_MAX_MS, 1000 * 2 ** Math.min(restarts - 1, 5));
        log.error('the decoy server exited; restarting the decoys', { code, inMs: delayMs });
        clearTimeout(restartTimer);
        restartTimer = setTimeout(() => {
          if (policy && !stopped) void port.sync(policy, deps.now());
        }, delayMs);
      },
    });
    links = createDecoyLinks({
      pid: server.pid,
      bridge: deps.bridge,
      hostEnd: `pkd-${deps.bridge}`.slice(0, 15),
    });
    log.info('decoy namespace joined to the bridge', { bridge: deps.bridge, pid: server.pid });
  };

  /** True when quarantined sources' connections to real assets go to decoys (the compiler declared `deceive4`). */
  const deceiving = () =>
    policy?.decoys?.deceive === true &&
    policy.enforcement.mode === 'enforce' &&
    policy.enforcement.outOfProfile !== 'alert';

  /** The kernel's decoy sets (and, deceiving, the map and the node's routes to the decoys). */
  const writeKernel = (decoys: readonly PlacedDecoy[]): DecoyLink[] => {
    const wire = decoys.map((d) => ({ id: d.id, ip: d.ip, mac: d.identity.mac }));
    const deceive = deceiving() && policy ? deceiveMap(policy.assets, decoys) : undefined;
    writeDecoySets(deps.nft, wire, deceive);
    if (deceive) {
      const { reversePathOk } = routes.apply(wire);
      if (!reversePathOk && !warnedReversePath) {
        warnedReversePath = true;
        log.warn('net.ipv4.conf.all.rp_filter is not 0: the kernel drops what deceive redirects to decoys', {
          hint: 'sysctl -w net.ipv4.conf.all.rp_filter=0 on the node (the bridge has no address to check against)',
        });
      }
    } else routes.close();
    return wire;
  };

  /** Puts `next` on the wire: kernel sets first (so the decoys' own gratuitous ARP is no claim), then links, then the server. */
  const put = (next: PlacedDecoy[], reason: MoveReason, nowMs: number) => {
    const moves: DecoyMove[] = movesBetween(current, next, reason);
    const started = performance.now();
    const wire = writeKernel(next);
    links?.apply(wire);
    // Each decoy's address answers only on its own profile's ports (the server listens per port).
    if (server)
      writeOpenPorts(
        server.pid,
        next.map((d) => ({ ip: d.ip, services: servicesOf(d.identity) })),
      );
    server?.send(next.map((d) => ({ id: d.id, ip: d.ip, identity: d.identity })));
    lastBringUpMs = performance.now() - started;
    current = next;
    for (const m of moves) moveCounts[m.reason] = (moveCounts[m.reason] ?? 0) + 1;
    try {
      journal?.record(moves, next, nowMs);
    } catch (error) {
      log.error('decoy journal write failed', { error });
    }
    if (moves.length > 0) {
      log.info('decoys moved', {
        reason,
        moves: moves.length,
        hosted: next.length,
        ms: Math.round(lastBringUpMs),
        sample: moves.slice(0, 5).map((m) => `${m.id} ${m.from?.ip ?? '-'} → ${m.to?.ip ?? '-'}`),
      });
    }
  };

  const plan = (nowMs: number, avoid?: ReadonlySet<string>) => {
    const decoys = policy?.decoys;
    if (!policy || !decoys) return [];
    const placement = planPlacement({
      seed,
      epoch,
      zones: policy.zones,
      place: decoys.place,
      taken: taken(nowMs),
      ...(avoid ? { avoid } : {}),
    });
    if (placement.unplaced.length > 0)
      log.warn('no free address for some decoys', { decoys: placement.unplaced.map((s) => s.id) });
    return [...placement.decoys];
  };

  /** Runs a move from a timer or the intake: a failure is logged, never thrown into the node. */
  const guarded = (what: string, move: () => void) => {
    try {
      move();
    } catch (error) {
      log.error(`decoys: ${what} failed; enforcement is unaffected`, { error });
    }
  };

  const rotateIfDue = () => {
    const every = policy?.decoys?.rotateEverySeconds;
    if (every === undefined || !server) return;
    const nowMs = deps.now();
    const due = epochAt(nowMs, every);
    if (due === epoch) return;
    epoch = due;
    guarded('rotation', () => put(plan(nowMs, new Set(current.map((d) => d.ip))), 'rotated', nowMs));
  };

  const teardown = async (nowMs: number) => {
    clearInterval(rotateTimer);
    rotateTimer = undefined;
    if (current.length > 0) {
      try {
        journal?.record(movesBetween(current, [], 'removed'), [], nowMs);
      } catch (error) {
        log.error('decoy journal write failed', { error });
      }
    }
    current = [];
    links?.close();
    links = undefined;
    routes.close();
    const s = server;
    server = undefined;
    await s?.close();
  };

  const port: DecoyPort = {
    async sync(next, nowMs) {
      policy = next;
      const decoys = next.decoys;
      if (!decoys) {
        if (server) {
          log.info('the policy has no decoys: taking them down');
          await teardown(nowMs);
        }
        return;
      }
      try {
        if (!server) {
          starting ??= start().finally(() => {
            starting = undefined;
          });
          await starting;
        }
        seed = decoys.seed ?? `${next.site}:${stateSeed(deps.stateDir)}`;
        epoch = epochAt(nowMs, decoys.rotateEverySeconds);
        const key = JSON.stringify([seed, epoch, decoys.place, next.zones.map((z) => [z.name, z.networks])]);
        if (key === configKey && current.length > 0) {
          // Same decoys: only the kernel sets, recreated empty by the apply, need them again.
          writeKernel(current);
        } else {
          configKey = key;
          put(plan(nowMs), current.length === 0 ? 'placed' : 'policy', nowMs);
        }
        clearInterval(rotateTimer);
        if (decoys.rotateEverySeconds !== undefined) rotateTimer = setInterval(rotateIfDue, ROTATE_CHECK_MS);
      } catch (error) {
        log.error('decoys could not be put in place; enforcement is unaffected', { error });
      }
    },

    observe(events) {
      let yielded = false;
      let arpTouch = false;
      const nowMs = deps.now();
      for (const e of events) {
        if (e.origin === 'decoy' && e.arp !== undefined) arpTouch = true;
        if (e.origin !== 'decoy-claim') {
          if (e.arp && e.arp.senderIp !== '0.0.0.0') seen.set(e.arp.senderIp, nowMs);
          continue;
        }
        const probe = e.arp?.senderIp === '0.0.0.0';
        const address = e.arp ? (probe ? e.arp.targetIp : e.arp.senderIp) : e.srcIp;
        const mac = e.arp?.senderMac ?? e.srcMac;
        const decoy = address === undefined ? undefined : byIp().get(address);
        if (!decoy || address === undefined || (mac !== undefined && mac === decoy.identity.mac)) continue;
        claimed.add(address);
        yielded = true;
        log.warn('a real device claims a decoy address: the decoy yields', {
          address,
          mac: mac ?? null,
          decoy: decoy.id,
          how: probe ? 'arp probe' : e.arp ? 'arp' : 'ip',
        });
      }
      if (yielded && server) guarded('yielding', () => put(plan(nowMs), 'yielded', nowMs));
      // At most one early decision per URGENT_MS: the kernel's log limit bounds these events anyway.
      if (!arpTouch || nowMs - lastUrgentMs < URGENT_MS) return false;
      lastUrgentMs = nowMs;
      return true;
    },

    counts: () => ({ hosted: current.length, touches, moves: { ...moveCounts }, lastBringUpMs }),

    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await starting?.catch(() => {});
      await teardown(deps.now());
    },
  };
  return port;
}
