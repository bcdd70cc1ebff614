// Radius identity backend (stub until the driver lands). Shell.

import type { RadiusBackendConfig } from '../policy/types.js';
import type { AuthBackend } from './backend.js';

/** Builds the radius backend; this stub answers unavailable. */
export function createRadiusBackend(config: RadiusBackendConfig, _roles: readonly string[]): AuthBackend {
  return {
    name: config.name,
    async authenticate() {
      return { kind: 'unavailable', backend: config.name, message: 'backend not implemented yet' };
    },
    async close() {},
  };
}
