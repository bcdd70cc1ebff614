// Address spans (Modbus registers and coils, 0-based, inclusive) as the
// learner collects them: kept sorted, and merged only where they overlap or
// touch, so the union is exactly the addresses seen. Widening (closing gaps)
// happens only when asked (`--generalize`) or when the cap forces it, and the
// caller reports that. Spans → spans. Pure.

/** An inclusive address range. */
export interface Span {
  from: number;
  to: number;
}

/** Adds [from, to] to the sorted, disjoint, non-touching `spans`; returns false when the cap forced a merge. */
export function addSpan(spans: Span[], from: number, to: number, max: number): boolean {
  let i = 0;
  while (i < spans.length && spans[i]!.to + 1 < from) i++;
  // spans[i] is the first that overlaps or touches [from, to] or lies after it.
  let j = i;
  let lo = from;
  let hi = to;
  while (j < spans.length && spans[j]!.from <= to + 1) {
    lo = Math.min(lo, spans[j]!.from);
    hi = Math.max(hi, spans[j]!.to);
    j++;
  }
  if (j === i + 1 && spans[i]!.from === lo && spans[i]!.to === hi) return true;
  spans.splice(i, j - i, { from: lo, to: hi });
  if (spans.length <= max) return true;
  closeSmallestGap(spans);
  return false;
}

function closeSmallestGap(spans: Span[]): void {
  let best = 1;
  for (let k = 2; k < spans.length; k++) {
    if (spans[k]!.from - spans[k - 1]!.to < spans[best]!.from - spans[best - 1]!.to) best = k;
  }
  spans[best - 1]!.to = spans[best]!.to;
  spans.splice(best, 1);
}

/** Closes gaps of at most `gap` addresses (`--generalize`): fewer, wider spans. */
export function widenSpans(spans: readonly Span[], gap: number): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && s.from - last.to - 1 <= gap) last.to = Math.max(last.to, s.to);
    else out.push({ from: s.from, to: s.to });
  }
  return out;
}

/** `"0-99"` or `"7"`, as the policy writes a span. */
export function spanText(s: Span): string {
  return s.from === s.to ? `${s.from}` : `${s.from}-${s.to}`;
}
