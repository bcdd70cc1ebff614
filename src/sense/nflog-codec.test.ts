// Fixtures are written byte by byte as the kernel lays them out on a
// little-endian host (x86-64, arm64): netlink and attribute headers in host
// order, nfnetlink values big-endian (linux/netfilter/nfnetlink_log.h).

import { describe, expect, it } from 'vitest';
import { LOG_PREFIX } from '../compile/ruleset.js';
import { HOST_LITTLE_ENDIAN, parseAttributes, parseDatagram } from '../net/netlink-codec.js';
import {
  buildConfigCommand,
  buildConfigSettings,
  NFULNL_CFG_CMD,
  NFULNL_CFG_F,
  NFULNL_COPY,
  type NflogPacket,
  parseNflogDatagram,
} from './nflog-codec.js';
import { nflogEvent, originOfPrefix } from './nflog-event.js';
import { arp, ipv4Packet, ipv6Packet, tcp, udp } from './packet-builder.js';

/** An attribute: 2-byte length and 2-byte type (little-endian host), value, padding to 4. */
function attr(type: number, ...value: number[]): number[] {
  const length = 4 + value.length;
  return [length & 0xff, length >> 8, type, 0, ...value, ...Array((4 - (length % 4)) % 4).fill(0)];
}

/** A netlink message: 16-byte header (little-endian host) and body. */
function message(type: number, body: number[], seq = 0): number[] {
  const length = 16 + body.length;
  return [length & 0xff, length >> 8, 0, 0, type & 0xff, type >> 8, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, ...body];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const NFULNL_MSG_PACKET = 0x0400;
const syn = [
  ...ipv4Packet(
    { src: '10.20.0.66', dst: '10.20.1.10', protocol: 6 },
    tcp({ sport: 40123, dport: 502, flags: 2 }),
  ),
];
const udp6 = [
  ...ipv6Packet({ src: 'fe80::66', dst: 'fe80::10', protocol: 17 }, udp({ sport: 5353, dport: 9 })),
];

const inetPacket = message(NFULNL_MSG_PACKET, [
  2,
  0,
  0,
  1, // nfgenmsg: AF_INET, version 0, res_id (group) 1 big-endian
  ...attr(1, 0x08, 0x00, 1, 0), // PACKET_HDR: hw_protocol 0x0800, hook 1 (input)
  ...attr(2, 0, 0, 0, 0x2a), // MARK 42
  ...attr(3, 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00, 0, 0, 0, 0, 0, 0x01, 0xe2, 0x40), // TIMESTAMP 1700000000 s 123456 µs
  ...attr(4, 0, 0, 0, 3), // IFINDEX_INDEV 3
  ...attr(6, 0, 0, 0, 7), // IFINDEX_PHYSINDEV 7
  ...attr(15, 0, 1), // HWTYPE ARPHRD_ETHER
  ...attr(8, 0, 6, 0, 0, 0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56, 0, 0), // HWADDR: len 6, pad, 8 address bytes
  ...attr(16, 0x00, 0x0e, 0x8c, 0, 0, 1, 0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56, 0x08, 0x00), // HWHEADER dst src type
  ...attr(10, ...ascii('picket:block:'), 0), // PREFIX, NUL-terminated
  ...attr(12, 0, 0, 0, 5), // SEQ 5
  ...attr(9, ...syn), // PAYLOAD
]);
const inet6Packet = message(NFULNL_MSG_PACKET, [
  10,
  0,
  0,
  1, // AF_INET6, group 1
  ...attr(1, 0x86, 0xdd, 3, 0), // hw_protocol 0x86dd, hook 3 (output)
  ...attr(10, ...ascii('picket:quarantine:'), 0),
  ...attr(9, ...udp6),
]);

describe.runIf(HOST_LITTLE_ENDIAN)('parseNflogDatagram', () => {
  it('reads every attribute of a logged packet', () => {
    const d = parseNflogDatagram(Uint8Array.from(inetPacket));
    expect(d.malformed).toEqual([]);
    expect(d.packets).toHaveLength(1);
    const p = d.packets[0]!;
    expect({
      ...p,
      hwAddr: [...p.hwAddr!],
      hwHeader: p.hwHeader?.length,
      payload: p.payload?.length,
    }).toEqual({
      family: 2,
      group: 1,
      hwProtocol: 0x0800,
      hook: 1,
      mark: 42,
      timestampMs: 1_700_000_000_123,
      indev: 3,
      physindev: 7,
      hwType: 1,
      hwAddr: [0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56],
      hwHeader: 14,
      prefix: 'picket:block:',
      seq: 5,
      payload: 40,
    });
  });

  it('reads many messages per datagram, acknowledgements, errors and overruns', () => {
    const ack = message(2, [0, 0, 0, 0, ...message(0x0401, [], 9)]);
    const refused = message(2, [0xff, 0xff, 0xff, 0xff, ...message(0x0401, [], 10)]); // -EPERM
    const done = message(3, [0, 0, 0, 0]);
    const overrun = message(4, []);
    const d = parseNflogDatagram(
      Uint8Array.from([...inetPacket, ...inet6Packet, ...ack, ...refused, ...done, ...overrun]),
    );
    expect(d.packets.map((p) => p.prefix)).toEqual(['picket:block:', 'picket:quarantine:']);
    expect(d.acks).toEqual([
      { errno: 0, requestSeq: 9 },
      { errno: 1, requestSeq: 10 },
    ]);
    expect(d.overrun).toBe(true);
    expect(d.malformed).toEqual([]);
  });

  it.each([
    [
      'a message longer than the datagram',
      inetPacket.slice(0, 40),
      ['netlink: message length 188 at 0 of 40'],
    ],
    [
      'an attribute longer than its message',
      message(NFULNL_MSG_PACKET, [2, 0, 0, 1, 12, 0, 9, 0, 1, 2]),
      ['netlink: attribute length 12 at 4'],
    ],
    [
      'a short timestamp',
      message(NFULNL_MSG_PACKET, [2, 0, 0, 1, ...attr(3, 1, 2, 3, 4)]),
      ['nflog: 4-byte timestamp'],
    ],
    ['no nfgenmsg', message(NFULNL_MSG_PACKET, [2, 0]), ['nflog: truncated nfgenmsg']],
  ])('names %s', (_name, datagram, malformed) => {
    expect(parseNflogDatagram(Uint8Array.from(datagram)).malformed).toEqual(malformed);
  });
});

describe('nflogEvent', () => {
  const packet = (p: Partial<NflogPacket>): NflogPacket => ({
    family: 2,
    group: 1,
    prefix: 'picket:block:',
    ...p,
  });

  it.runIf(HOST_LITTLE_ENDIAN)(
    'makes an event of a logged IPv4 packet, MACs from the hardware attributes',
    () => {
      const p = parseNflogDatagram(Uint8Array.from(inetPacket)).packets[0]!;
      const r = nflogEvent(p, 5);
      expect(r.ok && r.event).toMatchObject({
        timeMs: 1_700_000_000_123,
        origin: 'block',
        srcMac: '00:1b:1b:12:34:56',
        dstMac: '00:0e:8c:00:00:01',
        srcIp: '10.20.0.66',
        dstPort: 502,
        tcpFlags: 'S',
        summary: '10.20.0.66:40123 → 10.20.1.10:502 tcp S len 40',
      });
    },
  );

  it('uses the given time when the kernel sent no timestamp, and decodes IPv6', () => {
    const r = nflogEvent(
      packet({ family: 10, prefix: 'picket:quarantine:', payload: Uint8Array.from(udp6) }),
      77,
    );
    expect(r.ok && r.event).toMatchObject({
      timeMs: 77,
      origin: 'quarantine',
      family: 6,
      srcIp: 'fe80::66',
      dstPort: 9,
    });
  });

  it('rebuilds a bridge-family frame from its L2 header and takes the VLAN tag', () => {
    const l2Header = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x66, 0x08, 0x06]);
    const payload = arp({
      op: 1,
      senderMac: '02:00:00:00:00:66',
      senderIp: '10.20.0.66',
      targetIp: '10.20.1.1',
    });
    const r = nflogEvent(
      packet({ family: 7, prefix: 'picket:l2:', hwProtocol: 0x0806, l2Header, payload, vlanTci: 0x2014 }),
      0,
    );
    expect(r.ok && r.event).toMatchObject({
      origin: 'l2',
      vlan: 20,
      srcMac: '02:00:00:00:00:66',
      etherType: 0x0806,
      arp: { op: 1 },
    });
    const bare = nflogEvent(packet({ family: 7, prefix: 'picket:l2:', hwProtocol: 0x0806, payload }), 0);
    expect(bare.ok && bare.event.arp?.targetIp).toBe('10.20.1.1');
  });

  it.each([
    [
      'a prefix that is not Picket',
      packet({ prefix: 'other:', payload: Uint8Array.from(syn) }),
      'nflog: prefix "other:" is not Picket\'s',
    ],
    ['no payload', packet({}), 'nflog: no payload (copy mode is not packet)'],
  ])('refuses %s', (_name, p, why) => {
    expect(nflogEvent(p, 0)).toEqual({ ok: false, malformed: why });
  });

  it('knows every prefix the compiler writes', () => {
    for (const prefix of Object.values(LOG_PREFIX)) expect(originOfPrefix(prefix), prefix).toBeDefined();
    expect(originOfPrefix('picket:would-block:')).toBe('would-block');
    // Inherited names of a plain object are not kinds.
    expect(originOfPrefix('picket:constructor:')).toBeUndefined();
    expect(originOfPrefix('picket:__proto__:')).toBeUndefined();
  });
});

