// The decoder reads bytes an attacker chose: no input may make it throw.
// 10^5 inputs from a fixed seed, half random bytes, half valid packets with
// bytes flipped and tails cut, through every entry point.

import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeIpPacket, decodeL3, decodeLinkLayer, LINKTYPE } from './decode-frame.js';
import type { DecodeContext } from './decode-ip.js';
import {
  arp,
  ethernet,
  icmp,
  ipv4Packet,
  ipv6Extension,
  ipv6Fragment,
  ipv6Packet,
  tcp,
  udp,
} from './packet-builder.js';

function xorshift(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const ip4 = ipv4Packet(
  { src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, options: [1, 1, 1, 0] },
  tcp({ sport: 1, dport: 502, flags: 0x12, optionBytes: 8 }),
);
const ip6 = ipv6Packet(
  {
    src: '2001:db8::1',
    dst: '2001:db8::2',
    protocol: 17,
    extensions: [
      [0, ipv6Extension()],
      [44, ipv6Fragment(0, true)],
      [60, ipv6Extension(1)],
    ],
  },
  udp({ sport: 2, dport: 20000 }, new Uint8Array(12)),
);
const seeds = [
  ethernet(
    {
      type: 0x0800,
      vlans: [
        [0x88a8, 1],
        [0x8100, 2],
      ],
    },
    ip4,
  ),
  ethernet({ type: 0x86dd }, ip6),
  ethernet(
    { type: 0x0806 },
    arp({ op: 1, senderMac: '02:00:00:00:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' }),
  ),
  ethernet({ type: 0x0800 }, ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1 }, icmp(8, 0))),
  ethernet(
    { type: 0x86dd },
    ipv6Packet({ src: 'fe80::1', dst: 'ff02::1', protocol: 58 }, icmp(135, 0, new Uint8Array(20))),
  ),
];
const linktypes = Object.values(LINKTYPE);

describe('decoder fuzz', () => {
  it('never throws on 10^5 random and mutated inputs', () => {
    const rand = xorshift(0xc0ffee);
    let events = 0;
    let withPorts = 0;
    for (let i = 0; i < 100_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = new Uint8Array(rand(128));
        for (let j = 0; j < input.length; j++) input[j] = rand(256);
        // Make random bytes look like IP or a known EtherType often enough to get past the first check.
        if (input.length > 14 && rand(2) === 0) input[12] = rand(2) ? 0x08 : 0x86;
        if (input.length > 14 && rand(2) === 0) input[14] = rand(2) ? 0x45 : 0x60;
      } else {
        const base = seeds[rand(seeds.length)]!;
        input = base.slice(0, base.length - rand(Math.min(base.length, 40)));
        for (let k = rand(3) + 1; k > 0 && input.length > 0; k--) input[rand(input.length)] = rand(256);
      }
      const ctx: DecodeContext = {
        timeMs: i,
        origin: 'capture',
        payload: rand(2) === 0,
        ...(rand(4) === 0 ? { wireLength: rand(2000) } : {}),
      };
      const results = [
        decodeFrame(input, ctx),
        decodeIpPacket(input.subarray(14), ctx),
        decodeL3(rand(2) ? 0x0806 : 0x86dd, input.subarray(14), ctx),
        decodeLinkLayer(linktypes[rand(linktypes.length)]!, input, ctx),
      ];
      for (const r of results) {
        if (!r.ok) continue;
        events++;
        if (typeof r.event.summary !== 'string') throw new Error('event without a summary');
        if (r.event.dstPort !== undefined) withPorts++;
      }
    }
    // The mutated half must mostly decode: the fuzz reaches deep into the transport layer.
    expect(events).toBeGreaterThan(100_000);
    expect(withPorts).toBeGreaterThan(10_000);
  });
});
