// Http identity backend (stub until the driver lands). Shell.

import type { HttpBackendConfig } from '../policy/types.js';
import type { AuthBackend } from './backend.js';

/** Builds the http-api backend; this stub answers unavailable. */
export function createHttpBackend(config: HttpBackendConfig, _roles: readonly string[]): AuthBackend {
  return {
    name: config.name,
    async authenticate() {
      return { kind: 'unavailable', backend: config.name, message: 'backend not implemented yet' };
    },
    async close() {},
  };
}
