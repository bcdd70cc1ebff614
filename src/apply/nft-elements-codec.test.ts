import { describe, expect, it } from 'vitest';
import type { AllowEntry } from '../compile/ruleset.js';
import {
  buildAttribute,
  buildMessage,
  concatBytes,
  type NetlinkMessage,
  parseAttributes,
  parseDatagram,
} from '../net/netlink-codec.js';
import {
  buildDump,
  buildElementBatches,
  type ElementTarget,
  keyLength,
  parseReply,
} from './nft-elements-codec.js';

const NEWSETELEM = (10 << 8) | 12;
const NEWCHAIN = (10 << 8) | 3;
const NEWSET = (10 << 8) | 9;
const BATCH_BEGIN = 16;
const BATCH_END = 17;
const F_REQUEST = 0x1;
const F_ACK = 0x4;
const F_CREATE = 0x400;

const text = (s: string) => concatBytes([new TextEncoder().encode(s), new Uint8Array([0])]);
const u32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

const target = (over: Partial<ElementTarget> = {}): ElementTarget => ({
  family: 'inet',
  table: 'picket',
  set: 'exact4',
  addressFamily: 4,
  interval: false,
  ...over,
});

const entry = (over: Partial<AllowEntry> = {}): AllowEntry => ({
  family: 4,
  source: '10.1.2.3',
  destination: '10.4.5.6',
  transport: 'tcp',
  ports: '502',
  rule: 'r',
  line: 1,
  ...over,
});

const hosts = (n: number) =>
  Array.from({ length: n }, (_v, i) => entry({ source: `10.0.${i >> 8}.${i & 255}` }));

/** The attributes of a message after its 4-byte nfgenmsg. */
function attributesOf(m: NetlinkMessage) {
  const { attributes, malformed } = parseAttributes(m.body, 4);
  expect(malformed).toBeUndefined();
  return attributes;
}

function attribute(list: readonly { type: number; value: Uint8Array }[], type: number): Uint8Array {
  const found = list.find((a) => a.type === type);
  expect(found, `attribute ${type}`).toBeDefined();
  return found!.value;
}

/** The key bytes (NFTA_SET_ELEM_KEY, and KEY_END when present) of each element of a NEWSETELEM message. */
function elementsOf(m: NetlinkMessage): { key: number[]; end?: number[] }[] {
  const list = parseAttributes(attribute(attributesOf(m), 3));
  expect(list.malformed).toBeUndefined();
  return list.attributes.map((elem) => {
    expect(elem.type).toBe(1);
    const parts = parseAttributes(elem.value).attributes;
    const data = (type: number) => [...attribute(parseAttributes(attribute(parts, type)).attributes, 1)];
    expect(parts.map((p) => p.type).every((t) => t === 1 || t === 10)).toBe(true);
    return parts.some((p) => p.type === 10) ? { key: data(1), end: data(10) } : { key: data(1) };
  });
}

function messagesOf(bytes: Uint8Array): readonly NetlinkMessage[] {
  const { messages, malformed } = parseDatagram(bytes);
  expect(malformed).toBeUndefined();
  return messages;
}

