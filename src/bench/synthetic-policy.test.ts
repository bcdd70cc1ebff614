import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.js';
import {
  type BenchFlow,
  syntheticDestination,
  syntheticPolicy,
  syntheticSource,
} from './synthetic-policy.js';

const flow: BenchFlow = {
  source: { name: 'sender', ip: '10.30.0.10' },
  destination: { name: 'receiver', ip: '10.30.1.10' },
  tcpPorts: [5201],
  udpPorts: [5201, 9],
  subnet: { family: 4, address: '10.30.0.0', length: 16 },
};

describe('syntheticPolicy', () => {
  it('compiles to exactly the asked pairs plus one tuple per flow port, flow included', () => {
    const ruleset = compile(syntheticPolicy(1000, flow), { nowMs: 0 });
    expect(ruleset.entries).toHaveLength(1003);
    const flowEntries = ruleset.entries.filter((e) => e.source === '10.30.0.10');
    expect(flowEntries.map((e) => `${e.transport}/${e.ports}`).sort()).toEqual([
      'tcp/5201',
      'udp/5201',
      'udp/9',
    ]);
    expect(flowEntries.every((e) => e.destination === '10.30.1.10')).toBe(true);
  });

  it('keeps addresses distinct and non-adjacent, so nothing merges into ranges', () => {
    expect(syntheticSource(0)).toBe('10.64.0.1');
    expect(syntheticSource(1)).toBe('10.64.0.3');
    expect(syntheticSource(128)).toBe('10.64.1.1');
    expect(syntheticDestination(99)).toBe('10.65.99.1');
  });

  it('refuses sizes it cannot build', () => {
    expect(() => syntheticPolicy(150, flow)).toThrow(RangeError);
    expect(() => syntheticPolicy(0, flow)).toThrow(RangeError);
  });
});