describe.runIf(HOST_LITTLE_ENDIAN)('config requests', () => {
  it('binds a group: NFULNL_MSG_CONFIG with a CMD attribute, request and ack flags', () => {
    expect([...buildConfigCommand(1, 0, 300, NFULNL_CFG_CMD.bind)]).toEqual([
      28,
      0,
      0,
      0,
      0x01,
      0x04,
      0x05,
      0x00,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // nlmsghdr: len, type ULOG<<8|CONFIG, flags, seq, pid
      0,
      0,
      0x01,
      0x2c, // nfgenmsg: AF_UNSPEC, v0, group 300 big-endian
      5,
      0,
      1,
      0,
      1,
      0,
      0,
      0, // CFG_CMD: BIND, padded
    ]);
  });

  it('sets copy mode, batching and sequence numbers in one request', () => {
    const m = buildConfigSettings(2, 1, {
      copyMode: NFULNL_COPY.packet,
      copyRange: 256,
      nlbufsizBytes: 65536,
      flushTimeoutMs: 10,
      queueThreshold: 4096,
      flags: NFULNL_CFG_F.seq,
    });
    const body = parseDatagram(m).messages[0]!.body;
    const attributes = parseAttributes(body, 4).attributes.map((a) => [a.type, ...a.value]);
    expect(attributes).toEqual([
      [2, 0, 0, 1, 0, 2, 0], // MODE: copy_range 256, NFULNL_COPY_PACKET, pad
      [3, 0, 1, 0, 0], // NLBUFSIZ 65536
      [4, 0, 0, 0, 1], // TIMEOUT 1/100 s
      [5, 0, 0, 0x10, 0], // QTHRESH 4096
      [6, 0, 1], // FLAGS NFULNL_CFG_F_SEQ
    ]);
  });
});

