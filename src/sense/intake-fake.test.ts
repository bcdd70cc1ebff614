import { describe, expect, it } from 'vitest';
import { createFakeIntake, fakeEvent } from './intake-fake.js';
import type { PacketEvent } from './packet-event.js';

describe('createFakeIntake', () => {
  it('delivers pushed batches and counts like a real intake, until closed', async () => {
    const seen: PacketEvent[][] = [];
    const intake = createFakeIntake({ onEvents: (events) => seen.push([...events]) });
    const scan = fakeEvent({
      origin: 'quarantine',
      srcIp: '10.20.0.66',
      dstIp: '10.20.1.10',
      l4: 'tcp',
      srcPort: 40123,
      dstPort: 502,
      tcpFlags: 'S',
      length: 44,
    });
    intake.push([scan, fakeEvent({ origin: 'l2', malformed: 'vlan: truncated tag' })]);
    intake.overrun(5);
    await intake.close();
    intake.push([scan]);
    expect(seen).toHaveLength(1);
    expect(intake.closed).toBe(true);
    expect(intake.stats()).toEqual({ received: 2, decoded: 2, malformed: 1, overruns: 1, lost: 5 });
  });

  it('gives fake events the summary the decoder would write', () => {
    const e = fakeEvent({
      origin: 'block',
      srcIp: '10.20.0.66',
      dstIp: '10.20.1.10',
      l4: 'tcp',
      srcPort: 40123,
      dstPort: 502,
      tcpFlags: 'S',
      length: 44,
    });
    expect(e.summary).toBe('10.20.0.66:40123 → 10.20.1.10:502 tcp S len 44');
    expect(e.family).toBe(4);
  });
});
