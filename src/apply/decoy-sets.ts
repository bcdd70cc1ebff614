// Decoy sets across a re-apply: the node fills `decoys4` (both tables) and
// `decoyhw4` (bridge table, address . MAC); replacing Picket's tables would
// empty them, so their elements are read before and put back in the same
// transaction when the new ruleset still declares them — a `picket apply` by
// hand leaves the decoys protected. Nft driver → nft command text. Shell.

import { type Nft, NftError } from './nft.js';

type JsonValue = string | { concat?: unknown[] } | { elem?: { val?: unknown } };
type JsonSet = { nftables?: { set?: { elem?: JsonValue[] } }[] };

function elementText(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value;
  const inner = 'elem' in value ? value.elem?.val : value;
  if (typeof inner === 'string') return inner;
  const parts = (inner as { concat?: unknown[] } | undefined)?.concat;
  if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts.join(' . ');
  return undefined;
}

function read(nft: Nft, family: 'inet' | 'bridge', set: string): string[] {
  let doc: JsonSet;
  try {
    doc = nft.listJson(`list set ${family} picket ${set}`) as JsonSet;
  } catch (error) {
    if (error instanceof NftError && error.notFound) return [];
    throw error;
  }
  return (doc.nftables?.find((o) => o.set)?.set?.elem ?? []).flatMap((e) => elementText(e) ?? []);
}

/** `add element` commands that put the kernel's decoy elements back, for the sets `rulesetText` declares. */
export function decoyCarryText(nft: Nft, rulesetText: string): string {
  if (!/\bset decoys4 \{/.test(rulesetText)) return '';
  let out = '';
  for (const [family, set] of [
    ['inet', 'decoys4'],
    ['inet', 'decoys6'],
    ['bridge', 'decoys4'],
    ['bridge', 'decoyhw4'],
  ] as const) {
    const elements = read(nft, family, set);
    if (elements.length > 0) out += `add element ${family} picket ${set} { ${elements.join(', ')} }\n`;
  }
  return out;
}
