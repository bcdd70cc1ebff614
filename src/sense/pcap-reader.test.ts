import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLinkLayer } from './decode-frame.js';
import { bytes, ethernet, ipv4Packet, udp } from './packet-builder.js';
import { type CapturedFrame, createPcapReader } from './pcap-reader.js';

const frameA = ethernet(
  { type: 0x0800 },
  ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 }, udp({ sport: 1, dport: 2 })),
);
const frameB = bytes(frameA, [1, 2, 3]);

function u32(n: number, little: boolean): number[] {
  const b = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return little ? b.reverse() : b;
}
function u16(n: number, little: boolean): number[] {
  const b = [(n >>> 8) & 0xff, n & 0xff];
  return little ? b.reverse() : b;
}

/** A classic pcap file: global header (magic, 2.4, zone, sigfigs, snaplen, linktype) and records. */
function pcap(
  little: boolean,
  magic: number,
  frames: readonly [number, number, Uint8Array, number?][],
): Uint8Array {
  const header = [
    ...u32(magic, little),
    ...u16(2, little),
    ...u16(4, little),
    ...u32(0, little),
    ...u32(0, little),
    ...u32(262144, little),
    ...u32(1, little),
  ];
  const records = frames.flatMap(([s, frac, data, orig]) => [
    ...u32(s, little),
    ...u32(frac, little),
    ...u32(data.length, little),
    ...u32(orig ?? data.length, little),
    ...data,
  ]);
  return Uint8Array.from([...header, ...records]);
}

function block(type: number, body: readonly number[], little: boolean): number[] {
  const padded = [...body, ...Array((4 - (body.length % 4)) % 4).fill(0)];
  const length = 12 + padded.length;
  return [...u32(type, little), ...u32(length, little), ...padded, ...u32(length, little)];
}

const shb = (little: boolean) =>
  block(
    0x0a0d0d0a,
    [...u32(0x1a2b3c4d, little), ...u16(1, little), ...u16(0, little), ...Array(8).fill(0xff)],
    little,
  );
/** Interface description: link type, snap length, and optionally if_tsresol (option 9). */
const idb = (little: boolean, linktype: number, tsresol?: number) =>
  block(
    1,
    [
      ...u16(linktype, little),
      0,
      0,
      ...u32(0, little),
      ...(tsresol === undefined ? [] : [...u16(9, little), ...u16(1, little), tsresol, 0, 0, 0, 0, 0, 0, 0]),
    ],
    little,
  );
const epb = (little: boolean, iface: number, ts: number, data: Uint8Array) =>
  block(
    6,
    [
      ...u32(iface, little),
      ...u32(Math.floor(ts / 2 ** 32), little),
      ...u32(ts % 2 ** 32, little),
      ...u32(data.length, little),
      ...u32(data.length, little),
      ...data,
    ],
    little,
  );
const spb = (little: boolean, data: Uint8Array) => block(3, [...u32(data.length, little), ...data], little);

function readAll(
  stream: Uint8Array,
  chunk: number,
): { frames: CapturedFrame[]; error?: string; pending: number } {
  const reader = createPcapReader();
  const frames: CapturedFrame[] = [];
  for (let at = 0; at < stream.length; at += chunk)
    frames.push(...reader.push(stream.subarray(at, at + chunk)));
  return {
    frames,
    ...(reader.error === undefined ? {} : { error: reader.error }),
    pending: reader.pendingBytes,
  };
}

const summary = (f: CapturedFrame) => [f.timeMs, f.linktype, f.data.length, f.originalLength];

