// Applying a Ruleset: read what the kernel enforces now, carry the quarantine
// over, replace Picket's tables in ONE atomic transaction, verify the kernel
// took it, and record it as the last good ruleset. Also the rollback to the
// previous one. Ruleset + drivers (nft, state store) → kernel + disk.
// Shell (drivers are passed in).

import { PicketError } from '../cli/errors.js';
import {
  type BulkSet,
  bulkSets,
  INET_TABLE_COMMENT,
  renderBridgeReplacement,
  renderInetStaged,
  renderNft,
} from '../compile/render.js';
import { type Ruleset, TABLE_BRIDGE, TABLE_INET } from '../compile/ruleset.js';
import { decoyCarryText } from './decoy-sets.js';
import { type BulkLoader, type Nft, NftError } from './nft.js';
import { buildElementBatches } from './nft-elements-codec.js';
import { declaredPermitSets, permitElementsText, readPermitElements } from './permit-sets.js';
import type { StateStore, StoredRuleset } from './state-store.js';

/** A quarantined source as found in the kernel, to be carried into a new ruleset. */
export interface QuarantinedElement {
  readonly address: string;
  readonly family: 4 | 6;
  readonly timeoutSeconds: number;
  readonly expiresSeconds: number;
}

/** What the kernel says about Picket's tables right now. */
export interface Enforced {
  readonly present: boolean;
  readonly site?: string;
  readonly hash?: string;
  readonly policyFile?: string;
}

/** The drivers an apply works with. */
export interface ApplyDeps {
  readonly nft: Nft;
  readonly store: StateStore;
  readonly nowMs: number;
}

/** What an apply did. */
export interface ApplyResult {
  /**
   * The ruleset this apply replaced, from the last-good store; read on demand
   * (a 100k-pair ruleset is a 13 MB record, not worth parsing before the switch).
   */
  readPrevious(): StoredRuleset | undefined;
  /** Whether Picket's tables were in the kernel before (else they were created). */
  readonly replacedTables: boolean;
  readonly carried: readonly QuarantinedElement[];
  /** Quarantined addresses not carried because the new policy puts them on the never-list. */
  readonly released: readonly string[];
  /** Time spent changing the kernel: the transaction, or a staged apply's stage, fill and switch. */
  readonly transactionMs: number;
}

/** The kernel refused the transaction; nothing changed. */
export class ApplyRejectedError extends PicketError {
  readonly lastGoodHash?: string;
  constructor(cause: NftError, lastGoodHash: string | undefined) {
    const where = cause.lineText ? ` Offending command (line ${cause.line}): ${cause.lineText.trim()}.` : '';
    super('apply-rejected', `the kernel rejected the new ruleset: ${cause.kernelMessage}`, {
      cause,
      hint:
        'nothing changed: the transaction is atomic, so the kernel keeps enforcing what it did before' +
        (lastGoodHash ? ` (last good ruleset ${lastGoodHash.slice(0, 12)}).` : '.') +
        `${where} Run \`picket compile\` to inspect the generated ruleset.`,
    });
    if (lastGoodHash !== undefined) this.lastGoodHash = lastGoodHash;
  }
}

/** The transaction was accepted but the kernel does not show the new hash. */
export class ApplyVerifyError extends PicketError {
  readonly expectedHash: string;
  readonly foundHash?: string;
  constructor(expectedHash: string, foundHash: string | undefined) {
    super(
      'apply-unverified',
      `after applying, the kernel shows ruleset ${foundHash ?? '(none)'}, not ${expectedHash}`,
      {
        hint: 'something else changed table inet picket at the same time; run `picket status` and apply again',
      },
    );
    this.expectedHash = expectedHash;
    if (foundHash !== undefined) this.foundHash = foundHash;
  }
}

/** Parses Picket's table comment `picket site=<site> hash=<hash> policy=<file>`. */
export function parseTableComment(comment: string): Omit<Enforced, 'present'> {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(comment)?.[1];
  const site = field('site');
  const hash = field('hash');
  const policyFile = /(?:^|\s)policy=(.+)$/.exec(comment)?.[1];
  return { ...(site ? { site } : {}), ...(hash ? { hash } : {}), ...(policyFile ? { policyFile } : {}) };
}

/** Runs a list command; undefined when what it names does not exist. */
function listOrAbsent<T>(list: () => T): T | undefined {
  try {
    return list();
  } catch (error) {
    if (error instanceof NftError && error.notFound) return undefined;
    throw error;
  }
}

/**
 * Reads what is enforced from the kernel: present when `table inet picket` is,
 * and the policy from `table bridge picket`'s comment, which every apply
 * replaces (tables from before it was kept there carry it on the inet table).
 * Two GETTABLEs: cheap at any ruleset size.
 */
export function readEnforced(nft: Nft): Enforced {
  const inet = nft.tableComment('inet', TABLE_INET);
  if (!inet.present) return { present: false };
  const comment = nft.tableComment('bridge', TABLE_BRIDGE).comment ?? inet.comment;
  return { present: true, ...(comment?.includes('hash=') ? parseTableComment(comment) : {}) };
}

