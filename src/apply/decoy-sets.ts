// Decoy sets across a re-apply: the node fills `decoys4` (both tables),
// `decoyhw4` (bridge table, address . MAC) and, with `deceive: true`, the map
// `deceive4` (real asset → decoy); replacing Picket's tables would empty them,
// so their elements are read before and put back in the same transaction when
// the new ruleset still declares them — a `picket apply` by hand leaves the
// decoys protected. Nft driver → nft command text. Shell.

import { type Nft, NftError } from './nft.js';

type JsonValue = string | unknown[] | { concat?: unknown[] } | { elem?: { val?: unknown } };
type JsonSet = { nftables?: { set?: { elem?: JsonValue[] }; map?: { elem?: JsonValue[] } }[] };

function elementText(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value;
  // A map element: [key, value].
  if (Array.isArray(value)) {
    const [key, mapped] = value;
    return typeof key === 'string' && typeof mapped === 'string' ? `${key} : ${mapped}` : undefined;
  }
  const inner = 'elem' in value ? value.elem?.val : value;
  if (typeof inner === 'string') return inner;
  const parts = (inner as { concat?: unknown[] } | undefined)?.concat;
  if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts.join(' . ');
  return undefined;
}

function read(nft: Nft, family: 'inet' | 'bridge', name: string, kind: 'set' | 'map' = 'set'): string[] {
  let doc: JsonSet;
  try {
    doc = nft.listJson(`list ${kind} ${family} picket ${name}`) as JsonSet;
  } catch (error) {
    if (error instanceof NftError && error.notFound) return [];
    throw error;
  }
  const found = doc.nftables?.find((o) => o.set ?? o.map);
  return ((found?.set ?? found?.map)?.elem ?? []).flatMap((e) => elementText(e) ?? []);
}

/** `add element` commands that put the kernel's decoy elements back, for the sets `rulesetText` declares. */
export function decoyCarryText(nft: Nft, rulesetText: string): string {
  if (!/\bset decoys4 \{/.test(rulesetText)) return '';
  let out = '';
  for (const [family, name] of [
    ['inet', 'decoys4'],
    ['inet', 'decoys6'],
    ['bridge', 'decoys4'],
    ['bridge', 'decoyhw4'],
  ] as const) {
    const elements = read(nft, family, name);
    if (elements.length > 0) out += `add element ${family} picket ${name} { ${elements.join(', ')} }\n`;
  }
  if (/\bmap deceive4 \{/.test(rulesetText)) {
    const pairs = read(nft, 'inet', 'deceive4', 'map');
    if (pairs.length > 0) out += `add element inet picket deceive4 { ${pairs.join(', ')} }\n`;
  }
  return out;
}
