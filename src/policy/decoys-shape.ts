// The `decoys:` section of policy.yaml as a shape: which decoys go in which
// zone, the per-installation seed and the rotation schedule. Feeds the
// structural check and the JSON Schema with the rest of policy-shape.ts. Pure data.

import type { ObjectShape } from './shape.js';

/** Device profiles a decoy can take (kept in step with src/deceive/personality by a unit test). */
export const DECOY_PROFILES: readonly string[] = [
  's7-300',
  'modicon-m340',
  'controllogix',
  'bacnet-controller',
  'iec104-rtu',
  'dnp3-outstation',
  'engineering-workstation',
];

const placement: ObjectShape = {
  kind: 'object',
  what: 'placement',
  description: 'How many decoys of one profile go in one zone, on addresses no real device uses.',
  properties: {
    zone: { kind: 'string', description: 'The zone the decoys sit in (an IPv4 network of it).' },
    profile: {
      kind: 'string',
      description: 'The device the decoys pretend to be.',
      enum: [...DECOY_PROFILES],
    },
    count: { kind: 'integer', description: 'How many decoys of this profile.', minimum: 1, maximum: 4096 },
  },
  required: ['zone', 'profile', 'count'],
};

/** The decoys section. */
export const decoysShape: ObjectShape = {
  kind: 'object',
  what: 'decoys',
  description:
    'Fake devices on unused addresses: touching one quarantines the source at once. Bridge mode only (off in sensor mode).',
  properties: {
    seed: {
      kind: 'string',
      description:
        'Per-installation seed of addresses and identities; default: the site name and a random value kept in the node state directory.',
    },
    rotate: {
      kind: 'object',
      what: 'rotate',
      description: 'Moving target defense: move every decoy to a fresh address and identity on a schedule.',
      properties: {
        every: {
          kind: 'string',
          description: 'How often decoys move, e.g. 6h or 30m; between 10s and 30d.',
          pattern: '^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$',
          examples: ['6h'],
        },
      },
      required: ['every'],
    },
    deceive: {
      kind: 'boolean',
      description:
        "Answer a quarantined source's new connections to real assets with decoys (enforce mode, bridge mode, IPv4).",
      default: false,
    },
    place: { kind: 'array', description: 'Decoys per zone and profile.', items: placement, minItems: 1 },
  },
  required: ['place'],
};
