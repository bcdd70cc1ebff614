// nf_tables batches that add allow-set elements (saddr . daddr . proto . port
// tuples), built without libnftables (linux/netfilter/nf_tables.h,
// nfnetlink.h). libnftables spends ~0.8 s of CPU parsing the text of 100k
// elements; these bytes take tens of milliseconds to build. Each field of a
// concatenated key is padded to 4 bytes, as nft lays it out: addresses in
// network order, the protocol in one byte, the port in two (big-endian).
// Interval sets (pipapo) get a key and a key end per element.
// Allow entries → batch bytes, and the names in a table's chain and set dumps.
// Pure.

import type { AllowEntry } from '../compile/ruleset.js';
import { parseIpv4, parseIpv6 } from '../net/address.js';
import {
  buildAttribute,
  concatBytes,
  HOST_LITTLE_ENDIAN,
  NLM_F,
  NLMSG,
  parseAttributes,
  parseDatagram,
  parseError,
} from '../net/netlink-codec.js';
import { parsePrefix, prefixBounds } from '../net/prefix.js';
import {
  NFNL_SUBSYS_NFTABLES,
  NFPROTO,
  NFT_MSG,
  NFTA_CHAIN,
  type NftFamily,
  NLM_F_DUMP,
  nftRequest,
  nftType,
  nulString,
} from './nft-table-codec.js';

const NFNL_MSG_BATCH_BEGIN = 16;
const NFNL_MSG_BATCH_END = 17;
const NLM_F_CREATE = 0x400;
const NLA_F_NESTED = 0x8000;
const NFTA_SET_TABLE = 1;
const NFTA_SET_NAME = 2;
const NFTA_SET_FLAGS = 3;
const NFT_SET_ANONYMOUS = 0x1;
const NFT_SET_MAP = 0x8;
const NFTA_SET_ELEM_LIST_TABLE = 1;
const NFTA_SET_ELEM_LIST_SET = 2;
const NFTA_SET_ELEM_LIST_ELEMENTS = 3;
const NFTA_LIST_ELEM = 1;
const NFTA_SET_ELEM_KEY = 1;
const NFTA_SET_ELEM_KEY_END = 10;
const NFTA_DATA_VALUE = 1;
const IPPROTO = { tcp: 6, udp: 17 } as const;

/** Where the elements go: an allow set of one family, hash (exact tuples) or interval. */
export interface ElementTarget {
  readonly family: NftFamily;
  readonly table: string;
  readonly set: string;
  readonly addressFamily: 4 | 6;
  readonly interval: boolean;
}

/** Bytes of one field's range: [first, last] of an address, `a-b` range or prefix (host bits masked, as nft does). */
function addressRange(text: string, v: 4 | 6): [Uint8Array, Uint8Array] {
  const dash = text.indexOf('-');
  if (dash !== -1) return [addressBytes(text.slice(0, dash), v), addressBytes(text.slice(dash + 1), v)];
  const parsed = parsePrefix(text);
  if (parsed === undefined || parsed.prefix.family !== v)
    throw new RangeError(`not an IPv${v} address or prefix: ${text}`);
  const { first, last } = prefixBounds(parsed.prefix);
  return [bigintBytes(first, v), bigintBytes(last, v)];
}

function addressBytes(text: string, v: 4 | 6): Uint8Array {
  const value = v === 4 ? parseIpv4(text) : parseIpv6(text);
  if (value === undefined) throw new RangeError(`not an IPv${v} address: ${text}`);
  return bigintBytes(value, v);
}

/** A port of `502` or `1000-2000` text. */
function portOf(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new RangeError(`not a port: ${text}`);
  return port;
}

