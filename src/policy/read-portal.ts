// The portal section → Portal: listen port, certificate, grant durations,
// identity backends (LDAP, RADIUS, HTTP API) and roles, with `picket check`
// diagnostics: unknown role destinations and services (did you mean), role
// mappings to undefined roles, a role max above grant.max, duplicate backend
// names, malformed URLs and servers, and `unrecognized: portal` without a
// portal. Files (certificate, secrets) are only checked when the node runs. Pure.

import { parseDurationSeconds } from './clock.js';
import type { SourceLocation } from './diagnostic.js';
import { type DeclaredNames, findEndpoint, suggestEndpoint } from './names.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type {
  Endpoint,
  HttpBackendConfig,
  LdapBackendConfig,
  Portal,
  PortalBackendConfig,
  PortalRole,
  RadiusBackendConfig,
  RoleMapping,
} from './types.js';
import {
  entryOf,
  type LocatedMap,
  type LocatedValue,
  mapAt,
  seqAt,
  stringAt,
  stringItems,
  uniqueEntries,
} from './yaml-source.js';

export const DEFAULT_PORTAL_PORT = 8443;
export const DEFAULT_GRANT_SECONDS = 3_600;
export const DEFAULT_GRANT_MAX_SECONDS = 8 * 3_600;
export const DEFAULT_BACKEND_TIMEOUT_MS = 3_000;
export const DEFAULT_RADIUS_RETRIES = 2;
/** Shorter permits are not worth a login; longer ones outlive a shift and anyone's memory of why. */
const MIN_GRANT_SECONDS = 1;
const MAX_GRANT_SECONDS = 30 * 86_400;

function locOf(map: LocatedValue | undefined, key: string): SourceLocation | undefined {
  return entryOf(map, key)?.value.loc;
}

function durationAt(
  map: LocatedValue | undefined,
  key: string,
  what: string,
  fallback: number,
  report: Report,
): number {
  const text = stringAt(map, key);
  const loc = locOf(map, key);
  if (text === undefined || loc === undefined) return fallback;
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined) {
    report.error(
      'invalid-duration',
      loc,
      `${what} "${text}" is not a duration`,
      'write e.g. 3s, 30m, 4h or 1h30m',
    );
    return fallback;
  }
  if (seconds < MIN_GRANT_SECONDS || seconds > MAX_GRANT_SECONDS) {
    report.error('duration-out-of-range', loc, `${what} "${text}" is outside 1s..30d`);
    return fallback;
  }
  return seconds;
}

function integerAt(map: LocatedValue | undefined, key: string): number | undefined {
  const value = entryOf(map, key)?.value;
  return value?.kind === 'scalar' && Number.isInteger(value.value) ? (value.value as number) : undefined;
}

function booleanAt(map: LocatedValue | undefined, key: string): boolean | undefined {
  const value = entryOf(map, key)?.value;
  return value?.kind === 'scalar' && typeof value.value === 'boolean' ? value.value : undefined;
}

function roleMappings(
  label: string,
  backend: LocatedValue | undefined,
  roleNames: ReadonlySet<string>,
  report: Report,
): RoleMapping[] {
  const out: RoleMapping[] = [];
  for (const entry of uniqueEntries(mapAt(backend, 'roles'))) {
    const value = entry.value;
    if (value.kind !== 'scalar' || typeof value.value !== 'string') continue;
    if (!roleNames.has(value.value)) {
      report.error(
        'unknown-role',
        value.loc,
        `${label}: "${entry.key}" maps to unknown portal role "${value.value}"`,
        didYouMean(value.value, roleNames) ?? 'define the role under portal.roles',
      );
      continue;
    }
    out.push({ match: entry.key, role: value.value });
  }
  return out;
}

function readLdap(
  name: string,
  section: LocatedMap,
  roleNames: ReadonlySet<string>,
  loc: SourceLocation,
  report: Report,
): LdapBackendConfig | undefined {
  const label = `portal backend "${name}"`;
  const url = stringAt(section, 'url');
  const userDn = stringAt(section, 'user-dn');
  const startTls = booleanAt(section, 'starttls') ?? false;
  const urlLoc = locOf(section, 'url') ?? section.loc;
  if (url !== undefined && !/^ldaps?:\/\/[^/\s]+\/?$/i.test(url)) {
    report.error(
      'invalid-url',
      urlLoc,
      `${label}: ldap url "${url}" is not ldap://host[:port] or ldaps://host[:port]`,
      'e.g. ldaps://10.0.0.5:636',
    );
  } else if (url !== undefined && startTls && /^ldaps:/i.test(url)) {
    report.error(
      'starttls-on-ldaps',
      locOf(section, 'starttls') ?? urlLoc,
      `${label}: starttls on an ldaps:// url`,
      'ldaps is TLS already; use starttls only with ldap://',
    );
  }
  if (userDn !== undefined && !userDn.includes('{user}')) {
    report.error(
      'invalid-value',
      locOf(section, 'user-dn') ?? section.loc,
      `${label}: user-dn "${userDn}" has no {user}`,
      'e.g. uid={user},ou=people,dc=plant,dc=example',
    );
  }
  const roles = roleMappings(label, section, roleNames, report);
  if (url === undefined || userDn === undefined) return undefined;
  const caFile = stringAt(section, 'ca');
  const groupBase = stringAt(section, 'group-base');
  const groupFilter = stringAt(section, 'group-filter');
  return {
    kind: 'ldap',
    name,
    url,
    startTls,
    ...(caFile === undefined ? {} : { caFile }),
    userDn,
    ...(groupBase === undefined ? {} : { groupBase }),
    ...(groupFilter === undefined ? {} : { groupFilter }),
    timeoutMs:
      durationAt(section, 'timeout', `${label}: timeout`, DEFAULT_BACKEND_TIMEOUT_MS / 1000, report) * 1000,
    roles,
    loc,
  };
}

