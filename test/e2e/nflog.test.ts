// End-to-end: the NFLOG intake against the real kernel. Log rules in a
// fresh namespace send UDP datagrams to log group N; the intake, running in
// that namespace (src/bench/intake-worker.ts, built into dist/), must deliver
// exactly as many decoded events as the rules' counters saw, with the kind
// named by the prefix, the addresses, the ports and the peer's MAC; and when
// the intake stalls, it must count exactly what the kernel dropped.
//
//   netns pk-t-XXXXXX-p (peer)             netns pk-t-XXXXXX (node)
//   ┌─────────────────────────┐   veth   ┌──────────────────────────────────────────────┐
//   │ peer0 02:00:00:00:99:02 ├──────────┤ node0 02:00:00:00:99:01                      │
//   │ 10.99.0.2   fd99::2     │          │ 10.99.0.1   fd99::1          lo 127.0.0.1    │
//   │ node: K UDP → :9 (v4)   │          │ table inet picketnflog                       │
//   │ node: K UDP → :9 (v6)   │          │  input  udp dport 9, v4 → "picket:quarantine:" │
//   └─────────────────────────┘          │  input  udp dport 9, v6 → "picket:alert:"    │
//                                        │  output lo udp dport 9  → "picket:block:"    │
//                                        │  (all: counter, log group N, no rate limit)  │
//                                        │ node: K UDP 127.0.0.1 → 127.0.0.1:9          │
//                                        │ intake worker: createNflogIntake({ group N })│
//                                        └──────────────────────────────────────────────┘
//
// Needs root and nftables; run `npm run build` first.

import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerStats } from '../../src/bench/intake-worker.js';
import type { PacketEvent } from '../../src/sense/packet-event.js';

const root = join(import.meta.dirname, '..', '..');
const id = randomBytes(3).toString('hex');
const ns = `pk-t-${id}`;
const peer = `pk-t-${id}-p`;
const group = 40 + (randomBytes(1)[0] ?? 0);
const K = 50;
const nodeMac = '02:00:00:00:99:01';
const peerMac = '02:00:00:00:99:02';

function sh(argv: readonly string[], input?: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Sends `count` UDP datagrams from `netns`, source port `sport`, to `host`:9, one after another. */
function send(netns: string, host: string, sport: number, count: number): void {
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const script = `const s = require('node:dgram').createSocket('${family}');
s.bind(${sport}, () => { let n = 0; const next = () => n++ < ${count} ? s.send('picket', 9, '${host}', next) : s.close(); next(); });`;
  sh(['ip', 'netns', 'exec', netns, process.execPath, '-e', script]);
}

function counters(): number[] {
  const doc = JSON.parse(
    sh(['ip', 'netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'picketnflog']),
  ) as {
    nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[];
  };
  return doc.nftables.flatMap((i) =>
    (i.rule?.expr ?? []).flatMap((e) => (e.counter ? [e.counter.packets] : [])),
  );
}

function logged(): number {
  return counters().reduce((a, b) => a + b, 0);
}

/** Asks the worker for its counters. */
async function stats(): Promise<WorkerStats> {
  lastStats = undefined;
  worker?.stdin.write('stats\n');
  await until('stats', () => lastStats !== undefined);
  return lastStats!;
}

/** Polls `check` until it holds or `timeoutMs` passes. */
async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let worker: ChildProcessByStdio<Writable, Readable, null> | undefined;
const events: PacketEvent[] = [];
let ready = false;
let lastStats: WorkerStats | undefined;

beforeAll(async () => {
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'netns', 'add', peer]);
  sh([
    'ip',
    '-n',
    ns,
    'link',
    'add',
    'node0',
    'address',
    nodeMac,
    'type',
    'veth',
    'peer',
    'name',
    'peer0',
    'netns',
    peer,
    'address',
    peerMac,
  ]);
  for (const [n, dev, v4, v6] of [
    [ns, 'node0', '10.99.0.1/24', 'fd99::1/64'],
    [peer, 'peer0', '10.99.0.2/24', 'fd99::2/64'],
  ] as const) {
    sh(['ip', '-n', n, 'addr', 'add', v4, 'dev', dev]);
    sh(['ip', '-n', n, 'addr', 'add', v6, 'dev', dev, 'nodad']);
    sh(['ip', '-n', n, 'link', 'set', dev, 'up']);
    sh(['ip', '-n', n, 'link', 'set', 'lo', 'up']);
  }
  const log = (prefix: string) => `counter log prefix "picket:${prefix}:" group ${group}`;
  sh(
    ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'],
    [
      'table inet picketnflog {',
      `  chain in { type filter hook input priority filter; iif node0 meta nfproto ipv4 udp dport 9 ${log('quarantine')}; iif node0 meta nfproto ipv6 udp dport 9 ${log('alert')}; }`,
      `  chain out { type filter hook output priority filter; oif lo udp dport 9 ${log('block')}; }`,
      '}',
      '',
    ].join('\n'),
  );
  worker = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      join(root, 'dist', 'bench', 'intake-worker.js'),
      String(group),
      '--events',
      '--buffer-bytes',
      String(4 * 1024 * 1024),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  createInterface({ input: worker.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { ready?: true; event?: PacketEvent; stats?: WorkerStats };
    if (message.ready) ready = true;
    if (message.event) events.push(message.event);
    if (message.stats) lastStats = message.stats;
  });
  await until('the intake to bind its log group', () => ready);
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.stdin.end('close\n');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    worker.kill('SIGKILL');
  }
  spawnSync('ip', ['netns', 'del', peer]);
  spawnSync('ip', ['netns', 'del', ns]);
});

