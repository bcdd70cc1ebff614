// The portal section → Portal: listen port, certificate, grant durations,
// identity backends (read-portal-backends.ts) and roles, with `picket check`
// diagnostics: unknown role destinations and services (did you mean), a role
// max above grant.max, a grant default above its max, and `unrecognized:
// portal` without a portal. Files (certificate, secrets) are only checked
// when the node runs. Pure.

import type { SourceLocation } from './diagnostic.js';
import { type DeclaredNames, findEndpoint, suggestEndpoint } from './names.js';
import { durationAt, integerAt, locOf, readBackends } from './read-portal-backends.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Endpoint, Portal, PortalRole } from './types.js';
import { type LocatedValue, mapAt, seqAt, stringAt, stringItems, uniqueEntries } from './yaml-source.js';

export const DEFAULT_PORTAL_PORT = 8443;
export const DEFAULT_GRANT_SECONDS = 3_600;
export const DEFAULT_GRANT_MAX_SECONDS = 8 * 3_600;

function readRole(
  name: string,
  value: LocatedValue,
  names: DeclaredNames,
  grantMaxSeconds: number,
  report: Report,
): PortalRole | undefined {
  const label = `portal role "${name}"`;
  const to: Endpoint[] = [];
  let ok = seqAt(value, 'to') !== undefined && seqAt(value, 'services') !== undefined;
  for (const item of stringItems(seqAt(value, 'to'))) {
    const found = findEndpoint(names, item.value);
    if (!found) {
      ok = false;
      report.error(
        'unknown-endpoint',
        item.loc,
        `${label}: to "${item.value}" is no asset, group or zone`,
        suggestEndpoint(names, item.value),
      );
    } else if (!to.some((e) => e.name === found.name)) to.push(found);
  }
  const services: string[] = [];
  for (const item of stringItems(seqAt(value, 'services'))) {
    if (!names.services.has(item.value)) {
      ok = false;
      report.error(
        'unknown-service',
        item.loc,
        `${label}: unknown service "${item.value}"`,
        didYouMean(item.value, names.services.keys()),
      );
    } else if (!services.includes(item.value)) services.push(item.value);
  }
  const maxLoc = locOf(value, 'max');
  const maxSeconds = maxLoc ? durationAt(value, 'max', `${label}: max`, grantMaxSeconds, report) : undefined;
  if (maxSeconds !== undefined && maxLoc && maxSeconds > grantMaxSeconds) {
    report.error(
      'role-max-above-grant',
      maxLoc,
      `${label}: max ${stringAt(value, 'max')} is longer than portal grant max (${grantMaxSeconds}s)`,
      'a role may only shorten the longest permit; lower max or raise grant.max',
    );
  }
  if (!ok || to.length === 0 || services.length === 0) return undefined;
  return {
    name,
    to,
    services,
    ...(maxSeconds === undefined ? {} : { maxSeconds }),
    loc: value.loc,
  };
}

/**
 * Reads the portal section (undefined when absent). `unrecognized` is the
 * enforcement setting and where it is written: `portal` needs this section.
 */
export function readPortal(
  entry: { readonly value: LocatedValue; readonly keyLoc: SourceLocation } | undefined,
  names: DeclaredNames,
  unrecognized: { readonly value: string; readonly loc: SourceLocation } | undefined,
  report: Report,
): Portal | undefined {
  if (!entry) {
    if (unrecognized?.value === 'portal') {
      report.error(
        'portal-missing',
        unrecognized.loc,
        'enforcement: unrecognized is portal, but the policy has no portal section',
        'add a portal: section with backends and roles, or write unrecognized: block',
      );
    }
    return undefined;
  }
  const section = entry.value;
  if (section.kind !== 'map') return undefined;
  const grant = mapAt(section, 'grant');
  const grantMaxSeconds = durationAt(grant, 'max', 'portal: grant max', DEFAULT_GRANT_MAX_SECONDS, report);
  const grantDefaultSeconds = durationAt(
    grant,
    'default',
    'portal: grant default',
    Math.min(DEFAULT_GRANT_SECONDS, grantMaxSeconds),
    report,
  );
  if (grantDefaultSeconds > grantMaxSeconds) {
    report.error(
      'grant-default-above-max',
      locOf(grant, 'default') ?? locOf(grant, 'max') ?? section.loc,
      `portal: grant default (${grantDefaultSeconds}s) is longer than grant max (${grantMaxSeconds}s)`,
      'the default must be at most the maximum',
    );
  }
  const roles: PortalRole[] = [];
  const roleEntries = uniqueEntries(mapAt(section, 'roles'));
  for (const role of roleEntries) {
    const read = readRole(role.key, role.value, names, grantMaxSeconds, report);
    if (read) roles.push(read);
  }
  const roleNames = new Set(roleEntries.map((e) => e.key));
  const backends = readBackends(section, roleNames, report);
  const certificate = mapAt(section, 'certificate');
  const cert = stringAt(certificate, 'cert');
  const key = stringAt(certificate, 'key');
  return {
    listenPort: integerAt(section, 'listen') ?? DEFAULT_PORTAL_PORT,
    ...(cert !== undefined && key !== undefined ? { certificate: { cert, key } } : {}),
    grantDefaultSeconds,
    grantMaxSeconds,
    backends,
    roles,
    loc: entry.keyLoc,
  };
}
