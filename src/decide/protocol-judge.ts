// The judge of queued packets: finds the TCP flow of an IPv4/IPv6 packet, the
// protocol rule that queued it, and that flow direction's reassembly stream,
// and returns the stream's verdict with findings citing the rule. A packet the
// judge cannot place (not TCP, no rule) is dropped: it was queued because a
// protocol rule covers its tuple, so passing it unjudged would fail open.
// (judge state, IP packet bytes) → PacketJudgement. Pure (mutates only its own flow table).

import type { ProtocolConstraint } from '../policy/types.js';
import { dnp3Codec } from '../sense/protocols/dnp3.js';
import type { ProtocolCodec } from '../sense/protocols/frame.js';
import { modbusCodec } from '../sense/protocols/modbus.js';
import { s7Codec } from '../sense/protocols/s7comm.js';
import { judgeMessage } from './protocol-policy.js';
import { createFlowStream, type FlowStream, judgeSegment, type StreamFinding } from './protocol-stream.js';

/** One protocol rule's region of (source, destination, TCP port) space, as compile's `protocolFlows` gives it. */
export interface ProtocolFlowRule {
  readonly family: 4 | 6;
  readonly source: { readonly first: bigint; readonly last: bigint };
  readonly destination: { readonly first: bigint; readonly last: bigint };
  readonly fromPort: number;
  readonly toPort: number;
  readonly constraint: ProtocolConstraint;
  /** `policy.yaml:31 hmi-reads-plc`. */
  readonly producer: string;
}