type JsonElem = string | { elem?: { val?: unknown; timeout?: number; expires?: number } };
type JsonSet = { nftables?: { set?: { timeout?: number; elem?: JsonElem[] } }[] };

/** Reads the quarantine sets (small: one element per quarantined source; ~0.1 s each at 100k entries). */
export function readQuarantine(nft: Nft): QuarantinedElement[] {
  return readQuarantineSets(nft).elements;
}

function readQuarantineSets(nft: Nft): { tablePresent: boolean; elements: QuarantinedElement[] } {
  const found: QuarantinedElement[] = [];
  let tablePresent = false;
  for (const family of [4, 6] as const) {
    const doc = listOrAbsent(() => nft.listJson(`list set inet picket quarantine${family}`) as JsonSet);
    if (doc) tablePresent = true;
    const set = doc?.nftables?.find((o) => o.set)?.set;
    for (const e of set?.elem ?? []) {
      const elem = typeof e === 'string' ? { val: e } : (e.elem ?? {});
      if (typeof elem.val !== 'string') continue;
      const timeoutSeconds = Number(('timeout' in elem ? elem.timeout : undefined) ?? set?.timeout ?? 0);
      const expiresSeconds = Number(('expires' in elem ? elem.expires : undefined) ?? timeoutSeconds);
      if (timeoutSeconds <= 0 || expiresSeconds <= 0) continue;
      found.push({ address: elem.val, family, timeoutSeconds, expiresSeconds });
    }
  }
  return { tablePresent, elements: found };
}

/** Reads the kernel's never-list sets (`never4`/`never6`); undefined when Picket has no tables. */
export function readNeverList(nft: Nft): string[] | undefined {
  let found: string[] | undefined;
  for (const family of [4, 6] as const) {
    const doc = listOrAbsent(() => nft.listJson(`list set inet picket never${family}`) as JsonSet);
    if (!doc) continue;
    found ??= [];
    for (const e of doc.nftables?.find((o) => o.set)?.set?.elem ?? []) {
      const val = typeof e === 'string' ? e : e.elem?.val;
      if (typeof val === 'string') found.push(val);
    }
  }
  return found;
}

/** nft commands that put `elements` back into the quarantine sets, with their remaining time. */
export function quarantineElementsText(elements: readonly QuarantinedElement[]): string {
  let out = '';
  for (const family of [4, 6] as const) {
    const list = elements.filter((e) => e.family === family);
    if (list.length === 0) continue;
    const items = list.map((e) => `${e.address} timeout ${e.timeoutSeconds}s expires ${e.expiresSeconds}s`);
    out += `add element inet picket quarantine${family} { ${items.join(', ')} }\n`;
  }
  return out;
}

/** Checks `ruleset` against the kernel's parser and validation without committing anything. */
export function checkRuleset(nft: Nft, ruleset: Ruleset): void {
  nft.check(renderNft(ruleset));
}

/**
 * Runs `text` — a full replacement of Picket's tables — in one transaction with
 * the kernel's current quarantine appended. The quarantine is read after
 * rendering, right before the commit: a source the packet path quarantines
 * between the read and the commit is the only thing a re-apply can lose.
 */
function replaceTables(nft: Nft, text: string, never: readonly string[]) {
  const { tablePresent, carried, released, carryText } = carryOver(nft, text, never);
  const started = performance.now();
  nft.run(`${text.trimEnd()}\n${carryText}`);
  return { tablePresent, carried, released, transactionMs: performance.now() - started };
}

/** What a replacement carries over from the kernel's current tables, as nft commands to run after them. */
function carryOver(nft: Nft, text: string, never: readonly string[]) {
  const { tablePresent, elements } = readQuarantineSets(nft);
  const declared = new Set([...text.matchAll(/\bset (quarantine[46])\b/g)].map((m) => m[1]));
  // A source now on the never-list must not stay cut off by an old quarantine.
  const released = elements.filter((q) => never.includes(q.address)).map((q) => q.address);
  const carried = elements.filter((q) => declared.has(`quarantine${q.family}`) && !never.includes(q.address));
  // Portal permits of roles the new ruleset still has keep their remaining time.
  const permits = readPermitElements(nft, declaredPermitSets(text));
  // The node's decoys stay protected across the replacement.
  const decoys = decoyCarryText(nft, text);
  const carryText = `${quarantineElementsText(carried)}${permitElementsText(permits)}${decoys}`;
  return { tablePresent, carried, released, carryText };
}

/**
 * A replacement for rulesets with sets of thousands of tuples, which libnftables
 * would spend most of a second parsing. Three steps, of which only the last
 * changes what traffic meets:
 *   1. stage: the large sets are declared empty in `table inet picket` under
 *      names of their own (nothing refers to them yet);
 *   2. fill: their elements are committed over netlink, in batches;
 *   3. switch: one nft transaction flushes and deletes the table's chains and
 *      its other sets, declares the new ones and the chains referring to the
 *      staged sets, replaces the bridge table and carries elements over — as
 *      atomic for packets as replacing the whole table.
 * The inet table itself stays (a set cannot outlive its table), so this path is
 * only taken when the table is absent or already carries INET_TABLE_COMMENT
 * (and holds only plainly named objects).
 * If anything fails before the switch commits, the staged sets are deleted
 * (with the table, when this apply created it) and the previous ruleset stays
 * in force untouched. Undefined when the plain replacement must be used.
 */
