import { describe, expect, it } from 'vitest';
import type { Action } from '../decide/decision.js';
import { renderActionBatch } from './action-batch.js';
import { createEventQueue } from './event-queue.js';

const q = (address: string, durationSeconds = 3600): Action => ({
  type: 'quarantine',
  address,
  durationSeconds,
  reason: 'r',
  producer: 'p',
});
const rel = (address: string): Action => ({ type: 'release', address, reason: 'r', producer: 'p' });
const flow: Action = {
  type: 'block-flow',
  source: '10.0.0.1',
  destination: '10.0.0.2',
  protocol: 6,
  port: 502,
  durationSeconds: 60,
  reason: 'r',
  producer: 'p',
};
const limits = { never: new Set(['10.20.1.10']), enforcing: true, blockFlowSets: false };

describe('renderActionBatch', () => {
  it('puts every quarantine of a batch in one transaction, once per address, per family', () => {
    const b = renderActionBatch([q('10.0.0.1'), q('fd20::66', 60.4), q('10.0.0.1')], limits);
    expect(b.commands).toBe(
      'add element inet picket quarantine4 { 10.0.0.1 timeout 3600s }\n' +
        'add element inet picket quarantine6 { fd20::66 timeout 60s }\n',
    );
    expect(b.quarantined).toEqual(['10.0.0.1', 'fd20::66']);
  });

  it('releases with add-then-delete so an element already timed out cannot fail the batch', () => {
    const b = renderActionBatch([q('10.0.0.1'), rel('10.0.0.1')], limits);
    expect(b.commands).toBe(
      'add element inet picket quarantine4 { 10.0.0.1 }\ndelete element inet picket quarantine4 { 10.0.0.1 }\n',
    );
    expect(b.quarantined).toEqual([]);
    expect(b.released).toEqual(['10.0.0.1']);
  });

  it('spares never-list assets and records nothing for the kernel', () => {
    const b = renderActionBatch([q('10.20.1.10')], limits);
    expect(b).toMatchObject({ commands: '', spared: ['10.20.1.10'] });
  });

  it('sends nothing to the kernel in sensor mode', () => {
    const b = renderActionBatch([q('10.0.0.1'), rel('10.0.0.2'), flow], { ...limits, enforcing: false });
    expect(b.commands).toBe('');
    expect(b.skipped).toHaveLength(3);
  });

  it('blocks a flow only when the ruleset has the set', () => {
    expect(renderActionBatch([flow], limits).skipped[0]?.why).toBe('the ruleset has no block-flow set');
    expect(renderActionBatch([flow], { ...limits, blockFlowSets: true }).commands).toBe(
      'add element inet picket blockflow4 { 10.0.0.1 . 10.0.0.2 . 6 . 502 timeout 60s }\n',
    );
  });
});

describe('createEventQueue', () => {
  it('keeps order across wrap-around and drops what does not fit', () => {
    const queue = createEventQueue<number>(3);
    expect(queue.push([1, 2])).toBe(0);
    expect(queue.take(1)).toEqual([1]);
    expect(queue.push([3, 4, 5])).toBe(1);
    expect(queue.size).toBe(3);
    expect(queue.take(10)).toEqual([2, 3, 4]);
    expect(queue.dropped).toBe(1);
    expect(queue.take(1)).toEqual([]);
  });
});
