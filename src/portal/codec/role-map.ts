// Maps what an identity backend says about a person (LDAP group cn or DN,
// RADIUS Filter-Id or Class) to one of the policy's roles. Pure.

import type { RoleMapping } from '../../policy/types.js';

/** How values are compared: LDAP names ignore case, RADIUS strings are exact. */
export type MatchCase = 'ignore-case' | 'exact';

/**
 * The role for the first mapping (in policy order) whose `match` equals one
 * of `values`, if that role exists in the policy; undefined otherwise. Policy
 * order decides when a person is in several mapped groups.
 */
export function mapRole(
  values: readonly string[],
  mappings: readonly RoleMapping[],
  knownRoles: readonly string[],
  matchCase: MatchCase,
): string | undefined {
  const norm = (s: string): string => (matchCase === 'ignore-case' ? normalizeDn(s) : s);
  const have = new Set(values.map(norm));
  for (const mapping of mappings) {
    if (have.has(norm(mapping.match)) && knownRoles.includes(mapping.role)) return mapping.role;
  }
  return undefined;
}

/** Lower case, with the spaces around RDN separators removed, so equal DNs compare equal. */
function normalizeDn(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/\s*([,=+])\s*/g, '$1');
}
