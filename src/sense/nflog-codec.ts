// nfnetlink_log (linux/netfilter/nfnetlink_log.h): the NFULNL_MSG_CONFIG
// requests that bind a log group and set its copy mode and batching, and the
// NFULNL_MSG_PACKET messages the kernel sends for each logged packet. Values
// inside nfnetlink attributes are big-endian; the netlink and attribute
// headers around them are host-endian. Bytes ⇄ NflogPacket. Pure.

import {
  buildAttribute,
  buildMessage,
  concatBytes,
  forEachAttribute,
  type NetlinkAck,
  NLM_F,
  NLMSG,
  parseDatagram,
  parseError,
} from '../net/netlink-codec.js';

/** Address families as nfgenmsg carries them (linux/socket.h; NFPROTO_* share the numbers). */
export const AF = { unspec: 0, inet: 2, arp: 3, netdev: 5, bridge: 7, inet6: 10 } as const;
/** NFULNL_CFG_CMD_*. */
export const NFULNL_CFG_CMD = { none: 0, bind: 1, unbind: 2, pfBind: 3, pfUnbind: 4 } as const;
/** NFULNL_COPY_*. */
export const NFULNL_COPY = { none: 0, meta: 1, packet: 2 } as const;
/** NFULNL_CFG_F_*: SEQ numbers each message of the instance, so gaps count what the kernel dropped. */
export const NFULNL_CFG_F = { seq: 0x1, seqGlobal: 0x2, conntrack: 0x4 } as const;

const NFNL_SUBSYS_ULOG = 4;
const MSG_PACKET = NFNL_SUBSYS_ULOG << 8;
const MSG_CONFIG = (NFNL_SUBSYS_ULOG << 8) | 1;
const NFNETLINK_V0 = 0;

const CFG = { cmd: 1, mode: 2, nlbufsiz: 3, timeout: 4, qthresh: 5, flags: 6 } as const;
const ATTR = {
  packetHdr: 1,
  mark: 2,
  timestamp: 3,
  indev: 4,
  outdev: 5,
  physindev: 6,
  physoutdev: 7,
  hwaddr: 8,
  payload: 9,
  prefix: 10,
  uid: 11,
  seq: 12,
  seqGlobal: 13,
  gid: 14,
  hwtype: 15,
  hwheader: 16,
  vlan: 19,
  l2hdr: 20,
} as const;
const VLAN_ATTR = { proto: 1, tci: 2 } as const;

/** One logged packet, as the kernel described it. Attributes the kernel did not send are absent. */
export interface NflogPacket {
  /** nfgenmsg family: the nftables family of the logging rule (2 ip, 10 ip6, 7 bridge, 5 netdev). */
  readonly family: number;
  readonly group: number;
  /** EtherType of the packet (nfulnl_msg_packet_hdr.hw_protocol). */
  readonly hwProtocol?: number;
  /** Netfilter hook number (0 prerouting … 4 postrouting). */
  readonly hook?: number;
  readonly mark?: number;
  /** Kernel receive timestamp, when the skb had one. */
  readonly timestampMs?: number;
  readonly indev?: number;
  readonly outdev?: number;
  readonly physindev?: number;
  readonly physoutdev?: number;
  /** Source hardware address of the incoming packet (dev_parse_header), hw_addrlen bytes. */
  readonly hwAddr?: Uint8Array;
  /** ARPHRD_* of the incoming device and its raw link header (dst, src, type for Ethernet). */
  readonly hwType?: number;
  readonly hwHeader?: Uint8Array;
  /** Packet from the network header on, cut at the copy range. */
  readonly payload?: Uint8Array;
  readonly prefix?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Instance-local sequence number (with NFULNL_CFG_F.seq). */
  readonly seq?: number;
  readonly seqGlobal?: number;
  /** Bridge family: the accelerated VLAN tag, and the L2 header up to the network header. */
  readonly vlanTci?: number;
  readonly vlanProto?: number;
  readonly l2Header?: Uint8Array;
}

/** Everything one datagram from the log socket held. */
export interface NflogDatagram {
  readonly packets: readonly NflogPacket[];
  /** NLMSG_ERROR replies: acknowledgements (errno 0) and refusals of our config requests. */
  readonly acks: readonly NetlinkAck[];
  /** Why a message or the datagram could not be read in full; each entry is one malformed message. */
  readonly malformed: readonly string[];
  readonly overrun: boolean;
}

type MutablePacket = { -readonly [K in keyof NflogPacket]: NflogPacket[K] };

