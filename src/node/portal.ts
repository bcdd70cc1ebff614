// The identity portal on a node: runs the portal's web server while the
// policy in force has `portal:` and `unrecognized: portal` (restarted when the
// portal section changes, stopped when it goes), puts the portal address on
// the bridge, and keeps permits: a login opens a kernel element with the grant
// as its timeout and journals it; logout or a new login from the same device
// ends the old one; on start and on every policy change the journal's valid
// permits are put back in the kernel with their remaining time, and permits
// past their time are recorded as expired. InForce + drivers → a running
// portal. Shell.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Nft } from '../apply/nft.js';
import { permitDeleteText, permitPutText } from '../apply/permit-sets.js';
import { permitSetFor } from '../compile/portal.js';
import type { Ruleset } from '../compile/ruleset.js';
import type { Portal } from '../policy/types.js';
import type { AuthBackend } from '../portal/backend.js';
import type { PermitPort, PortalServer } from '../portal/server.js';
import type { NodeConfig } from './config.js';
import type { InForce } from './enforcer.js';
import type { Logger } from './log.js';
import {
  activePermits,
  activePermitsOf,
  endPermit,
  expireDue,
  insertPermit,
  type PermitRow,
} from './permit-journal.js';

/** What the node's portal needs. */
export interface NodePortalDeps {
  readonly nft: Nft;
  readonly database: Database.Database;
  readonly log: Logger;
  readonly stateDir: string;
  readonly config: Pick<NodeConfig, 'wire' | 'portalAddress'>;
  readonly now: () => number;
  /** The identity backends of a portal section (default: the real LDAP/RADIUS/HTTP drivers, in a chain). */
  readonly createBackend?: (portal: Portal) => AuthBackend;
  /** Listen ports (tests); default the policy's. */
  readonly ports?: { readonly https: number; readonly http: number };
}

/** The portal part of a running node. */
export interface NodePortal {
  /** After each policy load: start, restart or stop the server; reconcile permits with the new ruleset. */
  sync(inForce: InForce): Promise<void>;
  /** Records expired permits; with `restore`, puts every valid journal permit back in the kernel. */
  reconcile(restore: boolean): void;
  /** Login outcomes and permits in force (metrics); undefined while no portal runs. */
  snapshot(): { logins: Record<string, number>; activePermits: number } | undefined;
  close(): Promise<void>;
}

const familyOf = (address: string) => (address.includes(':') ? 6 : 4);

/** The real backends, in a chain; loaded only when a portal starts, so other nodes start faster. */
async function chainOf(portal: Portal): Promise<AuthBackend> {
  const { createBackend, createBackendChain } = await import('../portal/backend.js');
  const roles = portal.roles.map((r) => r.name);
  return createBackendChain(portal.backends.map((b) => createBackend(b, roles)));
}

