// Makes allow boxes disjoint. The kernel's concatenated interval sets (pipapo)
// refuse an element that overlaps one already in the set — "Could not process
// rule: File exists", measured on Linux 6.18 / nft 1.0.6 — while a policy
// naturally overlaps (a zone-to-zone rule and a host rule inside it). So the
// union of the boxes is re-cut into disjoint boxes, wider rules first, each piece
// still citing the rule it came from. AddressBox[] → disjoint AddressBox[]. Pure.

import type { AddressBox, AddressRange } from './boxes.js';

/** The same allowed space as `boxes`, cut so that no two boxes of the same set overlap. */
export function disjointBoxes(boxes: readonly AddressBox[]): AddressBox[] {
  const groups = new Map<string, AddressBox[]>();
  for (const box of boxes) {
    const key = `${box.family}|${box.schedule ?? ''}|${box.transport}`;
    const group = groups.get(key) ?? [];
    group.push(box);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(disjointGroup).sort(compareBoxes);
}

function disjointGroup(group: readonly AddressBox[]): AddressBox[] {
  // Wider boxes first: the wide box is kept whole and the narrow ones lose what it
  // already covers, so a host inside a zone costs a few pieces, not a shattered zone.
  const ordered = group
    .map((box, index) => ({
      box,
      index,
      source: size(box.source),
      destination: size(box.destination),
      ports: box.toPort - box.fromPort,
    }))
    .sort(
      (a, b) =>
        compareBig(b.source, a.source) ||
        compareBig(b.destination, a.destination) ||
        b.ports - a.ports ||
        a.index - b.index,
    );
  const byPair = new Map<string, AddressBox[]>();
  const wide: AddressBox[] = [];
  const narrow: AddressBox[] = [];
  const accepted: AddressBox[] = [];
  for (const { box } of ordered) {
    const key = pairKey(box);
    const isWide = !isPoint(box.source) || !isPoint(box.destination);
    // Boxes of the same address pair are all in `byPair`; the others can overlap
    // only if one of the two is wide. Narrow boxes exist before a wide one only as
    // pieces of earlier cuts: few.
    let candidates = byPair.get(key) ?? [];
    if (wide.length > 0 || isWide) {
      const others = isWide ? [...wide, ...narrow] : wide;
      const crossing = others.filter((c) => overlaps(box, c) && pairKey(c) !== key);
      if (crossing.length > 0) candidates = [...candidates, ...crossing];
    }
    let pieces = [box];
    for (const c of candidates) {
      pieces = pieces.flatMap((p) => subtract(p, c));
      if (pieces.length === 0) break;
    }
    for (const p of pieces) {
      accepted.push(p);
      const pieceKey = p === box ? key : pairKey(p);
      const same = byPair.get(pieceKey);
      if (same === undefined) byPair.set(pieceKey, [p]);
      else same.push(p);
      (isPoint(p.source) && isPoint(p.destination) ? narrow : wide).push(p);
    }
  }
  return accepted;
}

/** `box` minus `cut`: up to six boxes covering what `box` has and `cut` has not. */
function subtract(box: AddressBox, cut: AddressBox): AddressBox[] {
  if (!overlaps(box, cut)) return [box];
  const out: AddressBox[] = [];
  const [below, middle, above] = split(box.source, cut.source);
  if (below) out.push({ ...box, source: below });
  if (above) out.push({ ...box, source: above });
  const [dBelow, dMiddle, dAbove] = split(box.destination, cut.destination);
  if (dBelow) out.push({ ...box, source: middle, destination: dBelow });
  if (dAbove) out.push({ ...box, source: middle, destination: dAbove });
  const inner = { ...box, source: middle, destination: dMiddle };
  if (box.fromPort < cut.fromPort) out.push({ ...inner, toPort: cut.fromPort - 1 });
  if (box.toPort > cut.toPort) out.push({ ...inner, fromPort: cut.toPort + 1 });
  return out;
}

/** Splits `r` by `cut` (which overlaps it) into the part below, the overlap, and the part above. */
function split(
  r: AddressRange,
  cut: AddressRange,
): [AddressRange | undefined, AddressRange, AddressRange | undefined] {
  const below = r.first < cut.first ? { ...r, last: cut.first - 1n } : undefined;
  const above = r.last > cut.last ? { ...r, first: cut.last + 1n } : undefined;
  // biome-ignore lint/complexity/useMathMinMax: Math.max/min do not take bigint
  const first = r.first > cut.first ? r.first : cut.first;
  // biome-ignore lint/complexity/useMathMinMax: Math.max/min do not take bigint
  const last = r.last < cut.last ? r.last : cut.last;
  const middle = { ...r, first, last };
  return [below, middle, above];
}

function overlaps(a: AddressBox, b: AddressBox): boolean {
  return (
    a.fromPort <= b.toPort &&
    b.fromPort <= a.toPort &&
    a.source.first <= b.source.last &&
    b.source.first <= a.source.last &&
    a.destination.first <= b.destination.last &&
    b.destination.first <= a.destination.last
  );
}

function pairKey(b: AddressBox): string {
  return `${b.source.first}-${b.source.last}|${b.destination.first}-${b.destination.last}`;
}

function isPoint(r: AddressRange): boolean {
  return r.first === r.last;
}

function size(r: AddressRange): bigint {
  return r.last - r.first;
}

// Code-unit order, not locale order: the rendered text must not depend on the host.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Element order in the rendered sets: family, schedule, source, destination, transport, port. */
function compareBoxes(a: AddressBox, b: AddressBox): number {
  return (
    a.family - b.family ||
    compareText(a.schedule ?? '', b.schedule ?? '') ||
    compareBig(a.source.first, b.source.first) ||
    compareBig(a.source.last, b.source.last) ||
    compareBig(a.destination.first, b.destination.first) ||
    compareBig(a.destination.last, b.destination.last) ||
    compareText(a.transport, b.transport) ||
    a.fromPort - b.fromPort
  );
}
