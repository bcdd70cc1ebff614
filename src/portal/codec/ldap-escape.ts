// Escaping of untrusted values put into LDAP distinguished names (RFC 4514)
// and search filters (RFC 4515), and filling of the policy's templates
// (`uid={user},ou=people,…`, `(member={dn})`). With these, a user name can
// only ever be a value: never another RDN, never another filter term. Pure.

/** Characters RFC 4514 §2.4 requires escaped anywhere in an attribute value, plus `=` (allowed escaped, safer). */
const dnSpecial = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);

/** Escapes a string for use as one RDN attribute value (RFC 4514 §2.4). */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const first = i === 0;
    const last = i === value.length - 1;
    if (ch === '\0') out += '\\00';
    else if (dnSpecial.has(ch)) out += `\\${ch}`;
    else if (first && (ch === ' ' || ch === '#')) out += `\\${ch}`;
    else if (last && ch === ' ') out += '\\ ';
    else out += ch;
  }
  return out;
}

/** Escapes a string for use as an assertion value in a search filter (RFC 4515 §3). */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '*':
        out += '\\2a';
        break;
      case '(':
        out += '\\28';
        break;
      case ')':
        out += '\\29';
        break;
      case '\\':
        out += '\\5c';
        break;
      case '\0':
        out += '\\00';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/**
 * Replaces `{name}` placeholders in a template with escaped values. Unknown
 * placeholders are left as they are (the policy checker reports them).
 */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  escapeValue: (value: string) => string,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escapeValue(value);
  });
}

/** The bind DN for a user from the `user-dn` template, the user name DN-escaped. */
export function userDnFor(template: string, user: string): string {
  return fillTemplate(template, { user }, escapeDnValue);
}

/** The group search filter from the `group-filter` template, every value filter-escaped. */
export function groupFilterFor(template: string, user: string, dn: string): string {
  return fillTemplate(template, { user, dn }, escapeFilterValue);
}

/** The group filter used when the policy gives none: groupOfNames, groupOfUniqueNames and posixGroup. */
export const defaultGroupFilter = '(|(member={dn})(uniqueMember={dn})(memberUid={user}))';
