// The decoy server's input line: a whole desired set is accepted, and every
// kind of bad line is refused whole with a message that says where.

import { describe, expect, it } from 'vitest';
import { drawIdentity } from './personality/index.js';
import { DEFAULT_LIMITS, parseDecoySet } from './server-input.js';

const identity = drawIdentity('s7-300', 'site', 0);
const line = (x: unknown) => JSON.stringify(x);

describe('parseDecoySet', () => {
  it('accepts a set with limits and fills the defaults it leaves out', () => {
    const set = parseDecoySet(
      line({ decoys: [{ id: 'd1', ip: '10.20.1.201', identity }], limits: { connectionsPerSource: 4 } }),
    );
    expect(set).toEqual({
      decoys: [{ id: 'd1', ip: '10.20.1.201', identity }],
      limits: { ...DEFAULT_LIMITS, connectionsPerSource: 4 },
    });
    expect(parseDecoySet(line({ decoys: [] }))).toEqual({ decoys: [], limits: DEFAULT_LIMITS });
  });

  it.each([
    ['not json', '{"decoys":', 'input is not JSON'],
    ['no decoys array', line({ decoy: [] }), 'input must be an object with a "decoys" array'],
    [
      'a duplicate id',
      line({
        decoys: [
          { id: 'a', ip: '10.0.0.1', identity },
          { id: 'a', ip: '10.0.0.2', identity },
        ],
      }),
      'decoys[1].id must be a unique non-empty string',
    ],
    [
      'a duplicate address',
      line({
        decoys: [
          { id: 'a', ip: '10.0.0.1', identity },
          { id: 'b', ip: '10.0.0.1', identity },
        ],
      }),
      'decoys[1].ip must be a unique IPv4 address',
    ],
    [
      'a bad address',
      line({ decoys: [{ id: 'a', ip: '10.0.0.256', identity }] }),
      'decoys[0].ip must be a unique IPv4 address',
    ],
    [
      'an unknown profile',
      line({ decoys: [{ id: 'a', ip: '10.0.0.1', identity: { ...identity, profile: 's7-1500' } }] }),
      'decoys[0].identity.profile must be one of',
    ],
    [
      'a bad MAC',
      line({ decoys: [{ id: 'a', ip: '10.0.0.1', identity: { ...identity, mac: '00:1B:1B:00:00:01' } }] }),
      'decoys[0].identity.mac must look like',
    ],
    [
      'a missing serial',
      line({ decoys: [{ id: 'a', ip: '10.0.0.1', identity: { ...identity, serial: undefined } }] }),
      'decoys[0].identity.serial must be a string',
    ],
    [
      'a nested field value',
      line({ decoys: [{ id: 'a', ip: '10.0.0.1', identity: { ...identity, fields: { x: {} } } }] }),
      'decoys[0].identity.fields.x must be',
    ],
    [
      'a zero limit',
      line({ decoys: [], limits: { bytesPerConnection: 0 } }),
      'limits.bytesPerConnection must be a positive integer',
    ],
  ])('refuses %s', (_name, input, message) => {
    const result = parseDecoySet(input);
    expect(typeof result).toBe('string');
    expect(result).toContain(message);
  });
});