/** Creates the node's portal; nothing runs until the first sync with a portal policy. */
export function createNodePortal(deps: NodePortalDeps): NodePortal {
  const { nft, database: db, log, now } = deps;
  let ruleset: Ruleset | undefined;
  let server: PortalServer | undefined;
  let runningSection = '';
  const logins: Record<string, number> = {};

  /** nft text that removes a permit's element (empty when its role has no set now). */
  const deleteText = (row: PermitRow): string => {
    const set = ruleset ? permitSetFor(ruleset, row.role, familyOf(row.address)) : undefined;
    return set ? permitDeleteText(set, row.address) : '';
  };

  /**
   * Ends every permit `source` holds, in the kernel and the journal; `then` is
   * more nft text for the same transaction (the new permit of a login).
   */
  const endAll = (source: string, reason: 'logout' | 'replaced', then = ''): number => {
    const rows = activePermitsOf(db, source, now());
    const text = rows.map(deleteText).join('') + then;
    if (text !== '') nft.run(text);
    for (const row of rows) {
      endPermit(db, row.id, now(), reason);
      log.info('permit ended', {
        permit: row.id,
        address: row.address,
        user: row.user,
        role: row.role,
        reason,
      });
    }
    return rows.length;
  };

  const permits: PermitPort = {
    grant({ source, user, role, backend, seconds }) {
      const set = ruleset ? permitSetFor(ruleset, role, familyOf(source)) : undefined;
      if (!set) throw new Error(`role "${role}" opens nothing for IPv${familyOf(source)} sources`);
      const createdMs = now();
      // The old permit goes and the new one comes in one kernel transaction.
      endAll(source, 'replaced', permitPutText(set, source, seconds));
      const id = `p-${randomBytes(5).toString('hex')}`;
      const untilMs = createdMs + seconds * 1000;
      insertPermit(db, { id, address: source, user, role, backend, createdMs, untilMs });
      return { id, untilMs };
    },
    active(source) {
      const row = activePermitsOf(db, source, now()).at(-1);
      return row && { id: row.id, untilMs: row.untilMs, user: row.user, role: row.role };
    },
    logout: (source) => endAll(source, 'logout') > 0,
  };

  const reconcileNow = (restore: boolean) => {
    for (const row of expireDue(db, now())) {
      log.info('permit expired', { permit: row.id, address: row.address, user: row.user, role: row.role });
    }
    if (!restore || !ruleset) return;
    for (const row of activePermits(db, now())) {
      const set = permitSetFor(ruleset, row.role, familyOf(row.address));
      if (!set) {
        endPermit(db, row.id, now(), 'role-removed');
        log.warn('permit ended: its role is gone from the policy', { permit: row.id, role: row.role });
        continue;
      }
      try {
        nft.run(permitPutText(set, row.address, (row.untilMs - now()) / 1000));
      } catch (error) {
        log.error('cannot restore a permit in the kernel', {
          permit: row.id,
          error: (error as Error).message,
        });
      }
    }
  };

  /** Never throws: it runs on the node's timers, where an exception would end the process. */
  const reconcile = (restore: boolean) => {
    try {
      reconcileNow(restore);
    } catch (error) {
      log.error('portal: permit reconcile failed', { error: (error as Error).message });
    }
  };

  const addAddress = () => {
    const { wire, portalAddress } = deps.config;
    if (!portalAddress || wire.mode !== 'bridge') {
      log.warn('the portal runs without portal-address in node.yaml: redirected clients cannot reach it');
      return undefined;
    }
    const cidr = `${portalAddress.address}/${portalAddress.prefixLength}`;
    execFileSync('ip', ['addr', 'replace', cidr, 'dev', wire.bridge], { stdio: 'pipe' });
    return portalAddress.address;
  };

  const stop = async () => {
    const running = server;
    server = undefined;
    runningSection = '';
    await running?.close();
  };

  const start = async (inForce: InForce, portal: Portal) => {
    const address = addAddress();
    const { portalCertificate } = await import('../portal/certificate.js');
    const { startPortalServer } = await import('../portal/server.js');
    const tls = portalCertificate(portal.certificate, deps.stateDir, address);
    server = await startPortalServer({
      site: inForce.policy.site,
      portal,
      backend: deps.createBackend ? deps.createBackend(portal) : await chainOf(portal),
      permits,
      tls,
      ...(deps.ports ? { httpsPort: deps.ports.https, httpPort: deps.ports.http } : {}),
      // Names lead to the portal too, once there is an address to give out.
      ...(address === undefined ? {} : { dns: { address, ...(deps.ports ? { port: 0 } : {}) } }),
      log,
      now,
      onLogin: (result) => {
        logins[result] = (logins[result] ?? 0) + 1;
      },
    });
    log.info('portal running', {
      https: server.httpsPort,
      http: server.httpPort,
      dns: server.dnsPort ?? null,
      address: address ?? null,
      certificate: tls.origin,
      backends: portal.backends.map((b) => `${b.name} (${b.kind})`),
    });
  };

  const syncNow = async (inForce: InForce) => {
    ruleset = inForce.ruleset;
    reconcile(true);
    const portal = inForce.policy.portal;
    const wanted = portal !== undefined && inForce.policy.enforcement.unrecognized === 'portal';
    const section = wanted ? JSON.stringify(portal) : '';
    if (section === runningSection && (server !== undefined || !wanted)) return;
    await stop();
    if (!wanted || !portal) return;
    try {
      await start(inForce, portal);
      runningSection = section;
    } catch (error) {
      log.error('portal failed to start; unrecognized devices stay blocked', {
        error: (error as Error).message,
      });
    }
  };
  // Policy changes come quickly one after another: sync them one at a time, in order.
  let queue = Promise.resolve();

  return {
    sync(inForce) {
      // A failure here must never take the node down: it is logged, the node enforces on.
      queue = queue
        .then(() => syncNow(inForce))
        .catch((error: unknown) => log.error('portal sync failed', { error: (error as Error).message }));
      return queue;
    },
    reconcile,
    snapshot: () =>
      server ? { logins: { ...logins }, activePermits: activePermits(db, now()).length } : undefined,
    close: async () => {
      await queue;
      await stop();
    },
  };
}
