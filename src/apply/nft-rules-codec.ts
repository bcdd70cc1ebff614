// nf_tables messages for reading one chain's rules without libnftables
// (linux/netfilter/nf_tables.h, libnftnl's udata TLVs). nft 1.0.6 fetches the
// whole ruleset, every set element included, for any chain listing: with a
// 100k-tuple allow set the node's 5 s counter read cost ~1.7 s of CPU on its
// event loop. A GETRULE dump filtered by table and chain returns those rules
// alone; each rule yields its comment, counter and verdict.
// Request bytes ⇄ rules. Never throws on received bytes. Pure.

import {
  buildAttribute,
  NLM_F,
  NLMSG,
  parseAttributes,
  parseDatagram,
  parseError,
} from '../net/netlink-codec.js';
import {
  NFT_MSG,
  NFTA_CHAIN,
  type NftFamily,
  NLM_F_DUMP,
  nftRequest,
  nftType,
  nulString,
} from './nft-table-codec.js';

/** linux/netfilter/nf_tables.h */
const NFTA_RULE_TABLE = 1;
const NFTA_RULE_CHAIN = 2;
const NFTA_RULE_EXPRESSIONS = 4;
const NFTA_RULE_USERDATA = 7;
const NFTA_LIST_ELEM = 1;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;
const NFTA_COUNTER_BYTES = 1;
const NFTA_COUNTER_PACKETS = 2;
const NFTA_IMMEDIATE_DREG = 1;
const NFTA_IMMEDIATE_DATA = 2;
const NFTA_DATA_VERDICT = 2;
const NFTA_VERDICT_CODE = 1;
const NFT_REG_VERDICT = 0;
/** linux/netfilter.h */
const NF_DROP = 0;
const NF_ACCEPT = 1;
/** libnftnl udata.h: the comment TLV of a rule's user data. */
const NFTNL_UDATA_RULE_COMMENT = 0;

/** One rule as the kernel holds it: its comment, its counter (0 without one) and its verdict. */
export interface KernelRule {
  readonly comment?: string;
  /** False when the rule has no `counter` statement (packets and bytes are then 0). */
  readonly counted: boolean;
  readonly packets: number;
  readonly bytes: number;
  readonly verdict: 'accept' | 'drop' | 'other';
}

/** What one received datagram said: rules, the end of the reply, or an error (errno, or malformed bytes). */
export interface RuleReplyPart {
  readonly rules: readonly KernelRule[];
  readonly done: boolean;
  readonly errno?: number;
  readonly malformed?: string;
}

/** A GETRULE dump of the rules of chain `family`/`table`/`chain`. */
export function buildRuleDump(family: NftFamily, table: string, chain: string, seq: number): Uint8Array {
  return nftRequest(NFT_MSG.getRule, NLM_F.request | NLM_F_DUMP, family, seq, [
    buildAttribute(NFTA_RULE_TABLE, nulString(table)),
    buildAttribute(NFTA_RULE_CHAIN, nulString(chain)),
  ]);
}

/**
 * A GETCHAIN request for one chain, with an acknowledgement. A filtered rule
 * dump of a missing table or chain is just empty (nf_tables_dump_rules skips
 * it); this request answers ENOENT, so "no chain" and "no rules" differ.
 */
export function buildGetChain(family: NftFamily, table: string, chain: string, seq: number): Uint8Array {
  return nftRequest(NFT_MSG.getChain, NLM_F.request | NLM_F.ack, family, seq, [
    buildAttribute(NFTA_CHAIN.table, nulString(table)),
    buildAttribute(NFTA_CHAIN.name, nulString(chain)),
  ]);
}

/** Reads one datagram of the reply to request `seq` (a rule dump, or a GETCHAIN); other messages are skipped. */
export function parseRuleReply(datagram: Uint8Array, seq: number): RuleReplyPart {
  const { messages, malformed: badDatagram } = parseDatagram(datagram);
  const rules: KernelRule[] = [];
  let malformed = badDatagram;
  let done = false;
  let errno: number | undefined;
  for (const m of messages) {
    if (m.seq !== seq) continue;
    if (m.type === NLMSG.error) {
      const ack = parseError(m.body);
      if (ack === undefined) malformed ??= 'truncated NLMSG_ERROR';
      else if (ack.errno !== 0) errno ??= ack.errno;
      else done = true;
    } else if (m.type === NLMSG.done) {
      done = true;
    } else if (m.type === nftType(NFT_MSG.newRule)) {
      const rule = ruleOf(m.body);
      if (typeof rule === 'string') malformed ??= rule;
      else rules.push(rule);
    }
  }
  return {
    rules,
    done: done || errno !== undefined || malformed !== undefined,
    ...(errno === undefined ? {} : { errno }),
    ...(malformed === undefined ? {} : { malformed }),
  };
}

