// Portal permits in the kernel: read the permit sets' elements (address with
// its timeout and time left), and the nft commands that add, delete or carry
// them. A re-apply replaces Picket's tables, so the permits of every role the
// new ruleset still declares are put back in the same transaction with their
// remaining time. Nft driver → PermitElement[]; elements → command text. Shell.

import type { PermitElement } from '../compile/portal.js';
import { type Nft, NftError } from './nft.js';

type JsonElem = string | { elem?: { val?: unknown; timeout?: number; expires?: number } };
type JsonSet = { nftables?: { set?: { elem?: JsonElem[] } }[] };

/** The permit set names (`permit_<role><family>`) a rendered ruleset declares. */
export function declaredPermitSets(rulesetText: string): string[] {
  return [...rulesetText.matchAll(/\bset (permit_[a-z0-9_]+[46]) \{/g)].map((m) => m[1] as string);
}

/** Reads the elements of the named permit sets; a set the kernel does not have is skipped. */
export function readPermitElements(nft: Nft, sets: readonly string[]): PermitElement[] {
  const out: PermitElement[] = [];
  for (const set of sets) {
    let doc: JsonSet;
    try {
      doc = nft.listJson(`list set inet picket ${set}`) as JsonSet;
    } catch (error) {
      if (error instanceof NftError && error.notFound) continue;
      throw error;
    }
    for (const e of doc.nftables?.find((o) => o.set)?.set?.elem ?? []) {
      if (typeof e === 'string') continue;
      const elem = e.elem ?? {};
      if (typeof elem.val !== 'string') continue;
      const timeoutSeconds = Number(elem.timeout ?? 0);
      const expiresSeconds = Number(elem.expires ?? 0);
      if (timeoutSeconds <= 0 || expiresSeconds <= 0) continue;
      out.push({ set, address: elem.val, timeoutSeconds, expiresSeconds });
    }
  }
  return out;
}

/** `add element` commands that put permits back with their remaining time. */
export function permitElementsText(elements: readonly PermitElement[]): string {
  return elements
    .map(
      (e) =>
        `add element inet picket ${e.set} { ${e.address} timeout ${Math.ceil(e.timeoutSeconds)}s expires ${Math.min(Math.ceil(e.timeoutSeconds), Math.max(1, Math.floor(e.expiresSeconds)))}s }\n`,
    )
    .join('');
}

/**
 * One transaction that (re)places a permit element with a fresh timeout: nft
 * `add` leaves an existing element's timeout alone and `delete` of a missing
 * one fails, so add, delete, add.
 */
export function permitPutText(set: string, address: string, timeoutSeconds: number): string {
  const t = Math.max(1, Math.ceil(timeoutSeconds));
  return [
    `add element inet picket ${set} { ${address} }`,
    `delete element inet picket ${set} { ${address} }`,
    `add element inet picket ${set} { ${address} timeout ${t}s }`,
    '',
  ].join('\n');
}

/** One transaction that removes a permit element whether or not it is still there. */
export function permitDeleteText(set: string, address: string): string {
  return [
    `add element inet picket ${set} { ${address} }`,
    `delete element inet picket ${set} { ${address} }`,
    '',
  ].join('\n');
}