function readRadius(
  name: string,
  section: LocatedMap,
  roleNames: ReadonlySet<string>,
  loc: SourceLocation,
  report: Report,
): RadiusBackendConfig | undefined {
  const label = `portal backend "${name}"`;
  const server = stringAt(section, 'server');
  const secretFile = stringAt(section, 'secret-file');
  let host: string | undefined;
  let port = 1812;
  if (server !== undefined) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(server);
    const p = m?.[2] === undefined ? 1812 : Number(m[2]);
    if (!m || p < 1 || p > 65535) {
      report.error(
        'invalid-server',
        locOf(section, 'server') ?? section.loc,
        `${label}: radius server "${server}" is not host[:port]`,
        'e.g. 10.0.0.6:1812',
      );
    } else {
      host = (m[1] ?? '').replace(/^\[|\]$/g, '');
      port = p;
    }
  }
  const roles = roleMappings(label, section, roleNames, report);
  if (host === undefined || secretFile === undefined) return undefined;
  return {
    kind: 'radius',
    name,
    host,
    port,
    secretFile,
    timeoutMs:
      durationAt(section, 'timeout', `${label}: timeout`, DEFAULT_BACKEND_TIMEOUT_MS / 1000, report) * 1000,
    retries: integerAt(section, 'retries') ?? DEFAULT_RADIUS_RETRIES,
    roles,
    loc,
  };
}

function readHttp(
  name: string,
  section: LocatedMap,
  loc: SourceLocation,
  report: Report,
): HttpBackendConfig | undefined {
  const label = `portal backend "${name}"`;
  const url = stringAt(section, 'url');
  if (url !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/i.test(url)) {
    report.error(
      'invalid-url',
      locOf(section, 'url') ?? section.loc,
      `${label}: http url "${url}" is not http(s)://host/path`,
      'e.g. https://idp.example/picket/authorize',
    );
    return undefined;
  }
  if (url === undefined) return undefined;
  const tokenFile = stringAt(section, 'token-file');
  const caFile = stringAt(section, 'ca');
  return {
    kind: 'http',
    name,
    url,
    ...(tokenFile === undefined ? {} : { tokenFile }),
    ...(caFile === undefined ? {} : { caFile }),
    timeoutMs:
      durationAt(section, 'timeout', `${label}: timeout`, DEFAULT_BACKEND_TIMEOUT_MS / 1000, report) * 1000,
    loc,
  };
}

function readBackends(
  section: LocatedValue | undefined,
  roleNames: ReadonlySet<string>,
  report: Report,
): PortalBackendConfig[] {
  const out: PortalBackendConfig[] = [];
  const seen = new Map<string, number>();
  for (const item of seqAt(section, 'backends')?.items ?? []) {
    if (item.kind !== 'map') continue;
    const name = stringAt(item, 'name');
    if (name === undefined) continue;
    const nameLoc = locOf(item, 'name') ?? item.loc;
    const first = seen.get(name);
    if (first !== undefined) {
      report.error(
        'duplicate-name',
        nameLoc,
        `portal backend "${name}" is defined twice (first on line ${first})`,
        'backend names appear in the audit trail, so each must be unique',
      );
      continue;
    }
    seen.set(name, nameLoc.line);
    const kinds = (['ldap', 'radius', 'http'] as const).filter((k) => entryOf(item, k) !== undefined);
    if (kinds.length > 1) {
      report.error(
        'backend-kinds',
        nameLoc,
        `portal backend "${name}" has ${kinds.join(' and ')}; a backend is exactly one kind`,
        'split it into one backend per kind, in the order they should be tried',
      );
      continue;
    }
    const ldap = mapAt(item, 'ldap');
    const radius = mapAt(item, 'radius');
    const http = mapAt(item, 'http');
    const backend = ldap
      ? readLdap(name, ldap, roleNames, item.loc, report)
      : radius
        ? readRadius(name, radius, roleNames, item.loc, report)
        : http
          ? readHttp(name, http, item.loc, report)
          : undefined;
    if (backend) out.push(backend);
  }
  return out;
}

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
