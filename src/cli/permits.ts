// `picket permits [list] [--all] [--json] [--journal path]` and
// `picket permits revoke <ip|id> [--journal path]`: the identity portal's
// permits, from the node's journal (who, from where, which role, until when,
// how it ended). Revoking works with the node down too: the kernel elements
// go at once (from every permit set, so nothing of the source stays open)
// and the journal row is ended 'revoked'.
// Shell.

import { parseArgs } from 'node:util';
import { createNft, type Nft, NftError } from '../apply/nft.js';
import { permitDeleteText } from '../apply/permit-sets.js';
import { createJournal } from '../node/journal.js';
import { endPermit, expireDue, listPermits, type PermitRow } from '../node/permit-journal.js';
import { defaultJournal } from './detections.js';
import { PicketError, UsageError } from './errors.js';

const USAGE =
  'usage: picket permits [list] [--all] [--json] [--journal path] | revoke <ip|id> [--journal path]';

/** No permit in force matches what was given. */
export class NoSuchPermitError extends PicketError {
  readonly what: string;
  constructor(what: string) {
    super('no-such-permit', `no permit in force for ${what}`, {
      hint: '`picket permits` lists the permits in force (with --all, the ended ones too)',
    });
    this.what = what;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One permit as a line for people. */
export function formatPermit(p: PermitRow, nowMs: number): string {
  const state =
    p.endedMs !== undefined
      ? `ended ${iso(p.endedMs)} (${p.endReason ?? '?'})`
      : p.untilMs <= nowMs
        ? `expired ${iso(p.untilMs)}`
        : `until ${iso(p.untilMs)} (${Math.ceil((p.untilMs - nowMs) / 60_000)} min left)`;
  return `${p.id}  ${p.address.padEnd(15)} ${p.user} → ${p.role}  via ${p.backend}  since ${iso(p.createdMs)}  ${state}`;
}

/** The named sets of `table inet picket`; undefined without the table. Over netlink when it can (nft lists every element first). */
function setNames(nft: Nft): string[] | undefined {
  if (nft.bulk)
    return nft.bulk.listTableObjects('inet', 'picket')?.flatMap((o) => (o.kind === 'set' ? [o.name] : []));
  try {
    const text = nft.listText('list table inet picket', { terse: true });
    return [...text.matchAll(/\bset ([A-Za-z0-9_]+) \{/g)].map((m) => m[1] as string);
  } catch (error) {
    if (error instanceof NftError && error.notFound) return undefined;
    throw error;
  }
}

/** Removes `address` from every permit set of its family in this namespace's kernel; how many sets had it. */
function deleteFromKernel(address: string): number {
  const nft = createNft();
  try {
    const names = setNames(nft);
    if (names === undefined) return 0;
    const family = address.includes(':') ? '6' : '4';
    const sets = names.filter((s) => /^permit_[a-z0-9_]+[46]$/.test(s) && s.endsWith(family));
    if (sets.length > 0) nft.run(sets.map((s) => permitDeleteText(s, address)).join(''));
    return sets.length;
  } finally {
    nft.close();
  }
}

/** `picket permits`: exit 0; revoke of nothing in force is an error (exit 1). */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: 'boolean' }, all: { type: 'boolean' }, journal: { type: 'string' } },
  });
  const [command = 'list', target, ...rest] = positionals;
  if (rest.length > 0 || (command !== 'list' && command !== 'revoke')) throw new UsageError(USAGE);
  const journal = createJournal(values.journal ?? process.env.PICKET_JOURNAL ?? defaultJournal());
  const db = journal.database;
  try {
    const nowMs = Date.now();
    expireDue(db, nowMs);
    if (command === 'list') {
      if (target !== undefined) throw new UsageError(USAGE);
      const rows = listPermits(db, values.all ? {} : { activeAtMs: nowMs });
      for (const p of rows)
        process.stdout.write(`${values.json ? JSON.stringify(p) : formatPermit(p, nowMs)}\n`);
      if (rows.length === 0 && !values.json) process.stdout.write('no permits in force\n');
      return 0;
    }
    if (target === undefined) throw new UsageError(USAGE, 'name the permit: its id (p-…) or the address');
    const matching = listPermits(db, { activeAtMs: nowMs }).filter(
      (p) => p.id === target || p.address === target,
    );
    if (matching.length === 0) throw new NoSuchPermitError(target);
    for (const address of new Set(matching.map((p) => p.address))) deleteFromKernel(address);
    for (const p of matching) {
      endPermit(db, p.id, Date.now(), 'revoked');
      process.stdout.write(`revoked ${p.id} (${p.user} from ${p.address}, role ${p.role})\n`);
    }
    return 0;
  } finally {
    journal.close();
  }
}