function bigintBytes(n: bigint, v: 4 | 6): Uint8Array {
  const length = v === 4 ? 4 : 16;
  const out = new Uint8Array(length);
  let x = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Bytes of a concatenated key (source, destination, protocol, port; each padded to 4). */
export function keyLength(v: 4 | 6): number {
  return (v === 4 ? 4 : 16) * 2 + 4 + 4;
}

/** Address text → its range's bytes; policies name the same hosts over and over. */
type RangeCache = Map<string, [Uint8Array, Uint8Array]>;

function cachedRange(cache: RangeCache, text: string, v: 4 | 6): [Uint8Array, Uint8Array] {
  let range = cache.get(text);
  if (range === undefined) {
    range = addressRange(text, v);
    cache.set(text, range);
  }
  return range;
}

/** Writes the key start and end of `entry` at `start`/`end` in `out`. */
function writeKeys(
  out: Uint8Array,
  start: number,
  end: number,
  entry: AllowEntry,
  v: 4 | 6,
  cache: RangeCache,
): void {
  const a = v === 4 ? 4 : 16;
  const [s0, s1] = cachedRange(cache, entry.source, v);
  const [d0, d1] = cachedRange(cache, entry.destination, v);
  const dash = entry.ports.indexOf('-');
  const p0 = portOf(dash === -1 ? entry.ports : entry.ports.slice(0, dash));
  const p1 = dash === -1 ? p0 : portOf(entry.ports.slice(dash + 1));
  const proto = IPPROTO[entry.transport];
  writeKey(out, start, a, s0, d0, proto, p0);
  if (end >= 0) writeKey(out, end, a, s1, d1, proto, p1);
}

function writeKey(
  out: Uint8Array,
  at: number,
  a: number,
  source: Uint8Array,
  destination: Uint8Array,
  proto: number,
  port: number,
): void {
  out.set(source, at);
  out.set(destination, at + a);
  out[at + 2 * a] = proto;
  out[at + 2 * a + 4] = port >> 8;
  out[at + 2 * a + 5] = port & 0xff;
}

function putHeader(v: DataView, at: number, length: number, type: number): void {
  v.setUint16(at, length, HOST_LITTLE_ENDIAN);
  v.setUint16(at + 2, type, HOST_LITTLE_ENDIAN);
}

const align4 = (n: number) => (n + 3) & ~3;

/** One NEWSETELEM message for `entries` (all of them must fit the u16 attribute length). */
function setElemMessage(
  target: ElementTarget,
  entries: readonly AllowEntry[],
  seq: number,
  ack: boolean,
  cache: RangeCache,
): Uint8Array {
  const key = keyLength(target.addressFamily);
  const keyAttr = 4 + 4 + key; // NFTA_SET_ELEM_KEY(nested) { NFTA_DATA_VALUE }
  const elem = 4 + keyAttr + (target.interval ? keyAttr : 0);
  const table = nulString(target.table);
  const set = nulString(target.set);
  const listBytes = 4 + elem * entries.length;
  const length = 16 + 4 + align4(4 + table.length) + align4(4 + set.length) + listBytes;
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  v.setUint32(0, length, HOST_LITTLE_ENDIAN);
  v.setUint16(4, nftType(NFT_MSG.newSetElem), HOST_LITTLE_ENDIAN);
  v.setUint16(6, NLM_F.request | NLM_F_CREATE | (ack ? NLM_F.ack : 0), HOST_LITTLE_ENDIAN);
  v.setUint32(8, seq, HOST_LITTLE_ENDIAN);
  out[16] = NFPROTO[target.family];
  let at = 20;
  putHeader(v, at, 4 + table.length, NFTA_SET_ELEM_LIST_TABLE);
  out.set(table, at + 4);
  at += align4(4 + table.length);
  putHeader(v, at, 4 + set.length, NFTA_SET_ELEM_LIST_SET);
  out.set(set, at + 4);
  at += align4(4 + set.length);
  putHeader(v, at, listBytes, NFTA_SET_ELEM_LIST_ELEMENTS | NLA_F_NESTED);
  at += 4;
  for (const entry of entries) {
    putHeader(v, at, elem, NFTA_LIST_ELEM | NLA_F_NESTED);
    putHeader(v, at + 4, keyAttr, NFTA_SET_ELEM_KEY | NLA_F_NESTED);
    putHeader(v, at + 8, 4 + key, NFTA_DATA_VALUE);
    const start = at + 12;
    let end = -1;
    if (target.interval) {
      const e = at + 4 + keyAttr;
      putHeader(v, e, keyAttr, NFTA_SET_ELEM_KEY_END | NLA_F_NESTED);
      putHeader(v, e + 4, 4 + key, NFTA_DATA_VALUE);
      end = e + 8;
    }
    writeKeys(out, start, end, entry, target.addressFamily, cache);
    at += elem;
  }
  return out;
}

function batchMarker(type: number, seq: number): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint32(0, 20, HOST_LITTLE_ENDIAN);
  v.setUint16(4, type, HOST_LITTLE_ENDIAN);
  v.setUint16(6, NLM_F.request, HOST_LITTLE_ENDIAN);
  v.setUint32(8, seq, HOST_LITTLE_ENDIAN);
  // nfgenmsg: AF_UNSPEC, version 0, res_id = the subsystem, big-endian.
  out[18] = 0;
  out[19] = NFNL_SUBSYS_NFTABLES;
  return out;
}

/** One transaction's bytes, and the sequence number whose acknowledgement says it committed. */
export interface ElementBatch {
  readonly bytes: Uint8Array;
  readonly ackSeq: number;
  readonly elements: number;
  /** The first sequence number after this batch's. */
  readonly nextSeq: number;
}

/**
 * Batches (one transaction each) adding `entries` to `target`, `perMessage`
 * elements per message and `perBatch` messages per batch; sequence numbers
 * start at `firstSeq`. Only the last message of a batch asks for an
 * acknowledgement: the kernel reports any failure, and aborts the batch, anyway.
 */
