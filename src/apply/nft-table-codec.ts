// nf_tables messages for reading one table's comment without libnftables
// (linux/netfilter/nf_tables.h, libnftnl's udata TLVs). nft 1.0.6 fetches the
// whole ruleset, every set element included, for any table listing: 2.6 s of
// a 100k-pair apply went to reading this one comment. A GETTABLE request
// names the table, and the kernel answers with that table alone.
// Request bytes ⇄ reply. Never throws on received bytes. Pure.

import {
  buildAttribute,
  buildMessage,
  concatBytes,
  NLM_F,
  NLMSG,
  parseAttributes,
  parseDatagram,
  parseError,
} from '../net/netlink-codec.js';

/** linux/netlink.h */
export const NETLINK_NETFILTER = 12;
/** linux/netfilter/nfnetlink.h: subsystem in the high byte of the message type. */
export const NFNL_SUBSYS_NFTABLES = 10;
/** linux/netfilter/nf_tables.h message types (the low byte). */
export const NFT_MSG = {
  newTable: 0,
  getTable: 1,
  newChain: 3,
  getChain: 4,
  newRule: 6,
  getRule: 7,
  newSet: 9,
  getSet: 10,
  newSetElem: 12,
} as const;
/** linux/netlink.h: NLM_F_ROOT | NLM_F_MATCH. */
export const NLM_F_DUMP = 0x300;
/** linux/netfilter/nf_tables.h chain attributes shared by chain and rule requests. */
export const NFTA_CHAIN = { table: 1, name: 3 } as const;
const NFTA_TABLE_NAME = 1;
const NFTA_TABLE_USERDATA = 6;
/** libnftnl udata.h: the comment TLV of a table's user data. */
const NFTNL_UDATA_TABLE_COMMENT = 0;

/** linux/netfilter.h address families of nf_tables. */
export const NFPROTO = { inet: 1, ipv4: 2, arp: 3, netdev: 5, bridge: 7, ipv6: 10 } as const;
export type NftFamily = keyof typeof NFPROTO;

/** The netlink message type of an nf_tables message. */
export function nftType(message: number): number {
  return (NFNL_SUBSYS_NFTABLES << 8) | message;
}

/** A string attribute's value: UTF-8 and a terminating NUL. */
export function nulString(s: string): Uint8Array {
  return concatBytes([new TextEncoder().encode(s), new Uint8Array([0])]);
}

/** An nf_tables request: the nfgenmsg header for `family`, then `attributes`. */
export function nftRequest(
  message: number,
  flags: number,
  family: NftFamily,
  seq: number,
  attributes: readonly Uint8Array[],
): Uint8Array {
  const nfgenmsg = new Uint8Array([NFPROTO[family], 0, 0, 0]);
  return buildMessage(nftType(message), flags, seq, concatBytes([nfgenmsg, ...attributes]));
}

/** A GETTABLE request for `family`/`name`, asking for an acknowledgement. */
export function buildGetTable(family: NftFamily, name: string, seq: number): Uint8Array {
  return nftRequest(NFT_MSG.getTable, NLM_F.request | NLM_F.ack, family, seq, [
    buildAttribute(NFTA_TABLE_NAME, nulString(name)),
  ]);
}

/** What one datagram of the reply said: the table (with its comment, if any), the end, or an error. */
export type TableReplyPart =
  | { readonly kind: 'table'; readonly comment?: string }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly errno: number }
  | { readonly kind: 'malformed'; readonly reason: string };

/** The parts of one received datagram for request `seq`; messages for other requests are skipped. */
export function parseTableReply(datagram: Uint8Array, seq: number): TableReplyPart[] {
  const { messages, malformed } = parseDatagram(datagram);
  const parts: TableReplyPart[] = [];
  for (const m of messages) {
    if (m.seq !== seq) continue;
    if (m.type === NLMSG.error) {
      const ack = parseError(m.body);
      if (ack === undefined) parts.push({ kind: 'malformed', reason: 'truncated NLMSG_ERROR' });
      else parts.push(ack.errno === 0 ? { kind: 'done' } : { kind: 'error', errno: ack.errno });
    } else if (m.type === NLMSG.done) {
      parts.push({ kind: 'done' });
    } else if (m.type === nftType(NFT_MSG.newTable)) {
      const { attributes, malformed: bad } = parseAttributes(m.body, 4);
      if (bad !== undefined) {
        parts.push({ kind: 'malformed', reason: bad });
        continue;
      }
      const userdata = attributes.find((a) => a.type === NFTA_TABLE_USERDATA)?.value;
      const comment = userdata === undefined ? undefined : commentOf(userdata);
      parts.push(comment === undefined ? { kind: 'table' } : { kind: 'table', comment });
    }
  }
  if (malformed !== undefined) parts.push({ kind: 'malformed', reason: malformed });
  return parts;
}

/** The comment in libnftnl user data (TLVs of u8 type, u8 length, value; the string NUL-terminated). */
function commentOf(userdata: Uint8Array): string | undefined {
  let at = 0;
  while (at + 2 <= userdata.length) {
    const type = userdata[at]!;
    const length = userdata[at + 1]!;
    const value = userdata.subarray(at + 2, Math.min(at + 2 + length, userdata.length));
    if (type === NFTNL_UDATA_TABLE_COMMENT) {
      const end = value.indexOf(0);
      return new TextDecoder().decode(end === -1 ? value : value.subarray(0, end));
    }
    at += 2 + length;
  }
  return undefined;
}