/** A NEWRULE body (after nfgenmsg) → the rule, or why its bytes are malformed. */
function ruleOf(body: Uint8Array): KernelRule | string {
  const { attributes, malformed } = parseAttributes(body, 4);
  if (malformed !== undefined) return malformed;
  let comment: string | undefined;
  let counter: { packets: number; bytes: number } | undefined;
  let verdict: KernelRule['verdict'] = 'other';
  for (const a of attributes) {
    if (a.type === NFTA_RULE_USERDATA) comment = commentOf(a.value);
    if (a.type !== NFTA_RULE_EXPRESSIONS) continue;
    const list = parseAttributes(a.value);
    if (list.malformed !== undefined) return list.malformed;
    for (const elem of list.attributes) {
      if (elem.type !== NFTA_LIST_ELEM) continue;
      const expr = parseAttributes(elem.value);
      if (expr.malformed !== undefined) return expr.malformed;
      const name = text(expr.attributes.find((e) => e.type === NFTA_EXPR_NAME)?.value);
      const data = parseAttributes(
        expr.attributes.find((e) => e.type === NFTA_EXPR_DATA)?.value ?? new Uint8Array(),
      );
      if (data.malformed !== undefined) return data.malformed;
      const field = (type: number) => data.attributes.find((e) => e.type === type)?.value;
      if (name === 'counter') {
        counter = { packets: be64(field(NFTA_COUNTER_PACKETS)), bytes: be64(field(NFTA_COUNTER_BYTES)) };
      } else if (name === 'immediate') {
        verdict = verdictOf(field(NFTA_IMMEDIATE_DREG), field(NFTA_IMMEDIATE_DATA)) ?? verdict;
      }
    }
  }
  return {
    ...(comment === undefined ? {} : { comment }),
    counted: counter !== undefined,
    packets: counter?.packets ?? 0,
    bytes: counter?.bytes ?? 0,
    verdict,
  };
}

/** An immediate's verdict, when it loads accept or drop into the verdict register (jump, goto, … are 'other'). */
function verdictOf(
  dreg: Uint8Array | undefined,
  data: Uint8Array | undefined,
): KernelRule['verdict'] | undefined {
  if (dreg === undefined || dreg.length < 4 || data === undefined) return undefined;
  if (view(dreg).getUint32(0) !== NFT_REG_VERDICT) return undefined;
  const verdictData = parseAttributes(data).attributes.find((a) => a.type === NFTA_DATA_VERDICT)?.value;
  if (verdictData === undefined) return undefined;
  const code = parseAttributes(verdictData).attributes.find((a) => a.type === NFTA_VERDICT_CODE)?.value;
  if (code === undefined || code.length < 4) return undefined;
  const value = view(code).getInt32(0);
  return value === NF_ACCEPT ? 'accept' : value === NF_DROP ? 'drop' : 'other';
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A big-endian u64 counter value (0 when absent or short). */
function be64(value: Uint8Array | undefined): number {
  return value === undefined || value.length < 8 ? 0 : Number(view(value).getBigUint64(0));
}

/** A NUL-terminated string attribute. */
function text(value: Uint8Array | undefined): string | undefined {
  if (value === undefined) return undefined;
  const end = value.indexOf(0);
  return new TextDecoder().decode(end === -1 ? value : value.subarray(0, end));
}

/** The comment in libnftnl user data (TLVs of u8 type, u8 length, value; the string NUL-terminated). */
function commentOf(userdata: Uint8Array): string | undefined {
  let at = 0;
  while (at + 2 <= userdata.length) {
    const type = userdata[at]!;
    const length = userdata[at + 1]!;
    if (type === NFTNL_UDATA_RULE_COMMENT) {
      return text(userdata.subarray(at + 2, Math.min(at + 2 + length, userdata.length)));
    }
    at += 2 + length;
  }
  return undefined;
}