export function buildElementBatches(
  target: ElementTarget,
  entries: readonly AllowEntry[],
  firstSeq: number,
  perMessage = 1000,
  perBatch = 8,
): ElementBatch[] {
  const batches: ElementBatch[] = [];
  // The element list is one attribute, and an attribute's length is 16 bits.
  const keyAttr = 8 + keyLength(target.addressFamily);
  const elementBytes = 4 + keyAttr + (target.interval ? keyAttr : 0);
  perMessage = Math.max(1, Math.min(perMessage, Math.floor((0xffff - 4) / elementBytes)));
  const cache: RangeCache = new Map();
  let seq = firstSeq;
  for (let i = 0; i < entries.length; i += perMessage * perBatch) {
    const parts: Uint8Array[] = [batchMarker(NFNL_MSG_BATCH_BEGIN, seq++)];
    const slice = entries.slice(i, i + perMessage * perBatch);
    let ackSeq = seq;
    for (let j = 0; j < slice.length; j += perMessage) {
      const last = j + perMessage >= slice.length;
      ackSeq = seq;
      parts.push(setElemMessage(target, slice.slice(j, j + perMessage), seq++, last, cache));
    }
    parts.push(batchMarker(NFNL_MSG_BATCH_END, seq++));
    batches.push({ bytes: concatBytes(parts), ackSeq, elements: slice.length, nextSeq: seq });
  }
  return batches;
}

/** A dump request for the chains or the sets of one table. */
export function buildDump(
  what: 'chains' | 'sets',
  family: NftFamily,
  table: string,
  seq: number,
): Uint8Array {
  return what === 'chains'
    ? nftRequest(NFT_MSG.getChain, NLM_F.request | NLM_F_DUMP, family, seq, [
        buildAttribute(NFTA_CHAIN.table, nulString(table)),
      ])
    : nftRequest(NFT_MSG.getSet, NLM_F.request | NLM_F_DUMP, family, seq, [
        buildAttribute(NFTA_SET_TABLE, nulString(table)),
      ]);
}

/** A named object a dump listed: a chain, a set or a map (anonymous sets are left out). */
export interface TableObject {
  readonly kind: 'chain' | 'set' | 'map';
  readonly name: string;
}

/** What one received datagram said: objects, the end of the reply, or an error (errno, or malformed bytes). */
export interface ReplyPart {
  readonly objects: readonly TableObject[];
  readonly done: boolean;
  readonly errno?: number;
  readonly malformed?: string;
}

/** Reads one datagram of a dump (or of a batch's acknowledgements) for request `seq`. */
export function parseReply(datagram: Uint8Array, seq: number): ReplyPart {
  const { messages, malformed } = parseDatagram(datagram);
  const objects: TableObject[] = [];
  let done = false;
  let errno: number | undefined;
  for (const m of messages) {
    if (m.type === NLMSG.error) {
      const ack = parseError(m.body);
      if (ack === undefined) return { objects, done: true, malformed: 'truncated NLMSG_ERROR' };
      // A failing batch reports the failed message's own seq, not the one asked to acknowledge.
      if (ack.errno !== 0) errno ??= ack.errno;
      else if (m.seq === seq) done = true;
      continue;
    }
    if (m.seq !== seq) continue;
    if (m.type === NLMSG.done) {
      done = true;
      continue;
    }
    const sub = m.type & 0xff;
    if (m.type >> 8 !== NFNL_SUBSYS_NFTABLES || (sub !== NFT_MSG.newChain && sub !== NFT_MSG.newSet))
      continue;
    const { attributes } = parseAttributes(m.body, 4);
    const text = (type: number) => {
      const value = attributes.find((a) => a.type === type)?.value;
      if (value === undefined) return undefined;
      const end = value.indexOf(0);
      return new TextDecoder().decode(end === -1 ? value : value.subarray(0, end));
    };
    if (sub === NFT_MSG.newChain) {
      const name = text(NFTA_CHAIN.name);
      if (name !== undefined) objects.push({ kind: 'chain', name });
    } else {
      const name = text(NFTA_SET_NAME);
      const flagsBytes = attributes.find((a) => a.type === NFTA_SET_FLAGS)?.value;
      const flags =
        flagsBytes && flagsBytes.length >= 4
          ? new DataView(flagsBytes.buffer, flagsBytes.byteOffset).getUint32(0)
          : 0;
      if (name !== undefined && (flags & NFT_SET_ANONYMOUS) === 0) {
        objects.push({ kind: flags & NFT_SET_MAP ? 'map' : 'set', name });
      }
    }
  }
  return {
    objects,
    done: done || errno !== undefined || malformed !== undefined,
    ...(errno === undefined ? {} : { errno }),
    ...(malformed === undefined ? {} : { malformed }),
  };
}