function replaceStaged(
  nft: Nft,
  loader: BulkLoader,
  ruleset: Ruleset,
  text: string,
  bulk: readonly BulkSet[],
) {
  const inet = nft.tableComment('inet', TABLE_INET);
  if (inet.present && inet.comment !== INET_TABLE_COMMENT) return undefined;
  const existing = inet.present ? (loader.listTableObjects('inet', TABLE_INET) ?? []) : [];
  // Picket names its objects plainly; anything else in the table is left to the whole-table replacement.
  if (existing.some((o) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name))) return undefined;
  const { tablePresent, carried, released, carryText } = carryOver(nft, text, ruleset.never);
  const started = performance.now();
  const suffix = `_s${Date.now().toString(36)}`;
  const names = new Map(bulk.map((b) => [b.name, `${b.name}${suffix}`]));
  const staged = [...names.values()];
  const declarations = bulk.map((b) => b.declaration(`${b.name}${suffix}`).replace(/^/gm, '\t'));
  nft.run(`table inet ${TABLE_INET} {\n\tcomment "${INET_TABLE_COMMENT}"\n${declarations.join('\n')}\n}\n`);
  try {
    let seq = 1;
    for (const b of bulk) {
      const target = {
        family: 'inet',
        table: TABLE_INET,
        set: `${b.name}${suffix}`,
        addressFamily: b.family,
        interval: b.interval,
      } as const;
      const batches = buildElementBatches(target, b.entries, seq);
      seq = batches.at(-1)?.nextSeq ?? seq;
      loader.commitBatches(batches, `the ${b.entries.length} elements of set ${b.name}`);
    }
    const chains = existing.filter((o) => o.kind === 'chain').map((o) => o.name);
    const others = existing.filter((o) => o.kind !== 'chain' && !staged.includes(o.name));
    nft.run(
      [
        ...chains.map((c) => `flush chain inet ${TABLE_INET} ${c}`),
        ...chains.map((c) => `delete chain inet ${TABLE_INET} ${c}`),
        ...others.map((o) => `delete ${o.kind} inet ${TABLE_INET} ${o.name}`),
        renderInetStaged(ruleset, { names }),
        renderBridgeReplacement(ruleset),
        carryText,
      ].join('\n'),
    );
  } catch (error) {
    try {
      nft.run(
        inet.present
          ? staged.map((name) => `delete set inet ${TABLE_INET} ${name}`).join('\n')
          : `delete table inet ${TABLE_INET}`,
      );
    } catch {
      // The staged sets are unreferenced; the next apply's switch deletes leftovers.
    }
    throw error;
  }
  return { tablePresent, carried, released, transactionMs: performance.now() - started };
}

/** Puts `ruleset` (rendered as `text`) in force: staged when it has large sets and the kernel allows, else whole. */
function replace(nft: Nft, ruleset: Ruleset, text: string): ReturnType<typeof replaceTables> {
  const bulk = nft.bulk ? bulkSets(ruleset) : [];
  const staged = bulk.length > 0 && nft.bulk ? replaceStaged(nft, nft.bulk, ruleset, text, bulk) : undefined;
  return staged ?? replaceTables(nft, text, ruleset.never);
}

/** Replaces Picket's tables with `ruleset` atomically, carrying the quarantine over, and records it. */
export function applyRuleset(deps: ApplyDeps, ruleset: Ruleset): ApplyResult {
  const { nft, store } = deps;
  // Rendered once, without carried elements: this text is also what is kept as last good.
  const text = renderNft(ruleset);
  let replaced: ReturnType<typeof replaceTables>;
  try {
    replaced = replace(nft, ruleset, text);
  } catch (error) {
    if (error instanceof NftError) throw new ApplyRejectedError(error, store.readCurrent()?.ruleset.hash);
    throw error;
  }
  const after = readEnforced(nft);
  if (after.hash !== ruleset.hash) throw new ApplyVerifyError(ruleset.hash, after.hash);
  store.saveApplied({ ruleset, nft: text, appliedAtMs: deps.nowMs });
  const { tablePresent, carried, released, transactionMs } = replaced;
  return {
    readPrevious: () => store.readPrevious(),
    replacedTables: tablePresent,
    carried,
    released,
    transactionMs,
  };
}

const DELETE_TABLES =
  'add table inet picket\ndelete table inet picket\nadd table bridge picket\ndelete table bridge picket\n';

/**
 * Puts `previous` back in force (with the current quarantine carried over), or
 * deletes Picket's tables when there was none; records the rollback.
 */
export function rollbackTo(
  deps: Pick<ApplyDeps, 'nft' | 'store'>,
  previous: StoredRuleset | undefined,
): void {
  const { nft, store } = deps;
  if (previous) {
    replace(nft, previous.ruleset, previous.nft);
    store.saveRolledBack('previous');
  } else {
    nft.run(DELETE_TABLES);
    store.saveRolledBack('nothing');
  }
}
