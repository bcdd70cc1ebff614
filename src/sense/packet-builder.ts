// Builds packets byte by byte for tests and fixtures: Ethernet with VLAN
// tags, ARP, IPv4 (options, fragments), IPv6 (extension headers), TCP, UDP,
// ICMP. Checksums are left zero: nothing in Picket verifies them.
// Fields → bytes. Pure.

/** Concatenates byte arrays. */
export function bytes(...parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function ipv4(text: string): number[] {
  return text.split('.').map(Number);
}

function mac(text: string): number[] {
  return text.split(':').map((h) => Number.parseInt(h, 16));
}

/** 16 bytes of an IPv6 address written in full or with `::`. */
function ipv6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.flatMap((g) => be16(Number.parseInt(g, 16)));
}

/** An Ethernet II frame; `vlans` are (TPID, VID) tags, outermost first. */
export function ethernet(
  f: { dst?: string; src?: string; type: number; vlans?: readonly [number, number][] },
  payload: Uint8Array,
): Uint8Array {
  const tags = (f.vlans ?? []).flatMap(([tpid, vid]) => [...be16(tpid), ...be16(vid)]);
  return bytes(
    mac(f.dst ?? 'ff:ff:ff:ff:ff:ff'),
    mac(f.src ?? '02:00:00:00:00:01'),
    tags,
    be16(f.type),
    payload,
  );
}

/** An ARP packet for Ethernet/IPv4. */
export function arp(f: {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac?: string;
  targetIp: string;
}) {
  return bytes(
    [0, 1, 8, 0, 6, 4],
    be16(f.op),
    mac(f.senderMac),
    ipv4(f.senderIp),
    mac(f.targetMac ?? '00:00:00:00:00:00'),
    ipv4(f.targetIp),
  );
}

/** An IPv4 packet; `options` must be a multiple of 4 bytes; `fragmentOffset` in bytes (multiple of 8). */
export function ipv4Packet(
  f: {
    src: string;
    dst: string;
    protocol: number;
    options?: readonly number[];
    moreFragments?: boolean;
    fragmentOffset?: number;
    totalLength?: number;
  },
  payload: Uint8Array,
): Uint8Array {
  const options = f.options ?? [];
  const ihl = 20 + options.length;
  const total = f.totalLength ?? ihl + payload.length;
  const frag = ((f.moreFragments ? 0x2000 : 0) | ((f.fragmentOffset ?? 0) >> 3)) & 0xffff;
  return bytes(
    [0x40 | (ihl / 4), 0],
    be16(total),
    [0x12, 0x34],
    be16(frag),
    [64, f.protocol, 0, 0],
    ipv4(f.src),
    ipv4(f.dst),
    options,
    payload,
  );
}

/** An IPv6 packet; `extensions` are (header type, bytes) in order, each already a multiple of 8 bytes. */
export function ipv6Packet(
  f: { src: string; dst: string; protocol: number; extensions?: readonly [number, Uint8Array][] },
  payload: Uint8Array,
): Uint8Array {
  const ext = f.extensions ?? [];
  const first = ext[0]?.[0] ?? f.protocol;
  const chained = ext.map(([, body], i) => bytes([ext[i + 1]?.[0] ?? f.protocol], body.subarray(1)));
  const rest = bytes(...chained, payload);
  return bytes([0x60, 0, 0, 0], be16(rest.length), [first, 64], ipv6(f.src), ipv6(f.dst), rest);
}

/** A generic IPv6 extension header of `8 * (1 + extraUnits)` bytes (hop-by-hop, routing, destination options). */
export function ipv6Extension(extraUnits = 0): Uint8Array {
  const out = new Uint8Array(8 * (1 + extraUnits));
  out[1] = extraUnits;
  return out;
}

/** An IPv6 fragment header at `offset` bytes (multiple of 8). */
export function ipv6Fragment(offset: number, more: boolean): Uint8Array {
  return bytes([0, 0], be16((offset & 0xfff8) | (more ? 1 : 0)), [0, 0, 0, 1]);
}

/** A TCP segment with `flags` (bits F S R P A U E C) and `optionBytes` of NOP options. */
export function tcp(
  f: { sport: number; dport: number; flags: number; optionBytes?: number },
  payload = new Uint8Array(0),
) {
  const options = Array(f.optionBytes ?? 0).fill(1);
  const offset = (20 + options.length) / 4;
  return bytes(
    be16(f.sport),
    be16(f.dport),
    [0, 0, 0, 1, 0, 0, 0, 0, offset << 4, f.flags],
    [0xff, 0xff, 0, 0, 0, 0],
    options,
    payload,
  );
}

/** A UDP datagram. */
export function udp(f: { sport: number; dport: number }, payload = new Uint8Array(0)): Uint8Array {
  return bytes(be16(f.sport), be16(f.dport), be16(8 + payload.length), [0, 0], payload);
}

/** An ICMP or ICMPv6 message. */
export function icmp(type: number, code: number, payload = new Uint8Array(4)): Uint8Array {
  return bytes([type, code, 0, 0], payload);
}
