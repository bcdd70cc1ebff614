// The portal's identity backends (policy `portal.backends`) → backend
// configs: LDAP, RADIUS or HTTP API, each with its own checks (URL and server
// forms, StartTLS on ldaps, {user} in the bind DN, role mappings to roles the
// portal defines, duplicate names, one kind per backend). Also the small
// readers the portal section shares. Pure.

import { parseDurationSeconds } from './clock.js';
import type { SourceLocation } from './diagnostic.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type {
  HttpBackendConfig,
  LdapBackendConfig,
  PortalBackendConfig,
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
  uniqueEntries,
} from './yaml-source.js';

export const DEFAULT_BACKEND_TIMEOUT_MS = 3_000;
export const DEFAULT_RADIUS_RETRIES = 2;
/** Shorter permits are not worth a login; longer ones outlive a shift and anyone's memory of why. */
const MIN_DURATION_SECONDS = 1;
const MAX_DURATION_SECONDS = 30 * 86_400;

/** Where the value of `key` is written. */
export function locOf(map: LocatedValue | undefined, key: string): SourceLocation | undefined {
  return entryOf(map, key)?.value.loc;
}

/** A duration in seconds (1s..30d), reported when malformed; `fallback` when absent or bad. */
export function durationAt(
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
  if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    report.error('duration-out-of-range', loc, `${what} "${text}" is outside 1s..30d`);
    return fallback;
  }
  return seconds;
}

/** A whole number value, if that is what `key` holds. */
export function integerAt(map: LocatedValue | undefined, key: string): number | undefined {
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

/** Reads `portal.backends`; a backend with problems is reported and left out. */
export function readBackends(
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
