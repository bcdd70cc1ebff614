// The portal's TLS certificate: the configured files, or a self-signed one
// generated with openssl and kept in the node's state directory (reused
// across restarts, so people who accepted it once are not asked again).
// Paths → PEM text. Shell (reads files, runs openssl).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PicketError } from '../cli/errors.js';

/** PEM certificate chain and key. */
export interface PortalCertificate {
  readonly cert: string;
  readonly key: string;
  /** Where it came from: `configured` or the generated file's path. */
  readonly origin: string;
}

/** The certificate or key cannot be read, or openssl could not make one. */
export class PortalCertificateError extends PicketError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super('portal-certificate', `cannot use the portal certificate ${path}: ${(cause as Error).message}`, {
      cause,
      hint: 'check portal.certificate in the policy (PEM files readable by the node), or remove it to use a generated one',
    });
    this.path = path;
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new PortalCertificateError(path, error);
  }
}

/**
 * The configured certificate, else `<stateDir>/portal.crt` + `portal.key`,
 * generated (ECDSA P-256, 825 days, the portal address as a subject
 * alternative name when known) if missing.
 */
export function portalCertificate(
  configured: { readonly cert: string; readonly key: string } | undefined,
  stateDir: string,
  address?: string,
): PortalCertificate {
  if (configured) return { cert: read(configured.cert), key: read(configured.key), origin: 'configured' };
  const certFile = join(stateDir, 'portal.crt');
  const keyFile = join(stateDir, 'portal.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const san = address === undefined ? 'DNS:picket-portal' : `DNS:picket-portal,IP:${address}`;
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '825',
          '-subj',
          '/CN=picket-portal',
          '-addext',
          `subjectAltName=${san}`,
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
      );
    } catch (error) {
      throw new PortalCertificateError(certFile, error);
    }
  }
  return { cert: read(certFile), key: read(keyFile), origin: certFile };
}