describe('fuzz', () => {
  it('never throws on 10^5 random and mutated datagrams', () => {
    let seed = 0x5eed;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const valid = [inetPacket, inet6Packet, [...inetPacket, ...inet6Packet]].map((m) => Uint8Array.from(m));
    let events = 0;
    for (let i = 0; i < 100_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = new Uint8Array(rand(300));
        for (let j = 0; j < input.length; j++) input[j] = rand(256);
      } else {
        const base = valid[rand(valid.length)]!;
        input = base.slice(0, rand(base.length + 1));
        for (let k = rand(4) + 1; k > 0 && input.length > 0; k--) input[rand(input.length)] = rand(256);
      }
      const d = parseNflogDatagram(input);
      for (const p of d.packets) if (nflogEvent(p, 0).ok) events++;
    }
    expect(events).toBeGreaterThan(1000);
  });
});

describe('nflogEvent on loopback', () => {
  it('takes no MAC from a loopback device (ARPHRD_LOOPBACK reports zeros)', () => {
    const r = nflogEvent(
      {
        family: 2,
        group: 1,
        prefix: 'picket:block:',
        hwType: 772,
        hwAddr: new Uint8Array(6),
        payload: ipv4Packet(
          { src: '127.0.0.1', dst: '127.0.0.1', protocol: 17 },
          udp({ sport: 1, dport: 9 }),
        ),
      },
      0,
    );
    expect(r.ok && r.event.srcMac).toBeUndefined();
  });
});