describe('buildElementBatches', () => {
  it('wraps the elements of an IPv4 hash set in one nf_tables transaction', () => {
    const [batch, ...rest] = buildElementBatches(target(), [entry()], 40);
    expect(rest).toEqual([]);
    const messages = messagesOf(batch!.bytes);
    expect(messages.map((m) => m.type)).toEqual([BATCH_BEGIN, NEWSETELEM, BATCH_END]);
    const [begin, add, end] = messages as [NetlinkMessage, NetlinkMessage, NetlinkMessage];
    // nfgenmsg res_id = NFNL_SUBSYS_NFTABLES, big-endian: bytes 18-19 of the message.
    expect([...begin.body.subarray(2, 4)]).toEqual([0, 10]);
    expect([...end.body.subarray(2, 4)]).toEqual([0, 10]);
    expect([begin.seq, add.seq, end.seq]).toEqual([40, 41, 42]);
    expect(add.flags).toBe(F_REQUEST | F_CREATE | F_ACK);
    expect(batch!.ackSeq).toBe(add.seq);
    expect(batch!.nextSeq).toBe(end.seq + 1);
    expect(batch!.elements).toBe(1);
    expect(add.body[0]).toBe(1);
    const attrs = attributesOf(add);
    expect([...attribute(attrs, 1)]).toEqual([...text('picket')]);
    expect([...attribute(attrs, 2)]).toEqual([...text('exact4')]);
    expect(elementsOf(add)).toEqual([{ key: [10, 1, 2, 3, 10, 4, 5, 6, 6, 0, 0, 0, 0x01, 0xf6, 0, 0] }]);
  });

  it('gives each element of an interval (pipapo) set a key and a key end', () => {
    const [batch] = buildElementBatches(
      target({ set: 'allow4', interval: true }),
      [
        entry({
          source: '10.1.0.0/16',
          destination: '10.2.0.5-10.2.0.9',
          transport: 'udp',
          ports: '1000-2000',
        }),
      ],
      1,
    );
    const add = messagesOf(batch!.bytes)[1]!;
    expect(elementsOf(add)).toEqual([
      {
        key: [10, 1, 0, 0, 10, 2, 0, 5, 17, 0, 0, 0, 0x03, 0xe8, 0, 0],
        end: [10, 1, 255, 255, 10, 2, 0, 9, 17, 0, 0, 0, 0x07, 0xd0, 0, 0],
      },
    ]);
  });

  it('masks the host bits of a prefix, as nft does', () => {
    const [batch] = buildElementBatches(
      target({ set: 'allow4', interval: true }),
      [entry({ source: '10.1.2.3/16' })],
      1,
    );
    const [element] = elementsOf(messagesOf(batch!.bytes)[1]!);
    expect(element?.key.slice(0, 4)).toEqual([10, 1, 0, 0]);
    expect(element?.end?.slice(0, 4)).toEqual([10, 1, 255, 255]);
  });

  it('lays IPv6 addresses out in network order in a 40-byte key', () => {
    expect(keyLength(4)).toBe(16);
    expect(keyLength(6)).toBe(40);
    const v6 = target({ set: 'exact6', addressFamily: 6 });
    const [batch] = buildElementBatches(
      v6,
      [entry({ family: 6, source: 'fd00::1', destination: '2001:db8::a:2', ports: '443' })],
      1,
    );
    const [element] = elementsOf(messagesOf(batch!.bytes)[1]!);
    expect(element?.key).toEqual([
      ...[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      ...[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 2],
      ...[6, 0, 0, 0],
      ...[0x01, 0xbb, 0, 0],
    ]);
  });

  it('splits entries into messages and batches, acknowledging only the last message of each batch', () => {
    const entries = hosts(14);
    const batches = buildElementBatches(target(), entries, 100, 3, 2);
    expect(batches.map((b) => b.elements)).toEqual([6, 6, 2]);
    let seq = 100;
    const keys: number[][] = [];
    for (const batch of batches) {
      const messages = messagesOf(batch.bytes);
      expect(messages[0]?.type).toBe(BATCH_BEGIN);
      expect(messages.at(-1)?.type).toBe(BATCH_END);
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_m, i) => seq + i));
      const adds = messages.slice(1, -1);
      expect(adds.every((m) => m.type === NEWSETELEM)).toBe(true);
      expect(adds.map((m) => (m.flags & F_ACK) !== 0)).toEqual(adds.map((_m, i) => i === adds.length - 1));
      expect(batch.ackSeq).toBe(adds.at(-1)?.seq);
      expect(batch.elements).toBe(adds.reduce((n, m) => n + elementsOf(m).length, 0));
      keys.push(...adds.flatMap((m) => elementsOf(m).map((e) => e.key)));
      seq = batch.nextSeq;
    }
    expect(batches.map((b) => messagesOf(b.bytes).length - 2)).toEqual([2, 2, 1]);
    expect(keys.map((k) => k.slice(0, 4).join('.'))).toEqual(entries.map((e) => e.source));
  });

  it('caps the elements of a message so the u16 element-list length never overflows (IPv6 intervals)', () => {
    const entries = Array.from({ length: 700 }, (_v, i) =>
      entry({ family: 6, source: `fd00::${i.toString(16)}/128`, destination: 'fd01::/64', ports: '1-1024' }),
    );
    const batches = buildElementBatches(
      target({ set: 'allow6', addressFamily: 6, interval: true }),
      entries,
      1,
      5000,
    );
    const adds = batches.flatMap((b) => messagesOf(b.bytes).filter((m) => m.type === NEWSETELEM));
    expect(adds.length).toBeGreaterThan(1);
    let total = 0;
    for (const m of adds) {
      const list = attribute(attributesOf(m), 3);
      expect(4 + list.length).toBeLessThanOrEqual(0xffff);
      // nfgenmsg, table and set attributes (12 bytes each), then the list runs to the message's end.
      expect(m.body.length).toBe(4 + 12 + 12 + 4 + list.length);
      total += elementsOf(m).length;
    }
    expect(total).toBe(700);
    expect(batches.reduce((n, b) => n + b.elements, 0)).toBe(700);
  });

  it.each([
    ['a truncated IPv4 address', 4, { source: '10.1.2' }],
    ['an IPv4 octet over 255', 4, { destination: '10.1.2.256' }],
    ['a bad end of an IPv4 range', 4, { source: '10.0.0.1-10.0.0' }],
    ['a bad IPv6 address', 6, { family: 6, source: 'fd00::zz', destination: 'fd00::1' }],
    ['an IPv4 address in an IPv6 set', 6, { family: 6, source: '10.0.0.1', destination: 'fd00::1' }],
    ['an empty IPv4 octet', 4, { source: '10..2.3' }],
    ['a hexadecimal IPv4 octet', 4, { source: '0x10.1.1.1' }],
    ['an IPv4 address with a leading space', 4, { source: ' 10.1.1.1' }],
    ['a prefix longer than the address', 4, { source: '10.0.0.0/33' }],
    ['a prefix without a length', 4, { source: '10.0.0.0/' }],
    ['a port over 65535', 4, { ports: '70000' }],
    ['a port that is not a number', 4, { ports: 'abc' }],
    ['a port range with a bad end', 4, { ports: '1000-' }],
  ] as const)('throws RangeError on %s', (_what, v, over) => {
    const t = target({ addressFamily: v, interval: true });
    expect(() => buildElementBatches(t, [entry(over)], 1)).toThrow(RangeError);
  });
});

