// New-flow UDP flood driver: hping3 in a sender's namespace sends small UDP
// packets with a source port that changes every packet, and an nft counter in
// the receiver's namespace (which also drops them, so no ICMP comes back)
// counts what crossed the bridge. Lab + hosts → packets, wall and CPU seconds. Shell.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import { ksoftirqdSeconds } from './softirq-time.js';

const SINK_TABLE = 'picketbenchsink';

/** hping3 UDP payload: 8 UDP + 20 IP + 14 Ethernet + 18 = a 60-byte frame (64 on the wire with FCS). */
export const FLOOD_PAYLOAD_BYTES = 18;

/** Installs, in `host`'s namespace, a prerouting rule that counts and drops UDP to `port`. */
export async function installUdpSink(lab: Lab, host: string, port: number): Promise<void> {
  // Priority raw (-300): before anything else in that namespace.
  const text = [
    `table inet ${SINK_TABLE} {`,
    '\tchain prerouting {',
    '\t\ttype filter hook prerouting priority raw; policy accept;',
    `\t\tudp dport ${port} counter drop`,
    '\t}',
    '}',
    '',
  ].join('\n');
  await lab.exec(host, ['nft', '-f', '-'], { input: text });
}

/** Packets the sink in `host`'s namespace has counted so far. */
export async function sinkPackets(lab: Lab, host: string): Promise<number> {
  const { stdout } = await lab.exec(host, ['nft', '-j', 'list', 'table', 'inet', SINK_TABLE]);
  const doc = JSON.parse(stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
  for (const item of doc.nftables) {
    for (const e of item.rule?.expr ?? []) if (e.counter) return e.counter.packets;
  }
  throw new Error(`no sink counter in ${host}`);
}

/** How a flood is run. */
export interface FloodOptions {
  readonly from: string;
  readonly sinkHost: string;
  readonly toIp: string;
  readonly port: number;
  readonly seconds: number;
}

/** What one flood delivered, over how much wall-clock and CPU time. */
export interface FloodResult {
  /** Packets the sink counted. */
  readonly packets: number;
  readonly wallS: number;
  /** hping3's user + system time (forwarding runs in its context) + ksoftirqd's. */
  readonly cpuS: number;
}

/** Traffic generators run slightly ahead of the machine's other work, to cut noise. */
export const NICE = ['nice', '-n', '-5'] as const;

/**
 * Floods for `seconds`, bounded by `timeout`, and counts what the sink
 * received. hping3 increments the source port per packet, so each packet is a
 * new 5-tuple until the ports wrap. Over veth the whole path (the node's bridge
 * and ruleset, the receiver's drop) runs in the sender's context, so CPU
 * time per packet is the path's cost even when other work preempts the sender.
 */
export async function newFlowUdpFlood(lab: Lab, o: FloodOptions): Promise<FloodResult> {
  const timeFile = join(lab.runDir, `flood-${process.pid}.time`);
  const before = await sinkPackets(lab, o.sinkHost);
  const softBefore = ksoftirqdSeconds();
  await lab.exec(
    o.from,
    [
      ...NICE,
      '/usr/bin/time',
      '-o',
      timeFile,
      '-f',
      '%e %U %S',
      'timeout',
      '-s',
      'INT',
      `${o.seconds}s`,
      'hping3',
      '--udp',
      '--flood',
      '-q',
      '-s',
      '1024',
      '-p',
      String(o.port),
      '-d',
      String(FLOOD_PAYLOAD_BYTES),
      o.toIp,
    ],
    { check: false, timeoutMs: o.seconds * 1000 + 5000 },
  );
  const softS = ksoftirqdSeconds() - softBefore;
  const packets = (await sinkPackets(lab, o.sinkHost)) - before;
  // time(1) writes "Command exited with non-zero status 124" first when timeout fires.
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const [wallS, userS, sysS] = last.split(' ').map(Number);
  if (
    wallS === undefined ||
    userS === undefined ||
    sysS === undefined ||
    Number.isNaN(wallS + userS + sysS)
  ) {
    throw new Error(`cannot read time(1) output: ${last}`);
  }
  return { packets, wallS, cpuS: userS + sysS + softS };
}
