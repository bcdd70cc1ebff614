// Reads one stdin line of the decoy server: the full desired set of decoys
// (id, address, identity) and the limits, checked field by field so a bad line
// is rejected whole with a message saying where. JSON text → DecoySet | error.
// Pure.

import { PROFILES } from './personality/index.js';
import type { DecoyIdentity, DecoyProfile } from './personality/types.js';

/** One decoy to serve. */
export interface DecoySpec {
  readonly id: string;
  readonly ip: string;
  readonly identity: DecoyIdentity;
}

/** Bounds on what one peer may cost the server. */
export interface ServerLimits {
  readonly connectionsPerSource: number;
  readonly bytesPerConnection: number;
  readonly idleTimeoutMs: number;
}

/** The desired state after one line. */
export interface DecoySet {
  readonly decoys: readonly DecoySpec[];
  readonly limits: ServerLimits;
}

export const DEFAULT_LIMITS: ServerLimits = {
  connectionsPerSource: 16,
  bytesPerConnection: 65536,
  idleTimeoutMs: 30_000,
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const TEXT_FIELDS = ['vendor', 'model', 'serial', 'firmware', 'plantName', 'hostname'] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function identityOf(x: unknown, where: string): DecoyIdentity | string {
  if (!isRecord(x)) return `${where}.identity must be an object`;
  if (!PROFILES.includes(x.profile as DecoyProfile))
    return `${where}.identity.profile must be one of ${PROFILES.join(', ')}`;
  for (const key of TEXT_FIELDS) {
    const value = x[key];
    if (typeof value !== 'string' || value.length > 128)
      return `${where}.identity.${key} must be a string of at most 128 characters`;
  }
  if (typeof x.mac !== 'string' || !MAC.test(x.mac))
    return `${where}.identity.mac must look like aa:bb:cc:dd:ee:ff`;
  if (!isRecord(x.fields)) return `${where}.identity.fields must be an object`;
  for (const [key, value] of Object.entries(x.fields)) {
    const ok =
      (typeof value === 'string' && value.length <= 128) ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!ok) return `${where}.identity.fields.${key} must be a short string or a number`;
  }
  return x as unknown as DecoyIdentity;
}

function positive(x: unknown, fallback: number, name: string): number | string {
  if (x === undefined) return fallback;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1)
    return `limits.${name} must be a positive integer`;
  return x;
}

function limitsOf(x: unknown): ServerLimits | string {
  if (x === undefined) return DEFAULT_LIMITS;
  if (!isRecord(x)) return 'limits must be an object';
  const c = positive(x.connectionsPerSource, DEFAULT_LIMITS.connectionsPerSource, 'connectionsPerSource');
  const b = positive(x.bytesPerConnection, DEFAULT_LIMITS.bytesPerConnection, 'bytesPerConnection');
  const t = positive(x.idleTimeoutMs, DEFAULT_LIMITS.idleTimeoutMs, 'idleTimeoutMs');
  if (typeof c === 'string') return c;
  if (typeof b === 'string') return b;
  if (typeof t === 'string') return t;
  return { connectionsPerSource: c, bytesPerConnection: b, idleTimeoutMs: t };
}

/** Parses one input line; a string result is the error message. */
export function parseDecoySet(line: string): DecoySet | string {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch (e) {
    return `input is not JSON: ${(e as Error).message}`;
  }
  if (!isRecord(x) || !Array.isArray(x.decoys)) return 'input must be an object with a "decoys" array';
  const decoys: DecoySpec[] = [];
  const ids = new Set<string>();
  const ips = new Set<string>();
  for (const [i, d] of x.decoys.entries()) {
    const where = `decoys[${i}]`;
    if (!isRecord(d)) return `${where} must be an object`;
    if (typeof d.id !== 'string' || d.id === '' || ids.has(d.id))
      return `${where}.id must be a unique non-empty string`;
    if (typeof d.ip !== 'string' || !IPV4.test(d.ip) || ips.has(d.ip))
      return `${where}.ip must be a unique IPv4 address`;
    const identity = identityOf(d.identity, where);
    if (typeof identity === 'string') return identity;
    ids.add(d.id);
    ips.add(d.ip);
    decoys.push({ id: d.id, ip: d.ip, identity });
  }
  const limits = limitsOf(x.limits);
  if (typeof limits === 'string') return limits;
  return { decoys, limits };
}