describe('createPcapReader', () => {
  it.each([
    ['little-endian µs', true, 0xa1b2c3d4, 1_700_000_000_250],
    ['big-endian µs', false, 0xa1b2c3d4, 1_700_000_000_250],
    ['little-endian ns', true, 0xa1b23c4d, 1_700_000_000_000.25],
    ['big-endian ns', false, 0xa1b23c4d, 1_700_000_000_000.25],
  ])('reads classic pcap, %s, in chunks of any size', (_name, little, magic, firstMs) => {
    const file = pcap(little, magic, [
      [1_700_000_000, 250_000, frameA],
      [1_700_000_001, 0, frameB.subarray(0, 20), frameB.length],
    ]);
    for (const chunk of [1, 3, 7, 64, file.length]) {
      const r = readAll(file, chunk);
      expect(r.error).toBeUndefined();
      expect(r.pending).toBe(0);
      expect(r.frames.map(summary)).toEqual([
        [firstMs, 1, frameA.length, frameA.length],
        [1_700_000_001_000, 1, 20, frameB.length],
      ]);
      expect([...r.frames[0]!.data]).toEqual([...frameA]);
    }
  });

  it('reads pcapng: sections of both byte orders, interfaces, timestamp resolution, enhanced and simple blocks', () => {
    const stream = Uint8Array.from([
      ...shb(true),
      ...idb(true, 1),
      ...idb(true, 101, 9), // raw IP, nanoseconds
      ...epb(true, 0, 1_700_000_000_123_456, frameA),
      ...epb(true, 1, 1_700_000_000_123_456_800, frameB.subarray(14)),
      ...block(5, [1, 2, 3, 4], true), // interface statistics: skipped
      ...shb(false),
      ...idb(false, 1, 0x80 | 10), // 2^-10 s units
      ...epb(false, 0, 1024 * 5, frameB),
      ...spb(false, frameA),
    ]);
    for (const chunk of [1, 5, stream.length]) {
      const r = readAll(stream, chunk);
      expect(r.error).toBeUndefined();
      expect(r.frames.map(summary)).toEqual([
        [1_700_000_000_123.456, 1, frameA.length, frameA.length],
        [1_700_000_000_123.4568, 101, frameB.length - 14, frameB.length - 14],
        [5000, 1, frameB.length, frameB.length],
        [0, 1, frameA.length, frameA.length],
      ]);
    }
  });

  it.each([
    [
      'not a capture',
      Uint8Array.from([0x50, 0x4b, 3, 4, ...Array(30).fill(0)]),
      'not a pcap or pcapng stream (magic 0x4034b50)',
    ],
    [
      'a record of 1 GiB',
      Uint8Array.from([
        ...pcap(true, 0xa1b2c3d4, []),
        ...u32(0, true),
        ...u32(0, true),
        ...u32(2 ** 30, true),
        ...u32(0, true),
      ]),
      'pcap: record of 1073741824 bytes',
    ],
    [
      'a packet on an undescribed interface',
      Uint8Array.from([...shb(true), ...epb(true, 3, 0, frameA)]),
      'pcapng: packet on undescribed interface 3',
    ],
    [
      'a block length not a multiple of 4',
      Uint8Array.from([...shb(true), ...u32(1, true), ...u32(13, true), ...Array(5).fill(0)]),
      'pcapng: block length 13',
    ],
  ])('stops at %s', (_name, stream, error) => {
    expect(readAll(stream, 4).error).toBe(error);
  });

  it('holds an incomplete record until the rest arrives', () => {
    const file = pcap(true, 0xa1b2c3d4, [[1, 0, frameA]]);
    const reader = createPcapReader();
    expect(reader.push(file.subarray(0, file.length - 1))).toEqual([]);
    expect(reader.pendingBytes).toBe(16 + frameA.length - 1);
    expect(reader.push(file.subarray(file.length - 1))).toHaveLength(1);
    expect(reader.format).toBe('pcap');
  });

  it('never throws on 10^4 random streams in random chunks', () => {
    let s = 99;
    const rand = (n: number) => {
      s = (s * 1103515245 + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    const valid = [
      pcap(true, 0xa1b2c3d4, [[1, 0, frameA]]),
      Uint8Array.from([...shb(true), ...idb(true, 1), ...epb(true, 0, 7, frameA)]),
    ];
    for (let i = 0; i < 10_000; i++) {
      const stream = valid[rand(2)]!.slice();
      for (let k = rand(4); k > 0; k--) stream[rand(stream.length)] = rand(256);
      readAll(stream, 1 + rand(40));
    }
  });
});

// Public captures of other people's plants (see /work/shared/pcaps/MANIFEST.md), never copied into the repository.
const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');
const captures = [
  'modbus/ekin_Modbus.pcap',
  'dnp3/ekin_DNP3Value.pcap',
  'iec104/IEC104_SQ.pcapng',
  'bacnet/BACnetL_SchedRPM.pcapng',
  'bacnet/ekin_BACnetIP-MSTP-Mix.pcap',
];
const haveTshark = spawnSync('tshark', ['--version']).status === 0;

describe.runIf(existsSync(shared) && haveTshark)('real captures, against tshark', () => {
  it.each(captures)('%s: every frame, with the addresses and ports tshark sees', (name) => {
    const path = join(shared, name);
    const fields = [
      'ip.src',
      'ipv6.src',
      'ip.dst',
      'ipv6.dst',
      'tcp.srcport',
      'udp.srcport',
      'tcp.dstport',
      'udp.dstport',
      'frame.protocols',
    ];
    const out = spawnSync(
      'tshark',
      [
        '-r',
        path,
        '-o',
        'ip.defragment:FALSE',
        '-T',
        'fields',
        '-E',
        'separator=/t',
        ...fields.flatMap((f) => ['-e', f]),
      ],
      { encoding: 'utf8' },
    );
    const rows = out.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t').map((v) => v.split(',')[0] ?? ''));
    const { frames, error, pending } = readAll(readFileSync(path), 4096);
    expect(error).toBeUndefined();
    expect(pending).toBe(0);
    expect(frames).toHaveLength(rows.length);
    frames.forEach((f, i) => {
      const [ip4src, ip6src, ip4dst, ip6dst, tsp, usp, tdp, udp_, protocols] = rows[i]!;
      const r = decodeLinkLayer(f.linktype, f.data, {
        timeMs: f.timeMs,
        origin: 'capture',
        wireLength: f.originalLength,
      });
      const e = r.ok ? r.event : undefined;
      expect(e?.srcIp ?? '', `frame ${i + 1} source`).toBe(ip4src || ip6src);
      expect(e?.dstIp ?? '', `frame ${i + 1} destination`).toBe(ip4dst || ip6dst);
      // ICMP errors quote a transport header tshark reports as the frame's ports; Picket does not.
      if (!protocols?.includes('icmp')) {
        expect(String(e?.srcPort ?? ''), `frame ${i + 1} source port`).toBe(tsp || usp);
        expect(String(e?.dstPort ?? ''), `frame ${i + 1} destination port`).toBe(tdp || udp_);
      }
    });
  });
});
