// Ldap identity backend (stub until the driver lands). Shell.

import type { LdapBackendConfig } from '../policy/types.js';
import type { AuthBackend } from './backend.js';

/** Builds the ldap backend; this stub answers unavailable. */
export function createLdapBackend(config: LdapBackendConfig, _roles: readonly string[]): AuthBackend {
  return {
    name: config.name,
    async authenticate() {
      return { kind: 'unavailable', backend: config.name, message: 'backend not implemented yet' };
    },
    async close() {},
  };
}
