// Readers for lab.yaml nodes: each returns a value or undefined and records a
// located issue through `at`, so one pass collects every problem. Pure.

import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml';

/** Records an issue at a YAML node's position. */
export type At = (node: Node | null | undefined, code: string, message: string) => void;

const NAME = /^[a-z][a-z0-9-]{0,14}$/;
const RESERVED = new Set(['lo', 'br0', 'eth0']);

/** The known keys of a mapping by name; unknown and missing keys are issues. */
export function fields(
  map: YAMLMap,
  known: readonly string[],
  required: readonly string[],
  at: At,
): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const pair of map.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!known.includes(key))
      at(pair.key, 'unknown-key', `unknown key "${key}" (expected one of: ${known.join(', ')})`);
    else out.set(key, pair.value ?? (pair.key as Node));
  }
  for (const key of required) if (!out.has(key)) at(map, 'missing-key', `missing required key "${key}"`);
  return out;
}

/** A non-empty string scalar. */
export function str(node: Node | undefined, what: string, at: At): string | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
  at(node, 'not-a-string', `${what} must be a non-empty string`);
  return undefined;
}

/** A number scalar within [min, max]. */
export function num(
  node: Node | undefined,
  what: string,
  min: number,
  max: number,
  at: At,
): number | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node) && typeof node.value === 'number' && node.value >= min && node.value <= max)
    return node.value;
  at(node, 'bad-number', `${what} must be a number from ${min} to ${max}`);
  return undefined;
}

/** A name usable for an interface or namespace (1-15 of [a-z0-9-], not reserved). */
export function ident(node: Node | undefined, what: string, at: At): string | undefined {
  const s = str(node, what, at);
  if (s !== undefined && (!NAME.test(s) || RESERVED.has(s))) {
    at(
      node,
      'bad-name',
      `${what} "${s}" must be 1-15 lowercase letters, digits or "-" (it names interfaces)`,
    );
    return undefined;
  }
  return s;
}
