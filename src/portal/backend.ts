// The identity backends' shared interface: a person's user name and password
// (or one-time code) in, an outcome out — accept with a policy role, a
// challenge for a one-time code, a reject with a reason, or unavailable.
// createBackend builds the driver for one configured backend; the chain tries
// them in order. Shell (the drivers it creates touch the network).

import type { PortalBackendConfig } from '../policy/types.js';
import { createHttpBackend } from './http-api.js';
import { createLdapBackend } from './ldap.js';
import { createRadiusBackend } from './radius.js';

/** One login attempt as the portal received it. `source` is the client's IP address. */
export interface AuthRequest {
  readonly user: string;
  readonly password: string;
  readonly source: string;
  /** RADIUS Access-Challenge continuation */
  readonly challenge?: { readonly backend: string; readonly state: string };
}

/**
 * What a backend decided. `message` on a reject is generic and safe to show the
 * person; `detail` (optional) is for the operator's log. `message` on
 * unavailable is for the operator (it says what to fix) — show the person a
 * generic line. Neither ever carries a password or a shared secret.
 */
export type AuthOutcome =
  | { readonly kind: 'accept'; readonly backend: string; readonly user: string; readonly role: string }
  // ask for a one-time code, then call again with challenge + the code as password
  | { readonly kind: 'challenge'; readonly backend: string; readonly state: string; readonly prompt: string }
  | {
      readonly kind: 'reject';
      readonly backend: string;
      readonly reason: 'bad-credentials' | 'locked' | 'no-role' | 'unknown-user';
      readonly message: string;
      readonly detail?: string;
    }
  // unreachable, timeout, TLS failure, misconfigured — never opens anything
  | { readonly kind: 'unavailable'; readonly backend: string; readonly message: string };

/** A configured identity backend. */
export interface AuthBackend {
  readonly name: string;
  authenticate(request: AuthRequest): Promise<AuthOutcome>;
  close(): Promise<void>;
}

/** The line shown to a person whose login failed, whatever the reason. */
export const genericRejectMessage = 'wrong user name or password';

/**
 * Builds the driver for one backend. `roles` are the policy's role names: a
 * mapping to a role the policy does not define is treated as no role at all.
 */
export function createBackend(config: PortalBackendConfig, roles: readonly string[]): AuthBackend {
  switch (config.kind) {
    case 'ldap':
      return createLdapBackend(config, roles);
    case 'radius':
      return createRadiusBackend(config, roles);
    case 'http':
      return createHttpBackend(config, roles);
  }
}

/** Tries backends in order: the first accept/challenge/reject (other than 'unknown-user') wins; all unavailable → unavailable. */
export function createBackendChain(backends: readonly AuthBackend[]): AuthBackend {
  const name = 'chain';
  return {
    name,
    async authenticate(request) {
      // A challenge continuation goes back to the backend that issued it, only.
      if (request.challenge !== undefined) {
        const issuer = backends.find((b) => b.name === request.challenge?.backend);
        if (issuer === undefined) {
          return { kind: 'reject', backend: name, reason: 'bad-credentials', message: genericRejectMessage };
        }
        return issuer.authenticate(request);
      }
      const unavailable: string[] = [];
      let unknown: AuthOutcome | undefined;
      for (const backend of backends) {
        const outcome = await backend.authenticate(request);
        if (outcome.kind === 'unavailable') unavailable.push(`${backend.name}: ${outcome.message}`);
        else if (outcome.kind === 'reject' && outcome.reason === 'unknown-user') unknown ??= outcome;
        else return outcome;
      }
      // An unreachable backend might have known the user: say unavailable, never "unknown".
      if (unavailable.length > 0)
        return { kind: 'unavailable', backend: name, message: unavailable.join('; ') };
      return (
        unknown ?? {
          kind: 'unavailable',
          backend: name,
          message: 'no identity backend is configured (add portal.backends to the policy)',
        }
      );
    },
    async close() {
      await Promise.all(backends.map((b) => b.close()));
    },
  };
}