describe('NFLOG intake in a namespace', () => {
  it('delivers exactly the logged packets, decoded, with prefix kind, addresses, ports and MACs', async () => {
    send(ns, '127.0.0.1', 40001, K);
    send(peer, '10.99.0.1', 40002, K);
    send(peer, 'fd99::1', 40003, K);
    expect(logged()).toBe(3 * K);
    await until(`${3 * K} events`, () => events.length >= 3 * K);

    const of = (origin: string) => events.filter((e) => e.origin === origin);
    expect(of('block')).toHaveLength(K);
    expect(of('quarantine')).toHaveLength(K);
    expect(of('alert')).toHaveLength(K);
    for (const e of of('block')) {
      expect(e).toMatchObject({
        family: 4,
        srcIp: '127.0.0.1',
        dstIp: '127.0.0.1',
        l4: 'udp',
        srcPort: 40001,
        dstPort: 9,
        length: 34,
      });
      // Locally sent: no incoming device, so the kernel sends no hardware address.
      expect(e.srcMac).toBeUndefined();
    }
    for (const e of of('quarantine')) {
      expect(e).toMatchObject({
        family: 4,
        srcIp: '10.99.0.2',
        dstIp: '10.99.0.1',
        srcPort: 40002,
        dstPort: 9,
        srcMac: peerMac,
        dstMac: nodeMac,
      });
      expect(e.summary).toBe('10.99.0.2:40002 → 10.99.0.1:9 udp len 34');
    }
    for (const e of of('alert')) {
      expect(e).toMatchObject({
        family: 6,
        srcIp: 'fd99::2',
        dstIp: 'fd99::1',
        srcPort: 40003,
        dstPort: 9,
        srcMac: peerMac,
        length: 54,
      });
    }
    // Packets arrive in order within a flow.
    expect(of('quarantine').map((e) => e.timeMs)).toEqual(
      of('quarantine')
        .map((e) => e.timeMs)
        .sort((a, b) => a - b),
    );

    expect(await stats()).toMatchObject({
      received: 3 * K,
      decoded: 3 * K,
      malformed: 0,
      lost: 0,
      overruns: 0,
    });
  });

  it('counts exactly what the kernel dropped while the intake was stalled, and keeps going', async () => {
    const before = await stats();
    const loggedBefore = logged();
    // A stopped reader with an 8 MiB socket buffer (4 MiB asked, doubled): 150k log messages cannot fit.
    process.kill(worker!.pid!, 'SIGSTOP');
    try {
      const burst =
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('127.0.0.1', 40004))\nfor _ in range(150000): s.sendto(b'x', ('127.0.0.1', 9))\n";
      sh(['ip', 'netns', 'exec', ns, 'python3', '-c', burst]);
    } finally {
      process.kill(worker!.pid!, 'SIGCONT');
    }
    // Packets after the stall: the intake still delivers, and their sequence numbers close the last gap.
    send(ns, '127.0.0.1', 40005, K);
    const total = logged() - loggedBefore;
    expect(total).toBe(150_000 + K);
    let after = await stats();
    await until(
      'the intake to account for every logged packet',
      () => {
        void stats().then((s) => {
          after = s;
        });
        return after.decoded + after.lost - before.decoded - before.lost >= total;
      },
      30_000,
    );
    expect(after.decoded + after.lost - before.decoded - before.lost).toBe(total);
    expect(after.lost - before.lost).toBeGreaterThan(0);
    expect(after.overruns - before.overruns).toBeGreaterThan(0);
    expect(after.malformed).toBe(0);
    await until(
      'the packets sent after the stall',
      () => events.filter((e) => e.srcPort === 40005).length === K,
    );
  });

  it('refuses a second listener on the same group with a hint', () => {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, join(root, 'dist', 'bench', 'intake-worker.js'), String(group)],
      {
        encoding: 'utf8',
        input: 'close\n',
        timeout: 10_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`nflog group ${group}: bind failed (errno 1)`);
  });
});
