// Text of decoded packets: addresses and MACs straight from packet bytes
// (IPv4 dotted quad, RFC 5952 IPv6, lower-case MAC) and the one-line summary
// a PacketEvent carries as evidence. Bytes → strings. Pure.

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Dotted quad of the 4 bytes at `offset`. */
export function ipv4Text(b: Uint8Array, offset: number): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/** Canonical IPv6 text of the 16 bytes at `offset`, as src/net/address.ts formats it. */
export function ipv6Text(b: Uint8Array, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[offset + 2 * i] ?? 0) << 8) | (b[offset + 2 * i + 1] ?? 0));
  // RFC 5952 §5: IPv4-mapped addresses keep their dotted tail.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0) {
    if (groups[5] === 0xffff) return `::ffff:${ipv4Text(b, offset + 12)}`;
  }
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `offset`. */
export function macText(b: Uint8Array, offset: number): string {
  return `${HEX2[b[offset] ?? 0]}:${HEX2[b[offset + 1] ?? 0]}:${HEX2[b[offset + 2] ?? 0]}:${HEX2[b[offset + 3] ?? 0]}:${HEX2[b[offset + 4] ?? 0]}:${HEX2[b[offset + 5] ?? 0]}`;
}

/** `0x88b8`. */
export function etherTypeText(etherType: number): string {
  return `0x${etherType.toString(16).padStart(4, '0')}`;
}

/** The fields a summary is made of (a subset of PacketEvent). */
export interface SummaryFields {
  srcMac?: string;
  dstMac?: string;
  etherType?: number;
  vlan?: number;
  family?: 4 | 6;
  srcIp?: string;
  dstIp?: string;
  l4?: string;
  protocol?: number;
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: string;
  icmpType?: number;
  icmpCode?: number;
  fragment?: boolean;
  arp?: {
    readonly op: number;
    readonly senderIp: string;
    readonly senderMac: string;
    readonly targetIp: string;
  };
  length?: number;
  malformed?: string;
}

function endpoint(ip: string, port: number | undefined, family: 4 | 6 | undefined): string {
  if (port === undefined) return ip;
  return family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** One line of evidence, e.g. `10.20.0.66:40123 → 10.20.1.10:502 tcp S len 44`. */
export function summarize(f: SummaryFields): string {
  let text: string;
  if (f.srcIp !== undefined && f.dstIp !== undefined) {
    text = `${endpoint(f.srcIp, f.srcPort, f.family)} → ${endpoint(f.dstIp, f.dstPort, f.family)}`;
    if (f.l4 === 'other') text += ` proto ${f.protocol}`;
    else if (f.l4 !== undefined) text += ` ${f.l4}`;
    if (f.tcpFlags !== undefined) text += ` ${f.tcpFlags === '' ? 'none' : f.tcpFlags}`;
    if (f.icmpType !== undefined) text += ` ${f.icmpType}/${f.icmpCode ?? 0}`;
    if (f.fragment) text += ' frag';
  } else if (f.arp !== undefined) {
    const a = f.arp;
    text =
      a.op === 1
        ? `arp who-has ${a.targetIp} tell ${a.senderIp} (${a.senderMac})`
        : a.op === 2
          ? `arp reply ${a.senderIp} is-at ${a.senderMac}`
          : `arp op ${a.op} ${a.senderIp} (${a.senderMac}) → ${a.targetIp}`;
  } else {
    text = `${f.srcMac ?? '?'} → ${f.dstMac ?? '?'}`;
    text += f.etherType === undefined ? ' 802.3' : ` ethertype ${etherTypeText(f.etherType)}`;
  }
  if (f.vlan !== undefined) text += ` vlan ${f.vlan}`;
  if (f.length !== undefined) text += ` len ${f.length}`;
  if (f.malformed !== undefined) text += ` [malformed: ${f.malformed}]`;
  return text;
}
