// A large synthetic plant capture for benchmarks that judge flows: 8 HMIs
// opening Modbus/TCP sessions to 64 PLCs (three-way handshake, 20 read
// requests with replies, FIN both ways), 256 sessions interleaved at a time
// so conntrack holds many flows, DNS lookups, and an attacker's probe every
// 10,000 packets. Frames are built once per template with the packet builder
// and copied into a classic pcap with the client port, sequence and
// acknowledgement numbers patched; timestamps advance 10 µs per packet.
// Path + count → file. Shell.

import { bytes, ethernet, ipv4Packet, tcp, udp } from '../sense/packet-builder.js';
import { createPcapWriter } from './pcap-writer.js';

const HMIS = 8;
const PLCS = 64;
const READS = 20;
const CONCURRENT = 256;
const PROBE_EVERY = 10_000;
/** Offset of the TCP header in the templates (Ethernet 14 + IPv4 20). */
const TCP_AT = 34;

const FLAGS = { syn: 0x02, synAck: 0x12, ack: 0x10, pushAck: 0x18, finAck: 0x11 } as const;

/** One packet of a session: who sends it, its flags and payload length (the templates carry the payload). */
interface Step {
  readonly fromClient: boolean;
  readonly template: number;
}

const hmiIp = (h: number) => `10.20.0.${50 + h}`;
const plcIp = (p: number) => `10.20.1.${10 + p}`;
const mac = (i: number) =>
  `00:80:f4:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

const REQUEST = Uint8Array.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
const REPLY = bytes([0, 1, 0, 0, 0, 23, 1, 3, 20], new Uint8Array(20));

/** Template kinds, in the order of `KINDS`. */
const KINDS: readonly { fromClient: boolean; flags: number; payload: Uint8Array }[] = [
  { fromClient: true, flags: FLAGS.syn, payload: new Uint8Array(0) },
  { fromClient: false, flags: FLAGS.synAck, payload: new Uint8Array(0) },
  { fromClient: true, flags: FLAGS.ack, payload: new Uint8Array(0) },
  { fromClient: true, flags: FLAGS.pushAck, payload: REQUEST },
  { fromClient: false, flags: FLAGS.pushAck, payload: REPLY },
  { fromClient: true, flags: FLAGS.finAck, payload: new Uint8Array(0) },
  { fromClient: false, flags: FLAGS.finAck, payload: new Uint8Array(0) },
  { fromClient: false, flags: FLAGS.ack, payload: new Uint8Array(0) },
  { fromClient: true, flags: FLAGS.ack, payload: new Uint8Array(0) },
];

/** The steps of one session, as indexes into KINDS. */
const SESSION: readonly Step[] = [
  { fromClient: true, template: 0 },
  { fromClient: false, template: 1 },
  { fromClient: true, template: 2 },
  ...Array.from({ length: READS }, () => [
    { fromClient: true, template: 3 },
    { fromClient: false, template: 4 },
  ]).flat(),
  { fromClient: true, template: 5 },
  { fromClient: false, template: 7 },
  { fromClient: false, template: 6 },
  { fromClient: true, template: 8 },
];

function templates(): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let h = 0; h < HMIS; h++) {
    for (let p = 0; p < PLCS; p++) {
      out.push(
        KINDS.map((k) => {
          const [src, dst] = k.fromClient ? [hmiIp(h), plcIp(p)] : [plcIp(p), hmiIp(h)];
          const [sport, dport] = k.fromClient ? [1, 502] : [502, 1];
          const [smac, dmac] = k.fromClient ? [mac(h), mac(256 + p)] : [mac(256 + p), mac(h)];
          const segment = tcp({ sport, dport, flags: k.flags }, k.payload as Uint8Array<ArrayBuffer>);
          return ethernet(
            { src: smac, dst: dmac, type: 0x0800 },
            ipv4Packet({ src, dst, protocol: 6 }, segment),
          );
        }),
      );
    }
  }
  return out;
}

interface Session {
  pair: number;
  clientPort: number;
  step: number;
  clientSeq: number;
  serverSeq: number;
}

/** Writes `packets` frames of plant traffic to `path` as a classic pcap; returns the bytes written. */
export function writeSyntheticCapture(
  path: string,
  packets: number,
  startMs = Date.UTC(2026, 0, 5, 8),
): number {
  const pairs = templates();
  const probe = ethernet(
    { src: mac(66), dst: mac(256), type: 0x0800 },
    ipv4Packet(
      { src: '10.20.0.66', dst: plcIp(0), protocol: 6 },
      tcp({ sport: 55_555, dport: 102, flags: FLAGS.syn }),
    ),
  );
  const dns = ethernet(
    { src: mac(0), dst: mac(5), type: 0x0800 },
    ipv4Packet(
      { src: hmiIp(0), dst: '10.20.0.5', protocol: 17 },
      udp({ sport: 53_000, dport: 53 }, new Uint8Array(30)),
    ),
  );
  let nextPort = 20_000;
  let nextPair = 0;
  const open = (): Session => {
    const s = {
      pair: nextPair,
      clientPort: nextPort,
      step: 0,
      clientSeq: nextPort * 7919,
      serverSeq: nextPort * 104_729,
    };
    nextPair = (nextPair + 1) % pairs.length;
    nextPort = nextPort >= 60_000 ? 20_000 : nextPort + 1;
    return s;
  };
  const sessions = Array.from({ length: CONCURRENT }, open);
  const out = createPcapWriter(path);
  try {
    for (let i = 0; i < packets; i++) {
      let frame: Uint8Array;
      let session: Session | undefined;
      if (i % PROBE_EVERY === PROBE_EVERY - 1) frame = probe;
      else if (i % 997 === 0) frame = dns;
      else {
        const slot = i % CONCURRENT;
        session = sessions[slot]!;
        const step = SESSION[session.step]!;
        frame = pairs[session.pair]![step.template]!;
      }
      const { buffer, at } = out.append(frame, startMs * 1000 + i * 10);
      if (session !== undefined) patch(buffer, at, session, i % CONCURRENT, sessions, open);
    }
  } catch (error) {
    out.close();
    throw error;
  }
  return out.close();
}

/** Writes the session's port, sequence and acknowledgement numbers into the copied frame and advances it. */
function patch(
  b: Buffer,
  frameAt: number,
  s: Session,
  slot: number,
  sessions: Session[],
  open: () => Session,
): void {
  const step = SESSION[s.step]!;
  const kind = KINDS[step.template]!;
  const t = frameAt + TCP_AT;
  b.writeUInt16BE(s.clientPort, step.fromClient ? t : t + 2);
  b.writeUInt32BE((step.fromClient ? s.clientSeq : s.serverSeq) >>> 0, t + 4);
  b.writeUInt32BE((step.fromClient ? s.serverSeq : s.clientSeq) >>> 0, t + 8);
  // SYN and FIN take one sequence number; data its length.
  const used = kind.payload.length + (kind.flags & 0x03 ? 1 : 0);
  if (step.fromClient) s.clientSeq = (s.clientSeq + used) >>> 0;
  else s.serverSeq = (s.serverSeq + used) >>> 0;
  s.step++;
  if (s.step === SESSION.length) sessions[slot] = open();
}
