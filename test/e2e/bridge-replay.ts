// Replaying a capture through the lab node's bridge for the differential test
// of simulate: frames get one MAC per side (so the bridges learn the sides),
// the replay's pace and recomputed checksums, and one tcpreplay feeds both
// sides in the capture's order (tcpprep splits by MAC); tcpdump on both legs
// of one wire namespace records what came out, counted per directional
// 5-tuple. Needs root and a lab whose host `wire` has eth0 on the upstream
// segment and eth1 on the cell segment.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createPcapWriter } from '../../src/bench/pcap-writer.js';
import type { Lab } from '../../src/lab/lab.js';
import { readCaptureFile } from '../../src/sense/capture-file.js';
import { decodeLinkLayer } from '../../src/sense/decode-frame.js';
import { arp, ethernet } from '../../src/sense/packet-builder.js';
import { eventually } from './plant.js';

const UP_MAC = [0x02, 0x00, 0x00, 0x00, 0x0a, 0x01];
const CELL_MAC = [0x02, 0x00, 0x00, 0x00, 0x0c, 0x01];
const CELL_MAC_TEXT = '02:00:00:00:0c:01';
/** Default pace of a replay. */
const SPACING_MS = 4;

export interface Frame {
  readonly timeMs: number;
  readonly data: Uint8Array;
  /** The side a hand-built frame enters from (else: the cell side when its IPv4 source is in `cell`). */
  readonly fromCell?: boolean;
}

/** Writes frames as a classic pcap (Ethernet). */
export function writePcap(file: string, frames: readonly Frame[]): void {
  const writer = createPcapWriter(file);
  for (const f of frames) writer.append(f.data, Math.round(f.timeMs * 1000));
  writer.close();
}

/** Every frame of a capture file, copied. */
export function readFrames(file: string): Frame[] {
  const out: Frame[] = [];
  readCaptureFile(file, (f) => out.push({ timeMs: f.timeMs, data: Uint8Array.from(f.data) }));
  return out;
}

function ipOf(text: string): number[] {
  return text.split('.').map(Number);
}

