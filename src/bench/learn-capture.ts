// A large synthetic plant capture for the learn benchmark: HMIs polling PLCs
// over Modbus/TCP (reads of holding and input registers, with replies), an
// S7 client reading variables, an engineering station writing registers now
// and then, DNS and NTP, and one nmap-like SYN scan to be left out. Frames are
// built once per template with the packet builder and copied into a classic
// pcap, with timestamps advancing 1 ms per packet. Path + count → file. Shell.

import { bytes, ethernet, ipv4Packet, tcp, udp } from '../sense/packet-builder.js';
import { createPcapWriter } from './pcap-writer.js';

interface Template {
  readonly frame: Uint8Array;
  /** TCP connection the frame belongs to (-1: UDP, or a lone SYN), and which side sends it. */
  readonly flow: number;
  readonly fromClient: boolean;
  readonly payloadLength: number;
}

/** Offset of the TCP sequence number in an untagged Ethernet/IPv4 frame without options. */
const SEQ_AT = 14 + 20 + 4;

const ACK_PSH = 0x18;

function modbusRead(tid: number, unit: number, fc: number, address: number, quantity: number): Uint8Array {
  return Uint8Array.from([
    tid >> 8,
    tid & 0xff,
    0,
    0,
    0,
    6,
    unit,
    fc,
    address >> 8,
    address & 0xff,
    0,
    quantity,
  ]);
}

function modbusReply(unit: number, fc: number, quantity: number): Uint8Array {
  const data = new Uint8Array(quantity * 2);
  return bytes([0, 1, 0, 0, 0, 3 + data.length, unit, fc, data.length], data);
}

function s7Read(): Uint8Array {
  // TPKT + COTP DT + S7 job read var, one item DB1.DBD0 (4 bytes).
  const params = [0x04, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x04, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00];
  const s7 = [0x32, 0x01, 0, 0, 0, 1, 0, params.length, 0, 0, ...params];
  const length = 4 + 3 + s7.length;
  return Uint8Array.from([3, 0, length >> 8, length & 0xff, 2, 0xf0, 0x80, ...s7]);
}

function frame(
  srcMac: string,
  dstMac: string,
  src: string,
  dst: string,
  proto: 'tcp' | 'udp',
  sport: number,
  dport: number,
  flags: number,
  payload: Uint8Array,
  flow = -1,
  fromClient = true,
): Template {
  // The builder's default argument types its payload as ArrayBuffer-backed; every payload here is.
  const body = payload as Uint8Array<ArrayBuffer>;
  const l4 = proto === 'tcp' ? tcp({ sport, dport, flags }, body) : udp({ sport, dport }, body);
  const ip = ipv4Packet({ src, dst, protocol: proto === 'tcp' ? 6 : 17 }, l4);
  const frame = ethernet({ src: srcMac, dst: dstMac, type: 0x0800 }, ip);
  return { frame, flow, fromClient, payloadLength: payload.length };
}

const mac = (i: number) =>
  `00:80:f4:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

/** The repeating traffic of the plant: request/reply templates, in the order they are sent. */
function plantTemplates(): Template[] {
  const out: Template[] = [];
  const plcs = 40;
  for (let h = 0; h < 4; h++) {
    const hmi = `10.20.0.${50 + h}`;
    for (let p = 0; p < plcs; p++) {
      const plc = `10.20.1.${10 + p}`;
      const sport = 40_000 + h * 100 + p;
      const fc = p % 2 === 0 ? 3 : 4;
      out.push(
        frame(
          mac(50 + h),
          mac(1000 + p),
          hmi,
          plc,
          'tcp',
          sport,
          502,
          ACK_PSH,
          modbusRead(p, 1, fc, p * 10, 10),
        ),
      );
      out.push(
        frame(mac(1000 + p), mac(50 + h), plc, hmi, 'tcp', 502, sport, ACK_PSH, modbusReply(1, fc, 10)),
      );
    }
  }
  for (let p = 0; p < 8; p++) {
    const plc = `10.20.2.${10 + p}`;
    out.push(frame(mac(60), mac(2000 + p), '10.20.0.60', plc, 'tcp', 41_000 + p, 102, ACK_PSH, s7Read()));
    out.push(
      frame(
        mac(2000 + p),
        mac(60),
        plc,
        '10.20.0.60',
        'tcp',
        102,
        41_000 + p,
        ACK_PSH,
        bytes([3, 0, 0, 7, 2, 0xf0, 0x80]),
      ),
    );
  }
  const write = Uint8Array.from([0, 9, 0, 0, 0, 6, 1, 6, 0, 100, 0, 1]);
  out.push(
    frame(mac(20), mac(1000), '10.20.0.20', '10.20.1.10', 'tcp', 42_000, 502, ACK_PSH, write, 300, true),
  );
  out.push(
    frame(mac(1000), mac(20), '10.20.1.10', '10.20.0.20', 'tcp', 502, 42_000, ACK_PSH, write, 300, false),
  );
  out.push(frame(mac(50), mac(5), '10.20.0.50', '10.20.0.5', 'udp', 53_000, 53, 0, new Uint8Array(30)));
  out.push(frame(mac(5), mac(50), '10.20.0.5', '10.20.0.50', 'udp', 53, 53_000, 0, new Uint8Array(60)));
  return out;
}

/** A SYN scan of 1,000 ports of one PLC from an attacker, spliced in at the start. */
function scanTemplates(): Template[] {
  const out: Template[] = [];
  for (let port = 1; port <= 1000; port++) {
    out.push(
      frame(mac(66), mac(1000), '10.20.0.66', '10.20.1.10', 'tcp', 55_555, port, 0x02, new Uint8Array(0)),
    );
  }
  return out;
}

/** Writes `packets` frames of plant traffic to `path` as a classic pcap; returns the bytes written. */
export function writeSyntheticCapture(
  path: string,
  packets: number,
  startMs = Date.UTC(2026, 0, 5, 8),
): number {
  const plant = plantTemplates();
  const scan = scanTemplates();
  const out = createPcapWriter(path);
  try {
    // Each connection's sequence and acknowledgement numbers advance with its payloads, as on the wire.
    const clientSeq = new Uint32Array(512).fill(1000);
    const serverSeq = new Uint32Array(512).fill(5000);
    for (let i = 0; i < packets; i++) {
      const t = i < scan.length ? scan[i]! : plant[(i - scan.length) % plant.length]!;
      const { buffer, at } = out.append(t.frame, (startMs + i) * 1000);
      if (t.flow >= 0) {
        const mine = t.fromClient ? clientSeq : serverSeq;
        const theirs = t.fromClient ? serverSeq : clientSeq;
        buffer.writeUInt32BE(mine[t.flow]!, at + SEQ_AT);
        buffer.writeUInt32BE(theirs[t.flow]!, at + SEQ_AT + 4);
        mine[t.flow] = (mine[t.flow]! + t.payloadLength) >>> 0;
      }
    }
  } catch (error) {
    out.close();
    throw error;
  }
  return out.close();
}
