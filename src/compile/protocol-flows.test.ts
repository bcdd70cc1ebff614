// Protocol rules → queue entries per fail mode, judge regions, and the xt
// NFQUEUE rules; monitor mode queues nothing.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse.js';
import { compile } from './compile.js';
import { protocolFlows, queueEntries } from './protocol-flows.js';
import { queueXtRules } from './queue-xt.js';

const source = readFileSync(
  join(import.meta.dirname, '..', '..', 'test', 'golden', 'compile', 'protocol.yaml'),
  'utf8',
);
const policy = parsePolicy(source, 'protocol.yaml').policy!;

describe('protocol flows', () => {
  it('queues each protocol rule under the fail mode of its destination zone', () => {
    expect(
      queueEntries(policy).map((q) => `${q.source} ${q.destination} ${q.ports} ${q.failure} ${q.rule}`),
    ).toEqual([
      '10.20.0.30 10.20.1.40 20000 closed master-operates-rtu',
      '10.20.0.50 10.20.1.10 502 closed hmi-reads-plc',
      '10.20.0.20 10.20.2.7 102 open eng-programs-s7',
    ]);
  });

  it('gives the judge each rule with its constraint and citation', () => {
    const flows = protocolFlows(policy);
    expect(flows.map((f) => [f.producer, f.constraint.kind, f.failure])).toEqual([
      ['protocol.yaml:23 hmi-reads-plc', 'modbus', 'closed'],
      ['protocol.yaml:28 eng-programs-s7', 's7', 'open'],
      ['protocol.yaml:33 master-operates-rtu', 'dnp3', 'closed'],
    ]);
    expect(flows[0]?.constraint).toMatchObject({ functions: [3], units: [1], read: [{ from: 0, to: 99 }] });
  });

  it('queues fail-closed without bypass and fail-open with it', () => {
    const rules = queueXtRules(compile(policy, { nowMs: Date.UTC(2026, 10, 25) }));
    expect(rules.map((r) => [r.binary, r.match.join(' ')])).toEqual([
      [
        'iptables-nft',
        '-m mark --mark 0x100000/0x100000 -m comment --comment picket protocol fail-closed -j NFQUEUE --queue-balance 0:1',
      ],
      [
        'iptables-nft',
        '-m mark --mark 0x200000/0x300000 -m comment --comment picket protocol fail-open -j NFQUEUE --queue-balance 2:3 --queue-bypass',
      ],
    ]);
  });

  it('queues nothing in monitor mode', () => {
    const monitor = parsePolicy(`${source}enforcement:\n  mode: monitor\n`, 'protocol.yaml').policy!;
    expect(queueXtRules(compile(monitor, { nowMs: 0 }))).toEqual([]);
  });
});