function sum16(b: Uint8Array, from: number, to: number, initial = 0): number {
  let s = initial;
  for (let i = from; i + 1 < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((to - from) % 2 === 1) s += b[to - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Recomputes the IPv4 header checksum and the TCP/UDP/ICMP checksum of an
 * Ethernet frame (the kernel checks them; captured offloaded packets and the
 * packet builder leave them wrong). tcprewrite --fixcsum is not used: it also
 * grows the IP length over Ethernet padding.
 */
function withChecksums(frame: Uint8Array): Uint8Array {
  const b = Uint8Array.from(frame);
  let ip = 14;
  while (
    ip + 4 <= b.length &&
    ((b[ip - 2] === 0x81 && b[ip - 1] === 0x00) || (b[ip - 2] === 0x88 && b[ip - 1] === 0xa8))
  )
    ip += 4;
  if (b[ip - 2] !== 0x08 || b[ip - 1] !== 0x00 || ip + 20 > b.length) return b;
  const ihl = (b[ip]! & 0x0f) * 4;
  const total = (b[ip + 2]! << 8) | b[ip + 3]!;
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  const h = ~sum16(b, ip, ip + ihl) & 0xffff;
  b[ip + 10] = h >> 8;
  b[ip + 11] = h & 0xff;
  const l4 = ip + ihl;
  const end = ip + total;
  const fragment = (((b[ip + 6]! << 8) | b[ip + 7]!) & 0x1fff) !== 0;
  if (fragment || end > b.length) return b;
  const proto = b[ip + 9]!;
  const at = proto === 6 ? 16 : proto === 17 ? 6 : proto === 1 ? 2 : -1;
  if (at < 0 || l4 + at + 2 > end) return b;
  b[l4 + at] = 0;
  b[l4 + at + 1] = 0;
  const pseudo = proto === 1 ? 0 : sum16(b, ip + 12, ip + 20, proto + (end - l4));
  let c = ~sum16(b, l4, end, pseudo) & 0xffff;
  if (proto === 17 && c === 0) c = 0xffff;
  b[l4 + at] = c >> 8;
  b[l4 + at + 1] = c & 0xff;
  return b;
}

/** A directional 5-tuple (with its VLAN tags, if any); for non-IP frames the ARP addresses or EtherType and length. */
export function flowKey(data: Uint8Array): string | undefined {
  const d = decodeLinkLayer(1, data, { timeMs: 0, origin: 'capture' });
  if (!d.ok) return undefined;
  const e = d.event;
  const tags =
    e.vlan === undefined ? '' : ` vlan ${e.vlan}${e.innerVlan === undefined ? '' : `.${e.innerVlan}`}`;
  if (e.srcIp !== undefined)
    return `${e.srcIp}:${e.srcPort ?? '-'} > ${e.dstIp}:${e.dstPort ?? '-'} ${e.l4 ?? e.protocol}${tags}`;
  if (e.arp !== undefined) return `arp ${e.arp.senderIp} > ${e.arp.targetIp}${tags}`;
  return `ether 0x${(e.etherType ?? 0).toString(16)} len ${e.length}${tags}`;
}

/** A replayer bound to a lab and a work directory. */
export interface BridgeReplay {
  /** Makes a replayable file (and its tcpprep cache) from frames; see `prepare` below. */
  prepare(
    name: string,
    frames: readonly Frame[],
    cell: ReadonlySet<string>,
    ipMap?: Readonly<Record<string, string>>,
    spacingMs?: number,
  ): string;
  /** Replays the file (at `startAtMs` wall-clock time, if given) and counts what came out per flow of `flows`. */
  replayed(file: string, flows: ReadonlySet<string>, startAtMs?: number): Promise<Map<string, number>>;
  /** The kernel's IPv4 quarantine set in the node, sorted. */
  kernelQuarantine(): Promise<string[]>;
}

/** A replayer for `lab` writing its files under `work`; writes the warm-up frames at once. */
export function bridgeReplay(lab: Lab, work: string): BridgeReplay {
  for (const [dev, mac, ip] of [
    ['eth0', '02:00:00:00:0a:01', '10.99.0.1'],
    ['eth1', '02:00:00:00:0c:01', '10.99.0.2'],
  ] as const) {
    const frame = ethernet(
      { src: mac, type: 0x0806 },
      arp({ op: 1, senderMac: mac, senderIp: ip, targetIp: '10.99.0.3' }),
    );
    writePcap(join(work, `warm-up-${dev}.pcap`), [{ timeMs: 0, data: frame }]);
  }

  /**
   * Keeps untagged Ethernet IPv4 frames, gives each side its MAC (cell side:
   * source address in `cell`), maps addresses through `ipMap`, spaces the
   * timestamps, and recomputes checksums. Returns the replayable file (with its tcpprep cache).
   */
  function prepare(
    name: string,
    frames: readonly Frame[],
    cell: ReadonlySet<string>,
    ipMap: Readonly<Record<string, string>> = {},
    spacingMs = SPACING_MS,
  ): string {
    const t0 = Date.UTC(2026, 0, 5, 12);
    const kept: Frame[] = [];
    for (const f of frames) {
      const out = Uint8Array.from(f.data);
      let fromCell = f.fromCell;
      if (fromCell === undefined) {
        if (out.length < 34 || out[12] !== 0x08 || out[13] !== 0x00) continue;
        for (const [at] of [[26], [30]] as const) {
          const text = `${out[at]}.${out[at + 1]}.${out[at + 2]}.${out[at + 3]}`;
          const mapped = ipMap[text];
          if (mapped !== undefined) out.set(ipOf(mapped), at);
        }
        fromCell = cell.has(`${out[26]}.${out[27]}.${out[28]}.${out[29]}`);
      }
      if ((out[0]! & 1) === 0) out.set(fromCell ? UP_MAC : CELL_MAC, 0);
      out.set(fromCell ? CELL_MAC : UP_MAC, 6);
      // Spacing 0 keeps the frames' own times (a replay at the capture's pace).
      kept.push({ timeMs: spacingMs === 0 ? f.timeMs : t0 + kept.length * spacingMs, data: out });
    }
    const fixed = join(work, `${name}.pcap`);
    writePcap(
      fixed,
      kept.map((f) => ({ timeMs: f.timeMs, data: withChecksums(f.data) })),
    );
    const p = spawnSync('tcpprep', [`--mac=${CELL_MAC_TEXT}`, '-i', fixed, '-o', `${fixed}.cache`], {
      encoding: 'utf8',
    });
    expect(p.status, p.stderr).toBe(0);
    return fixed;
  }

  /** Replays the file through the bridge and counts, per flow of the file, the packets that came out. */
  async function replayed(
    file: string,
    flows: ReadonlySet<string>,
    startAtMs = 0,
  ): Promise<Map<string, number>> {
    const name = file.split('/').pop()!.replace('.pcap', '');
    const dumps = ['eth0', 'eth1'].map((dev) => {
      const out = join(work, `${name}-out-${dev}.pcap`);
      return {
        out,
        proc: lab.spawn(
          'wire',
          ['tcpdump', '-U', '-n', '-Q', 'in', '-i', dev, '-w', out],
          `tcpdump-${name}-${dev}`,
        ),
      };
    });
    await eventually('tcpdump to listen on both sides', () =>
      dumps.every(
        (d) => existsSync(d.proc.logFile) && readFileSync(d.proc.logFile, 'utf8').includes('listening on'),
      ),
    );
    // The path is live once an ARP frame sent from each side has come out on the other.
    await eventually('a warm-up frame to cross the bridge both ways', async () => {
      for (const dev of ['eth0', 'eth1']) {
        await lab.exec('wire', ['tcpreplay', '-q', '-i', dev, join(work, `warm-up-${dev}.pcap`)], {
          check: false,
        });
      }
      return dumps.every(
        (d) => existsSync(d.out) && readFrames(d.out).some((f) => f.data[12] === 0x08 && f.data[13] === 0x06),
      );
    });
    if (startAtMs > 0) await eventually('the replay to be due', () => Date.now() >= startAtMs, 75_000, 5);
    const r = await lab.exec(
      'wire',
      // tcpprep's "servers" (the cell MAC) leave by the primary interface.
      ['tcpreplay', '-q', '-c', `${file}.cache`, '-i', 'eth1', '-I', 'eth0', file],
      {
        check: false,
        timeoutMs: 60_000,
      },
    );
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    // The last frames have left tcpreplay; the captures are complete once neither file has grown for 1 s.
    const sizes = () => dumps.map((d) => (existsSync(d.out) ? statSync(d.out).size : 0)).join(',');
    let last = sizes();
    let since = Date.now();
    await eventually(
      'the captures to stop growing',
      () => {
        const now = sizes();
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        return Date.now() - since >= 1000;
      },
      15_000,
      200,
    );
    for (const d of dumps) await d.proc.stop();
    const delivered = new Map<string, number>([...flows].map((k) => [k, 0]));
    for (const d of dumps) {
      for (const f of readFrames(d.out)) {
        const key = flowKey(f.data);
        if (key !== undefined && delivered.has(key)) delivered.set(key, delivered.get(key)! + 1);
      }
    }
    return delivered;
  }

  async function kernelQuarantine(): Promise<string[]> {
    const r = await lab.exec(lab.spec.node.name, [
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'picket',
      'quarantine4',
    ]);
    const set = (JSON.parse(r.stdout).nftables as { set?: { elem?: unknown[] } }[]).find((x) => x.set)?.set;
    return (set?.elem ?? [])
      .map((e) => (typeof e === 'string' ? e : ((e as { elem: { val: string } }).elem.val ?? '')))
      .sort();
  }

  return { prepare, replayed, kernelQuarantine };
}
