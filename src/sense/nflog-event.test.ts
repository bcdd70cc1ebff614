import { describe, expect, it } from 'vitest';
import { HOST_LITTLE_ENDIAN } from '../net/netlink-codec.js';
import { createNflogReader } from './nflog-event.js';
import { ipv4Packet, udp } from './packet-builder.js';

/** An attribute on a little-endian host: length, type, value, padding. */
function attr(type: number, ...value: number[]): number[] {
  const length = 4 + value.length;
  return [length & 0xff, length >> 8, type, 0, ...value, ...Array((4 - (length % 4)) % 4).fill(0)];
}

/** One NFULNL_MSG_PACKET of group 1 with sequence number `seq`. */
function logged(seq: number, prefix = 'picket:block:'): number[] {
  const payload = [
    ...ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 }, udp({ sport: 1, dport: 9 })),
  ];
  const body = [
    2,
    0,
    0,
    1,
    ...attr(10, ...[...prefix].map((c) => c.charCodeAt(0)), 0),
    ...attr(12, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff),
    ...attr(9, ...payload),
  ];
  const length = 16 + body.length;
  return [length & 0xff, length >> 8, 0, 0, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...body];
}

describe.runIf(HOST_LITTLE_ENDIAN)('createNflogReader', () => {
  it('counts the events missing between sequence numbers as lost, each gap as an overrun', () => {
    const reader = createNflogReader();
    const first = reader.read(Uint8Array.from([...logged(7), ...logged(8)]), 1);
    expect(first.events.map((e) => e.origin)).toEqual(['block', 'block']);
    reader.read(Uint8Array.from([...logged(12), ...logged(13)]), 2); // 9, 10, 11 dropped
    reader.read(Uint8Array.from(logged(20)), 3); // 14…19 dropped
    expect(reader.stats()).toEqual({ received: 5, decoded: 5, malformed: 0, overruns: 2, lost: 9 });
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const reader = createNflogReader();
    reader.read(
      Uint8Array.from([...logged(0xfffffffe), ...logged(0xffffffff), ...logged(0), ...logged(2)]),
      0,
    );
    expect(reader.stats()).toMatchObject({ received: 4, lost: 1, overruns: 1 });
  });

  it('counts packets it cannot turn into events as malformed, and still follows their numbers', () => {
    const reader = createNflogReader();
    const r = reader.read(Uint8Array.from([...logged(1, 'someone-else:'), ...logged(2)]), 0);
    expect(r.events).toHaveLength(1);
    expect(reader.stats()).toEqual({ received: 2, decoded: 1, malformed: 1, overruns: 0, lost: 0 });
  });
});
