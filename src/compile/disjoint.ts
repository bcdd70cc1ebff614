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
    .map((box, index) => ({ box, index }))
    .sort(
      (a, b) =>
        compareBig(size(b.box.source), size(a.box.source)) ||
        compareBig(size(b.box.destination), size(a.box.destination)) ||
        b.box.toPort - b.box.fromPort - (a.box.toPort - a.box.fromPort) ||
        a.index - b.index,
    );
  const exact = new Map<string, AddressBox[]>();
  const wide: AddressBox[] = [];
  const narrow: AddressBox[] = [];
  const accepted: AddressBox[] = [];
  for (const { box } of ordered) {
    const isWide = !isPoint(box.source) || !isPoint(box.destination);
    const candidates = new Set<AddressBox>(exact.get(pairKey(box)) ?? []);
    for (const c of wide) if (overlaps(box, c)) candidates.add(c);
    // Narrow boxes exist before a wide one only as pieces of earlier cuts: few.
    if (isWide) for (const c of narrow) if (overlaps(box, c)) candidates.add(c);
    let pieces = [box];
    for (const c of candidates) {
      pieces = pieces.flatMap((p) => subtract(p, c));
      if (pieces.length === 0) break;
    }
    for (const p of pieces) {
      accepted.push(p);
      const key = pairKey(p);
      const same = exact.get(key) ?? [];
      same.push(p);
      exact.set(key, same);
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