describe('buildDump', () => {
  it.each([
    ['chains', (10 << 8) | 4],
    ['sets', (10 << 8) | 10],
  ] as const)('asks for a dump of the %s of one table', (what, type) => {
    const [m, ...rest] = messagesOf(buildDump(what, 'inet', 'picket', 12));
    expect(rest).toEqual([]);
    expect(m?.type).toBe(type);
    expect(m?.flags).toBe(0x1 | 0x300);
    expect(m?.seq).toBe(12);
    expect(m?.body[0]).toBe(1);
    expect(attributesOf(m!).map((a) => [a.type, [...a.value]])).toEqual([[1, [...text('picket')]]]);
  });
});

/** A dump reply message: nfgenmsg (inet) and attributes. */
function reply(type: number, seq: number, attrs: readonly Uint8Array[]): Uint8Array {
  return buildMessage(type, 0x2, seq, concatBytes([new Uint8Array([1, 0, 0, 0]), ...attrs]));
}

const chainMessage = (seq: number, name: string) =>
  reply(NEWCHAIN, seq, [buildAttribute(1, text('picket')), buildAttribute(3, text(name))]);

const setMessage = (seq: number, name: string, flags: number) =>
  reply(NEWSET, seq, [
    buildAttribute(1, text('picket')),
    buildAttribute(2, text(name)),
    buildAttribute(3, u32be(flags)),
  ]);

const doneMessage = (seq: number) => buildMessage(3, 0x2, seq, new Uint8Array(4));

/** An NLMSG_ERROR carrying -errno (0: an acknowledgement) for request `seq`. */
function errorMessage(seq: number, errno: number): Uint8Array {
  const body = new Uint8Array(4 + 16);
  new DataView(body.buffer).setInt32(0, -errno, true);
  new DataView(body.buffer).setUint32(4 + 8, seq, true);
  return buildMessage(2, 0, seq, body);
}

describe('parseReply', () => {
  it('names chains, sets and maps, leaves anonymous sets out, and ends at NLMSG_DONE', () => {
    const datagram = concatBytes([
      chainMessage(7, 'forward'),
      setMessage(7, 'exact4', 0x0),
      setMessage(7, 'allow4', 0x4),
      setMessage(7, 'verdicts', 0x8),
      setMessage(7, '__set0', 0x1 | 0x2),
      doneMessage(7),
    ]);
    expect(parseReply(datagram, 7)).toEqual({
      objects: [
        { kind: 'chain', name: 'forward' },
        { kind: 'set', name: 'exact4' },
        { kind: 'set', name: 'allow4' },
        { kind: 'map', name: 'verdicts' },
      ],
      done: true,
    });
  });

  it('is not done until NLMSG_DONE arrives, and ignores messages for another request', () => {
    expect(parseReply(chainMessage(7, 'forward'), 7)).toEqual({
      objects: [{ kind: 'chain', name: 'forward' }],
      done: false,
    });
    expect(parseReply(concatBytes([chainMessage(8, 'forward'), doneMessage(8)]), 7)).toEqual({
      objects: [],
      done: false,
    });
  });

  it('ends at the acknowledgement of the asked request, not of another', () => {
    expect(parseReply(errorMessage(9, 0), 9)).toEqual({ objects: [], done: true });
    expect(parseReply(errorMessage(8, 0), 9)).toEqual({ objects: [], done: false });
  });

  it('reports an errno, even from the message of the batch that failed', () => {
    expect(parseReply(errorMessage(9, 2), 9)).toEqual({ objects: [], done: true, errno: 2 });
    expect(parseReply(concatBytes([errorMessage(5, 17), errorMessage(9, 0)]), 9)).toEqual({
      objects: [],
      done: true,
      errno: 17,
    });
  });

  it('names truncated bytes as malformed, and ends the reply', () => {
    const cut = parseReply(chainMessage(7, 'forward').subarray(0, 30), 7);
    expect(cut.done).toBe(true);
    expect(cut.malformed).toMatch(/netlink/);
    const shortError = parseReply(buildMessage(2, 0, 7, new Uint8Array(2)), 7);
    expect(shortError).toEqual({ objects: [], done: true, malformed: 'truncated NLMSG_ERROR' });
  });
});
