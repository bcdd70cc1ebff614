import { describe, expect, it } from 'vitest';
import type { TouchEvent } from '../deceive/server.js';
import { touchEvents } from './decoy-touches.js';

const touch: TouchEvent = {
  type: 'touch',
  decoy: 'cell-a/s7-300/0',
  timeMs: 1_000,
  src: '10.20.0.66',
  srcPort: 40_000,
  dstIp: '10.20.1.62',
  dstPort: 102,
  transport: 'tcp',
  protocol: 's7comm',
  notes: [
    { protocol: 's7comm', what: 'S7 Setup Communication', severity: 'low' },
    { protocol: 's7comm', what: 'S7 PLC STOP requested', severity: 'critical' },
  ],
};

describe('touchEvents', () => {
  it('makes one decoy-note event per thing tried, saying what, where and on which decoy', () => {
    const events = touchEvents(touch, () => 's7-300');
    expect(events.map((e) => e.summary)).toEqual([
      'S7 Setup Communication (s7comm 10.20.1.62:102/tcp, decoy s7-300)',
      'S7 PLC STOP requested (s7comm 10.20.1.62:102/tcp, decoy s7-300)',
    ]);
    expect(events[0]).toMatchObject({
      origin: 'decoy-note',
      srcIp: '10.20.0.66',
      dstIp: '10.20.1.62',
      dstPort: 102,
    });
  });

  it('reports a bare connection too', () => {
    const [event] = touchEvents({ ...touch, notes: [] }, () => undefined);
    expect(event?.summary).toBe('connected to s7comm (s7comm 10.20.1.62:102/tcp, decoy cell-a/s7-300/0)');
  });
});