/** A finding with the rule that judged it and the flow it was seen on. */
export interface ProtocolJudgementFinding extends StreamFinding {
  readonly producer: string;
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** The verdict on one queued packet, with a finding for each message or frame it carried that was not allowed. */
export interface PacketJudgement {
  readonly verdict: 'accept' | 'drop';
  readonly findings: readonly ProtocolJudgementFinding[];
}

interface Flow {
  readonly stream: FlowStream;
  readonly rules: readonly ProtocolFlowRule[];
}

/** The judge's state: its rules and the reassembly stream of every flow it has seen. */
export interface ProtocolJudge {
  readonly rules: readonly ProtocolFlowRule[];
  readonly flows: Map<string, Flow>;
  readonly maxFlows: number;
}

const CODECS: Readonly<Record<ProtocolConstraint['kind'], ProtocolCodec>> = {
  modbus: modbusCodec,
  s7: s7Codec,
  dnp3: dnp3Codec,
};

/** A judge for the given protocol rules, tracking at most `maxFlows` flows (oldest forgotten first). */
export function createProtocolJudge(rules: readonly ProtocolFlowRule[], maxFlows = 65536): ProtocolJudge {
  return { rules, flows: new Map(), maxFlows };
}

function bigintOf(b: Uint8Array, from: number, to: number): bigint {
  let v = 0n;
  for (let i = from; i < to; i++) v = (v << 8n) | BigInt(b[i] ?? 0);
  return v;
}

function addressText(b: Uint8Array, from: number, to: number): string {
  if (to - from === 4) return `${b[from]}.${b[from + 1]}.${b[from + 2]}.${b[from + 3]}`;
  const groups: string[] = [];
  for (let i = from; i < to; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

interface Segment {
  family: 4 | 6;
  srcAt: number;
  dstAt: number;
  addrLen: number;
  tcpAt: number;
  end: number;
}

/** Locates the IP addresses and the TCP header; undefined for anything but a plain TCP packet. */
function locate(p: Uint8Array): Segment | undefined {
  const version = (p[0] ?? 0) >> 4;
  if (version === 4) {
    const ihl = ((p[0] ?? 0) & 0x0f) * 4;
    const total = ((p[2] ?? 0) << 8) | (p[3] ?? 0);
    if (ihl < 20 || p[9] !== 6 || total > p.length || total < ihl + 20) return undefined;
    return { family: 4, srcAt: 12, dstAt: 16, addrLen: 4, tcpAt: ihl, end: total };
  }
  if (version === 6) {
    const end = 40 + (((p[4] ?? 0) << 8) | (p[5] ?? 0));
    if (p[6] !== 6 || end > p.length || end < 60) return undefined;
    return { family: 6, srcAt: 8, dstAt: 24, addrLen: 16, tcpAt: 40, end };
  }
  return undefined;
}

const DROP_UNPLACED: PacketJudgement = { verdict: 'drop', findings: [] };

/** Judges one queued IP packet (network header first, as NFQUEUE copies it). */
export function judgePacket(judge: ProtocolJudge, packet: Uint8Array): PacketJudgement {
  const s = locate(packet);
  if (s === undefined) return DROP_UNPLACED;
  const t = s.tcpAt;
  const dataAt = t + ((packet[t + 12] ?? 0) >> 4) * 4;
  if (dataAt < t + 20 || dataAt > s.end) return DROP_UNPLACED;
  const sport = ((packet[t] ?? 0) << 8) | (packet[t + 1] ?? 0);
  const dport = ((packet[t + 2] ?? 0) << 8) | (packet[t + 3] ?? 0);
  const seq =
    (((packet[t + 4] ?? 0) << 24) |
      ((packet[t + 5] ?? 0) << 16) |
      ((packet[t + 6] ?? 0) << 8) |
      (packet[t + 7] ?? 0)) >>>
    0;
  const flags = packet[t + 13] ?? 0;
  const source = addressText(packet, s.srcAt, s.srcAt + s.addrLen);
  const destination = addressText(packet, s.dstAt, s.dstAt + s.addrLen);
  const key = `${source} ${sport} ${destination} ${dport}`;
  let flow = judge.flows.get(key);
  if (flow === undefined || (flags & 0x02) !== 0) {
    const src = bigintOf(packet, s.srcAt, s.srcAt + s.addrLen);
    const dst = bigintOf(packet, s.dstAt, s.dstAt + s.addrLen);
    const rules = judge.rules.filter(
      (r) =>
        r.family === s.family &&
        r.source.first <= src &&
        src <= r.source.last &&
        r.destination.first <= dst &&
        dst <= r.destination.last &&
        r.fromPort <= dport &&
        dport <= r.toPort,
    );
    const first = rules[0];
    if (first === undefined) return DROP_UNPLACED;
    flow = { stream: createFlowStream(CODECS[first.constraint.kind]), rules };
    if (judge.flows.size >= judge.maxFlows) {
      const oldest = judge.flows.keys().next().value;
      if (oldest !== undefined) judge.flows.delete(oldest);
    }
    judge.flows.set(key, flow);
  }
  const rules = flow.rules;
  let producer = rules[0]?.producer ?? '';
  const result = judgeSegment(flow.stream, seq, packet.subarray(dataAt, s.end), (flags & 0x02) !== 0, (m) => {
    // Several rules may cover the tuple: a message passes if any of them allows it.
    let last = { allowed: false } as ReturnType<typeof judgeMessage>;
    for (const r of rules) {
      last = judgeMessage(r.constraint, m);
      producer = r.producer;
      if (last.allowed) return last;
    }
    return last;
  });
  if ((flags & 0x05) !== 0 && result.verdict === 'accept') judge.flows.delete(key);
  // Allowed messages are the normal case and the hot path: only the others become findings.
  const findings: ProtocolJudgementFinding[] = [];
  for (const f of result.findings) {
    if (f.allowed) continue;
    findings.push({
      protocol: f.protocol,
      what: f.what,
      allowed: false,
      ...(f.reason === undefined ? {} : { reason: f.reason }),
      ...(f.malformed === undefined ? {} : { malformed: f.malformed }),
      producer,
      source,
      destination,
      sourcePort: sport,
      destinationPort: dport,
    });
  }
  return { verdict: result.verdict, findings };
}
