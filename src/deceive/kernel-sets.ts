// The decoy sets of Picket's tables (declared by the compiler when the policy
// has decoys): `decoys4` in both tables and `decoyhw4` (address . MAC) in the
// bridge table are replaced in one transaction; `seen4` (every ARP sender the
// bridge heard in the last hour) is read for placement. Decoys → nft text;
// kernel → seen addresses. Driver (the text builder is pure).

import type { Nft } from '../apply/nft.js';
import type { DecoyLink } from './links.js';

/**
 * One transaction that makes the decoy sets hold exactly `decoys`, and with
 * `deceive` (pairs of real asset → decoy address) the `deceive4` map too.
 */
export function decoySetsText(decoys: readonly DecoyLink[], deceive?: readonly [string, string][]): string {
  const lines = [
    'flush set inet picket decoys4',
    'flush set bridge picket decoys4',
    'flush set bridge picket decoyhw4',
  ];
  if (decoys.length > 0) {
    const ips = decoys.map((d) => d.ip).join(', ');
    lines.push(`add element inet picket decoys4 { ${ips} }`, `add element bridge picket decoys4 { ${ips} }`);
    lines.push(
      `add element bridge picket decoyhw4 { ${decoys.map((d) => `${d.ip} . ${d.mac}`).join(', ')} }`,
    );
  }
  if (deceive !== undefined) {
    lines.push('flush map inet picket deceive4');
    if (deceive.length > 0)
      lines.push(`add element inet picket deceive4 { ${deceive.map(([a, d]) => `${a} : ${d}`).join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** Puts the decoys (and the deceive map) into the kernel's sets in one atomic transaction. */
export function writeDecoySets(
  nft: Nft,
  decoys: readonly DecoyLink[],
  deceive?: readonly [string, string][],
): void {
  nft.run(decoySetsText(decoys, deceive));
}

type JsonSet = { nftables?: { set?: { elem?: (string | { elem?: { val?: unknown } })[] } }[] };

/** Addresses the bridge heard as ARP senders lately; empty when the set is absent. */
export function readSeenAddresses(nft: Nft): string[] {
  let doc: JsonSet;
  try {
    doc = nft.listJson('list set bridge picket seen4') as JsonSet;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of doc.nftables?.find((o) => o.set)?.set?.elem ?? []) {
    const val = typeof e === 'string' ? e : e.elem?.val;
    if (typeof val === 'string') out.push(val);
  }
  return out;
}
