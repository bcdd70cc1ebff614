// `picket status [--json]`: what this network namespace enforces — the last
// good ruleset, whether the kernel still matches it, the quarantine, portal
// permits and any pending confirmation.
// Shell.

import { parseArgs } from 'node:util';
import { readEnforced, readQuarantine } from '../apply/apply.js';
import { createNft, type Nft } from '../apply/nft.js';
import { readPermitElements } from '../apply/permit-sets.js';
import { formatSeconds } from '../apply/plan.js';
import { createStateStore, processAlive } from '../apply/state-store.js';
import { permitSetFor } from '../compile/portal.js';
import type { Ruleset } from '../compile/ruleset.js';
import { UsageError } from './errors.js';

/** What `picket status --json` prints. */
export interface Status {
  readonly enforcing: boolean;
  readonly site?: string;
  readonly policyFile?: string;
  readonly hash?: string;
  readonly appliedAt?: string;
  readonly mode?: string;
  readonly outOfProfile?: string;
  readonly quarantineDuration?: string;
  readonly allowEntries?: { readonly ipv4: number; readonly ipv6: number };
  readonly windows?: number;
  readonly never?: number;
  readonly quarantined: number;
  /** Portal permits in the kernel now (elements of the permit sets), when the policy has a portal. */
  readonly permits?: number;
  readonly kernelHash?: string;
  readonly kernelMatches: boolean;
  readonly pendingConfirmation?: {
    readonly hash: string;
    readonly deadline: string;
    readonly timerAlive: boolean;
  };
}

/** Elements in the kernel's portal permit sets (each set small: one element per device). */
function countPermits(nft: Nft, r: Ruleset): number {
  const sets = (r.portal?.roles ?? []).flatMap((role) =>
    ([4, 6] as const).flatMap((f) => permitSetFor(r, role.role, f) ?? []),
  );
  return readPermitElements(nft, sets).length;
}

function collect(): Status {
  const nft = createNft();
  const store = createStateStore();
  try {
    const enforced = readEnforced(nft);
    const current = store.readCurrent();
    const pending = store.readPending();
    const r = current?.ruleset;
    return {
      enforcing: enforced.present,
      ...(r
        ? {
            site: r.site,
            policyFile: r.policyFile,
            hash: r.hash,
            appliedAt: new Date(current.appliedAtMs).toISOString(),
            mode: r.mode,
            outOfProfile: r.outOfProfile,
            quarantineDuration: formatSeconds(r.quarantineTimeoutSeconds),
            allowEntries: {
              ipv4: r.entries.filter((e) => e.family === 4).length,
              ipv6: r.entries.filter((e) => e.family === 6).length,
            },
            windows: r.windows.length,
            never: r.never.length,
          }
        : {}),
      quarantined: readQuarantine(nft).length,
      ...(r?.portal ? { permits: countPermits(nft, r) } : {}),
      ...(enforced.hash ? { kernelHash: enforced.hash } : {}),
      kernelMatches: enforced.present ? enforced.hash === r?.hash : r === undefined,
      ...(pending
        ? {
            pendingConfirmation: {
              hash: pending.hash,
              deadline: new Date(pending.deadlineMs).toISOString(),
              timerAlive: pending.timerPid !== undefined && processAlive(pending.timerPid),
            },
          }
        : {}),
    };
  } finally {
    nft.close();
    store.close();
  }
}

function render(s: Status): string {
  if (!s.enforcing && s.hash === undefined) return 'Picket enforces nothing in this network namespace.\n';
  const lines: [string, string | number | undefined][] = [
    ['site', s.site],
    ['policy', s.policyFile],
    ['hash', s.hash],
    ['applied at', s.appliedAt],
    ['mode', s.mode],
    ['out-of-profile', s.outOfProfile],
    ['quarantine for', s.quarantineDuration],
    ['allow entries', s.allowEntries && `${s.allowEntries.ipv4} IPv4, ${s.allowEntries.ipv6} IPv6`],
    ['time windows', s.windows],
    ['never-list', s.never],
    ['quarantined', s.quarantined],
    ['portal permits', s.permits],
  ];
  let out = lines
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${`${k}:`.padEnd(16)}${v}\n`)
    .join('');
  if (!s.enforcing)
    out += 'kernel:         NO Picket tables — the last good ruleset is not enforced; run `picket apply`\n';
  else if (!s.kernelMatches) {
    out += `kernel:         shows ${s.kernelHash ?? 'no hash'} — changed outside Picket; \`picket plan\` shows the difference\n`;
  } else out += 'kernel:         matches the last good ruleset\n';
  const p = s.pendingConfirmation;
  if (p?.timerAlive) {
    out += `pending:        confirm with \`picket apply --confirm\` before ${p.deadline} or it rolls back\n`;
  } else if (p) {
    out += `pending:        ${p.hash.slice(0, 12)} was on trial until ${p.deadline} but its rollback timer is gone; \`picket apply --confirm\` keeps it\n`;
  }
  return out;
}

/** `picket status`: exit 0, also when nothing is enforced. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw new UsageError('usage: picket status [--json]');
  const status = collect();
  process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : render(status));
  return 0;
}
