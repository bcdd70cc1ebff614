// Touch reporting: a peer's repeated notes are folded, its events capped, and
// a source over its rate budget is held back and the count reported later.

import { describe, expect, it } from 'vitest';
import type { TouchNote } from './personality/types.js';
import { touchBudget } from './touch-budget.js';
import { MAX_TOUCHES_PER_PEER, type ServerEvent, type TouchBase, touchReporter } from './touch-report.js';

const base: TouchBase = {
  type: 'touch',
  decoy: 'd1',
  src: '10.20.0.66',
  srcPort: 40000,
  dstIp: '10.20.1.201',
  dstPort: 502,
  transport: 'tcp',
  protocol: 'modbus',
};
const note = (what: string): TouchNote => ({ protocol: 'modbus', what, severity: 'medium' });

function collect(budget = touchBudget(1000, 1000)) {
  const events: ServerEvent[] = [];
  let now = 0;
  const report = touchReporter(
    base,
    (e) => events.push(e),
    () => now,
    budget,
  );
  return { events, report, tick: (ms: number) => (now += ms) };
}

const whats = (events: ServerEvent[]) =>
  events.map((e) => (e.type === 'touch' ? e.notes.map((n) => n.what) : []));

describe('touchReporter', () => {
  it('reports each new note once per peer and skips empty reports', () => {
    const { events, report } = collect();
    report([note('a')]);
    report([note('a'), note('b')]);
    report([]);
    report([note('b')]);
    expect(whats(events)).toEqual([['a'], ['b']]);
    expect(events[0]).toMatchObject({ ...base, timeMs: 0 });
  });

  it('caps the events of one peer and says so in the last', () => {
    const { events, report } = collect();
    for (let i = 0; i < MAX_TOUCHES_PER_PEER + 10; i++) report([note(`n${i}`)]);
    expect(events).toHaveLength(MAX_TOUCHES_PER_PEER);
    expect(whats(events).at(-1)).toContain('further touches from this peer are not reported');
  });

  it('holds back a source over its budget and reports how many it held', () => {
    const budget = touchBudget(1, 2);
    const { events, report, tick } = collect(budget);
    for (let i = 0; i < 5; i++) report([note(`n${i}`)]);
    expect(events).toHaveLength(2);
    tick(1000);
    report([note('later')]);
    expect(whats(events).at(-1)).toEqual(['later', '3 touches from this source not reported (rate limit)']);
  });
});
