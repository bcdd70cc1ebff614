// LDAP identity backend (ldapts): binds as the person (DN from the policy's
// template, the user name DN-escaped), then searches their groups (values
// filter-escaped) and maps a group cn or DN to a policy role. ldaps:// or
// ldap:// + StartTLS, with an optional CA file. One connection per login,
// closed afterwards. Driver.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  type BerReader,
  Client,
  Control,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  NoSuchObjectError,
  ResultCodeError,
} from 'ldapts';
import type { LdapBackendConfig } from '../policy/types.js';
import type { AuthBackend, AuthOutcome, AuthRequest } from './backend.js';
import { genericRejectMessage } from './backend.js';
import { defaultGroupFilter, groupFilterFor, userDnFor } from './codec/ldap-escape.js';
import { type PasswordPolicyError, passwordPolicyError, passwordPolicyOid } from './codec/ppolicy.js';
import { mapRole } from './codec/role-map.js';
import { describeConnectionError } from './connection-errors.js';

/** Builds the LDAP backend; `roles` are the policy's role names. */
export function createLdapBackend(config: LdapBackendConfig, roles: readonly string[]): AuthBackend {
  const name = config.name;
  const reject = (
    reason: 'bad-credentials' | 'locked' | 'unknown-user' | 'no-role',
    detail: string,
  ): AuthOutcome => ({
    kind: 'reject',
    backend: name,
    reason,
    message: genericRejectMessage,
    detail,
  });
  const unavailable = (message: string): AuthOutcome => ({ kind: 'unavailable', backend: name, message });
  const host = ldapHost(config.url);

  return {
    name,
    async authenticate(request: AuthRequest): Promise<AuthOutcome> {
      // An empty-password simple bind is an unauthenticated bind (RFC 4513 §5.1.2):
      // servers answer it with success, so it must never reach the server.
      if (request.password.length === 0) return reject('bad-credentials', 'empty password');
      if (request.user.length === 0) return reject('bad-credentials', 'empty user name');
      if (host === undefined) {
        return unavailable(`url ${config.url} of backend ${name} is not an ldap:// or ldaps:// URL: fix it`);
      }
      let tls: ConnectionOptions;
      try {
        tls = await tlsOptions(host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return unavailable(`cannot read CA file ${config.caFile} (${code}): fix \`ca:\` of backend ${name}`);
      }
      const client = newClient(tls);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<AuthOutcome>((resolve) => {
        timer = setTimeout(
          () => resolve(unavailable(`no answer from ${config.url} within ${config.timeoutMs} ms`)),
          config.timeoutMs,
        );
      });
      try {
        return await Promise.race([login(client, tls, request.user, request.password), deadline]);
      } finally {
        clearTimeout(timer);
        await client.unbind().catch(() => undefined);
      }
    },
    async close() {},
  };

  function newClient(tls: ConnectionOptions): Client {
    return new Client({
      url: config.url,
      timeout: config.timeoutMs,
      connectTimeout: config.timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions is given: only for ldaps://.
      ...(config.url.startsWith('ldaps:') ? { tlsOptions: tls } : {}),
      strictDN: false,
    });
  }

  async function tlsOptions(host: string): Promise<ConnectionOptions> {
    const options: ConnectionOptions = { host, ...(isIP(host) === 0 ? { servername: host } : {}) };
    if (config.caFile === undefined) return options;
    return { ...options, ca: await readFile(config.caFile) };
  }

  async function login(
    client: Client,
    tls: ConnectionOptions,
    user: string,
    password: string,
  ): Promise<AuthOutcome> {
    const dn = userDnFor(config.userDn, user);
    try {
      if (config.startTls) await client.startTLS(tls);
    } catch (error) {
      return unavailable(describeConnectionError(error, config.url, 'StartTLS'));
    }
    const policy = new PasswordPolicyControl();
    try {
      await client.bind(dn, password, policy);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        const locked = policy.error();
        if (locked !== undefined) return reject('locked', `password policy: ${locked}`);
        return (await userExists(dn))
          ? reject('bad-credentials', 'invalidCredentials (49)')
          : reject('unknown-user', `no entry ${dn}`);
      }
      // Escaping keeps the DN well formed; a directory that still disagrees knows no such user.
      if (error instanceof InvalidDNSyntaxError) return reject('unknown-user', `invalid DN ${dn}`);
      if (error instanceof ResultCodeError)
        return unavailable(`bind refused by ${config.url}: ${error.message}`);
      return unavailable(describeConnectionError(error, config.url, 'bind'));
    }
    // A bind that succeeded under a policy error (changeAfterReset) grants nothing else.
    const policyError = policy.error();
    if (policyError !== undefined) return reject('locked', `password policy: ${policyError}`);
    let groups: string[];
    try {
      groups = await groupsOf(client, user, dn);
    } catch (error) {
      return unavailable(`group search on ${config.url} failed: ${(error as Error).message}`);
    }
    const role = mapRole(groups, config.roles, roles, 'ignore-case');
    if (role === undefined)
      return reject('no-role', `no group maps to a policy role (groups: ${groups.join('; ')})`);
    return { kind: 'accept', backend: name, user, role };
  }

  /**
   * After invalidCredentials: does the DN exist? Asked anonymously on a fresh
   * connection; when the directory refuses to say, assume it exists (the
   * person gets the same generic message either way, only the chain differs).
   */
  async function userExists(dn: string): Promise<boolean> {
    const tls = await tlsOptions(host ?? '');
    const probe = newClient(tls);
    try {
      if (config.startTls) await probe.startTLS(tls);
      await probe.search(dn, { scope: 'base', attributes: ['1.1'] });
      return true;
    } catch (error) {
      return !(error instanceof NoSuchObjectError);
    } finally {
      await probe.unbind().catch(() => undefined);
    }
  }

  /** Group cns and DNs: by search under group-base, or the user's memberOf when there is no group-base. */
  async function groupsOf(client: Client, user: string, dn: string): Promise<string[]> {
    if (config.groupBase === undefined) {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['memberOf'] });
      const memberOf = searchEntries.flatMap((e) => [e.memberOf ?? []].flat().map(String));
      return memberOf.flatMap((groupDn) => [groupDn, firstRdnValue(groupDn)]);
    }
    const filter = groupFilterFor(config.groupFilter ?? defaultGroupFilter, user, dn);
    const { searchEntries } = await client.search(config.groupBase, {
      scope: 'sub',
      filter,
      attributes: ['cn'],
    });
    return searchEntries.flatMap((e) => [e.dn, ...[e.cn ?? []].flat().map(String)]);
  }
}

/** The host of an ldap:// or ldaps:// URL (IPv6 without brackets), or undefined. */
function ldapHost(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') return undefined;
    return parsed.hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/**
 * The Password Policy request control (slapd ppolicy): ldapts hands a response
 * control with the same OID back to this object, so after the bind it holds
 * the server's verdict on a locked account or an expired password.
 */
class PasswordPolicyControl extends Control {
  private response: Uint8Array | undefined;

  constructor() {
    super(passwordPolicyOid);
  }

  protected override parseControl(reader: BerReader): void {
    this.response = Uint8Array.from(reader.buffer);
  }

  /** The policy error the server reported, if any. */
  error(): PasswordPolicyError | undefined {
    return this.response === undefined ? undefined : passwordPolicyError(this.response);
  }
}

/** `cn=vendor-siemens,ou=groups,…` → `vendor-siemens` (enough for mapping by cn). */
function firstRdnValue(dn: string): string {
  const match = /^[^=]+=((?:\\.|[^,\\])*)/.exec(dn);
  return match?.[1] ?? dn;
}
