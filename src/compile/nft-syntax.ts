// The small pieces of nftables syntax the renderer needs: quoted comments within
// the kernel's length limit, identifiers derived from policy names, time and day
// values. Pure.

/** nft refuses comments longer than this many bytes ("comment too long, 128 characters maximum allowed"). */
export const COMMENT_MAX_BYTES = 128;

const encoder = new TextEncoder();

/** Makes text safe inside nft double quotes and cuts it to the kernel's comment limit. */
export function commentText(text: string): string {
  // nft strings have no escapes: a `"` would end the string, so it becomes `'`.
  if (text.length <= COMMENT_MAX_BYTES && /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) return text;
  const clean = text.replace(/"/g, "'").replace(/[\\\p{Cc}]/gu, ' ');
  if (encoder.encode(clean).length <= COMMENT_MAX_BYTES) return clean;
  let out = '';
  let bytes = 0;
  for (const ch of clean) {
    const size = encoder.encode(ch).length;
    if (bytes + size > COMMENT_MAX_BYTES - 1) break;
    out += ch;
    bytes += size;
  }
  return `${out}~`;
}

/** Renders ` comment "…"` for a rule, set element or table. */
export function comment(text: string): string {
  return ` comment "${commentText(text)}"`;
}

/** Turns a policy name into an nft identifier fragment: lower-case letters, digits and `_`. */
export function identifierPart(name: string): string {
  const id = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return id === '' ? '_' : id;
}

/**
 * Assigns each name a distinct identifier fragment, in sorted order, so two names
 * that sanitize alike (`maint-a`, `maint_a`) still get different sets.
 */
export function identifierParts(names: Iterable<string>): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of [...new Set(names)].sort()) {
    const base = identifierPart(name);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    out.set(name, id);
  }
  return out;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** nft `meta day` name for 0 = Sunday … 6 = Saturday. */
export function dayName(day: number): string {
  return DAY_NAMES[day] ?? 'Sunday';
}

/** `08:00:00` for a second of the day, for comments. */
export function clock(secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  return [h, m, s].map((v) => String(v).padStart(2, '0')).join(':');
}

/** `2026-11-01 07:00` (UTC) for an instant, for comments. */
export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Hex EtherType as nft accepts it, e.g. `0x8892`. */
export function etherType(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