function be16(b: Uint8Array, o = 0): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function be32(b: Uint8Array, o = 0): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function asciiz(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function u32Bytes(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** Reads every message of a datagram from the log socket. */
export function parseNflogDatagram(bytes: Uint8Array): NflogDatagram {
  const { messages, malformed: framing } = parseDatagram(bytes);
  const packets: NflogPacket[] = [];
  const acks: NetlinkAck[] = [];
  const malformed: string[] = framing === undefined ? [] : [framing];
  let overrun = false;
  for (const m of messages) {
    if (m.type === MSG_PACKET) {
      const r = parseNflogPacket(m.body);
      if (typeof r === 'string') malformed.push(r);
      else packets.push(r);
    } else if (m.type === NLMSG.error) {
      const ack = parseError(m.body);
      if (ack === undefined) malformed.push('netlink: truncated error message');
      else acks.push(ack);
    } else if (m.type === NLMSG.overrun) {
      overrun = true;
    }
    // NLMSG_NOOP and NLMSG_DONE carry nothing for a log listener.
  }
  return { packets, acks, malformed, overrun };
}

/** Reads the body of one NFULNL_MSG_PACKET (nfgenmsg + attributes); a string says why it could not. */
export function parseNflogPacket(body: Uint8Array): NflogPacket | string {
  if (body.length < 4) return 'nflog: truncated nfgenmsg';
  const p: MutablePacket = { family: body[0]!, group: be16(body, 2) };
  let bad: string | undefined;
  const short = (name: string, value: Uint8Array, need: number): boolean => {
    if (value.length >= need) return false;
    bad ??= `nflog: ${value.length}-byte ${name}`;
    return true;
  };
  const trailing = forEachAttribute(body, 4, (type, v) => {
    switch (type) {
      case ATTR.packetHdr:
        if (short('packet header', v, 3)) return;
        p.hwProtocol = be16(v);
        p.hook = v[2]!;
        return;
      case ATTR.mark:
        if (!short('mark', v, 4)) p.mark = be32(v);
        return;
      case ATTR.timestamp:
        // Two __aligned_be64 (sec, usec); seconds fit a double for the next 285 million years.
        if (!short('timestamp', v, 16)) {
          p.timestampMs = (be32(v, 0) * 2 ** 32 + be32(v, 4)) * 1000 + Math.floor(be32(v, 12) / 1000);
        }
        return;
      case ATTR.indev:
        if (!short('indev', v, 4)) p.indev = be32(v);
        return;
      case ATTR.outdev:
        if (!short('outdev', v, 4)) p.outdev = be32(v);
        return;
      case ATTR.physindev:
        if (!short('physindev', v, 4)) p.physindev = be32(v);
        return;
      case ATTR.physoutdev:
        if (!short('physoutdev', v, 4)) p.physoutdev = be32(v);
        return;
      case ATTR.hwaddr:
        // nfulnl_msg_packet_hw: be16 length, 2 pad bytes, 8 address bytes.
        if (!short('hwaddr', v, 4)) p.hwAddr = v.subarray(4, 4 + Math.min(be16(v), 8));
        return;
      case ATTR.payload:
        p.payload = v;
        return;
      case ATTR.prefix:
        p.prefix = asciiz(v);
        return;
      case ATTR.uid:
        if (!short('uid', v, 4)) p.uid = be32(v);
        return;
      case ATTR.gid:
        if (!short('gid', v, 4)) p.gid = be32(v);
        return;
      case ATTR.seq:
        if (!short('seq', v, 4)) p.seq = be32(v);
        return;
      case ATTR.seqGlobal:
        if (!short('global seq', v, 4)) p.seqGlobal = be32(v);
        return;
      case ATTR.hwtype:
        if (!short('hwtype', v, 2)) p.hwType = be16(v);
        return;
      case ATTR.hwheader:
        p.hwHeader = v;
        return;
      case ATTR.vlan:
        bad ??= forEachAttribute(v, 0, (inner, iv) => {
          if (inner === VLAN_ATTR.tci && iv.length >= 2) p.vlanTci = be16(iv);
          if (inner === VLAN_ATTR.proto && iv.length >= 2) p.vlanProto = be16(iv);
        });
        return;
      case ATTR.l2hdr:
        p.l2Header = v;
        return;
      default:
      // HWLEN, CT, CT_INFO and attributes newer than this code: not needed.
    }
  });
  const why = bad ?? trailing;
  return why === undefined ? p : why;
}

function config(seq: number, family: number, group: number, attributes: readonly Uint8Array[]): Uint8Array {
  const nfgen = new Uint8Array([family, NFNETLINK_V0, (group >> 8) & 0xff, group & 0xff]);
  return buildMessage(MSG_CONFIG, NLM_F.request | NLM_F.ack, seq, concatBytes([nfgen, ...attributes]));
}

/** A config command (bind/unbind a group, or PF bind/unbind a family when `group` is 0). */
export function buildConfigCommand(seq: number, family: number, group: number, command: number): Uint8Array {
  return config(seq, family, group, [buildAttribute(CFG.cmd, new Uint8Array([command]))]);
}

/** How the kernel should fill and batch a group's messages. */
export interface NflogGroupSettings {
  /** NFULNL_COPY_*: with `packet`, `copyRange` bytes from the network header on. */
  readonly copyMode: number;
  readonly copyRange: number;
  /** Size of the kernel's batch buffer (NFULA_CFG_NLBUFSIZ; the kernel accepts up to 131072). */
  readonly nlbufsizBytes?: number;
  /** Flush a partial batch after this long (NFULA_CFG_TIMEOUT, in 1/100 s). */
  readonly flushTimeoutMs?: number;
  /** Flush once this many messages are batched (NFULA_CFG_QTHRESH). */
  readonly queueThreshold?: number;
  /** NFULNL_CFG_F_* bits. */
  readonly flags?: number;
}

/** Sets copy mode, batching and flags of a bound group, in one request. */
export function buildConfigSettings(seq: number, group: number, s: NflogGroupSettings): Uint8Array {
  const mode = new Uint8Array(6);
  mode.set(u32Bytes(s.copyRange), 0);
  mode[4] = s.copyMode;
  const attributes = [buildAttribute(CFG.mode, mode)];
  if (s.nlbufsizBytes !== undefined) attributes.push(buildAttribute(CFG.nlbufsiz, u32Bytes(s.nlbufsizBytes)));
  if (s.flushTimeoutMs !== undefined) {
    attributes.push(buildAttribute(CFG.timeout, u32Bytes(Math.max(1, Math.round(s.flushTimeoutMs / 10)))));
  }
  if (s.queueThreshold !== undefined)
    attributes.push(buildAttribute(CFG.qthresh, u32Bytes(s.queueThreshold)));
  if (s.flags !== undefined)
    attributes.push(buildAttribute(CFG.flags, new Uint8Array([s.flags >> 8, s.flags & 0xff])));
  return config(seq, AF.unspec, group, attributes);
}
