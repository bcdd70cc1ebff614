// New-flow UDP flood driver: hping3 in a sender's namespace sends small UDP
// packets with a source port that changes every packet, and an nft counter in
// the receiver's namespace (which also drops them, so no ICMP comes back)
// counts what crossed the bridge during a timed window.
// Lab + hosts → packets/s received. Shell.

import type { Lab } from '../lab/lab.js';

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

/** How a flood is run: a warm-up, then a measured window. */
export interface FloodOptions {
  readonly from: string;
  readonly sinkHost: string;
  readonly toIp: string;
  readonly port: number;
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** Traffic generators run slightly ahead of the machine's other work, to cut noise. */
export const NICE = ['nice', '-n', '-5'] as const;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counter reading stamped with the midpoint of the read (a read spawns nft and takes ~10 ms). */
async function stampedCount(lab: Lab, host: string): Promise<{ packets: number; atMs: number }> {
  const before = performance.now();
  const packets = await sinkPackets(lab, host);
  return { packets, atMs: (before + performance.now()) / 2 };
}

/**
 * Floods for warm-up + window (+0.5 s margin), bounded by `timeout`; returns
 * packets/s the sink received during the window. hping3 increments the source
 * port per packet, so each packet is a new 5-tuple until the ports wrap.
 */
export async function newFlowUdpRate(lab: Lab, o: FloodOptions): Promise<number> {
  const totalS = (o.warmupMs + o.windowMs + 500) / 1000;
  const flood = lab.exec(
    o.from,
    [
      ...NICE,
      'timeout',
      '-s',
      'INT',
      `${totalS}s`,
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
    { check: false, timeoutMs: totalS * 1000 + 5000 },
  );
  try {
    await delay(o.warmupMs);
    const start = await stampedCount(lab, o.sinkHost);
    await delay(o.windowMs);
    const end = await stampedCount(lab, o.sinkHost);
    return ((end.packets - start.packets) * 1000) / (end.atMs - start.atMs);
  } finally {
    await flood;
  }
}
