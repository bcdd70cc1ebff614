// Observing a lab plant from outside: TCP probes from hosts, packet captures
// on a host's interfaces, and the node's kernel state (rule counters by comment,
// quarantine sets, the enforced hash). Used by the demo, tests and benchmarks.
// Shell: runs tcpdump, bash and nft inside the lab's namespaces.

import { readFileSync } from 'node:fs';
import type { Lab, LabProcess } from './lab.js';

export type ProbeResult = 'open' | 'refused' | 'timeout';

/** One new TCP connection from `host` to ip:port: open, refused (RST came back) or timeout (dropped). */
export async function tcpProbe(lab: Lab, host: string, ip: string, port: number, timeoutS = 1) {
  const r = await lab.exec(
    host,
    ['timeout', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`],
    { check: false, timeoutMs: (timeoutS + 5) * 1000 },
  );
  if (r.code === 0) return 'open' as const;
  return r.code === 124 ? ('timeout' as const) : ('refused' as const);
}

/** Polls `condition` every `everyMs` until it holds or `timeoutMs` passes (then throws `what`). */
export async function eventually<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A tcpdump running on a host's interfaces; `stop()` returns the packets it captured. */
export interface Capture {
  stop(): Promise<number>;
}

/** Starts tcpdump in `host` with a BPF `filter`, and waits until it is really listening. */
export async function startCapture(lab: Lab, host: string, filter: string, name: string): Promise<Capture> {
  const proc: LabProcess = lab.spawn(host, ['tcpdump', '-i', 'any', '-n', '-l', '-U', filter], name);
  await eventually(`tcpdump in ${host} to listen`, () =>
    readFileSync(proc.logFile, 'utf8').includes('listening on'),
  );
  return {
    async stop() {
      await proc.stop(2000);
      const log = readFileSync(proc.logFile, 'utf8');
      const m = log.match(/(\d+) packets? captured/);
      if (!m) throw new Error(`tcpdump in ${host} printed no summary:\n${log}`);
      return Number(m[1]);
    },
  };
}

interface NftRule {
  readonly comment?: string;
  readonly expr?: readonly Record<string, unknown>[];
}

/** Packets counted by the forward-chain rules whose comment contains `needle`, summed. */
export async function ruleCounter(lab: Lab, needle: string): Promise<number> {
  const r = await lab.exec(lab.spec.node.name, ['nft', '-j', 'list', 'chain', 'inet', 'picket', 'forward']);
  const doc = JSON.parse(r.stdout) as { nftables: { rule?: NftRule }[] };
  let packets = 0;
  for (const item of doc.nftables) {
    if (!item.rule?.comment?.includes(needle)) continue;
    for (const e of item.rule.expr ?? []) {
      const counter = e.counter as { packets: number } | undefined;
      if (counter) packets += counter.packets;
    }
  }
  return packets;
}

/** Addresses in the kernel's quarantine sets. */
export async function quarantined(lab: Lab): Promise<string[]> {
  const out: string[] = [];
  for (const set of ['quarantine4', 'quarantine6']) {
    const r = await lab.exec(lab.spec.node.name, ['nft', '-j', 'list', 'set', 'inet', 'picket', set]);
    const doc = JSON.parse(r.stdout) as { nftables: { set?: { elem?: unknown[] } }[] };
    for (const item of doc.nftables) {
      for (const e of item.set?.elem ?? []) {
        const v = typeof e === 'string' ? e : (e as { elem: { val: string } }).elem.val;
        out.push(v);
      }
    }
  }
  return out;
}

/** The hash in the kernel's `table bridge picket` comment (where apply records it), or null when there is no table. */
export async function enforcedHash(lab: Lab): Promise<string | null> {
  const r = await lab.exec(lab.spec.node.name, ['nft', 'list', 'table', 'bridge', 'picket'], {
    check: false,
  });
  return r.stdout.match(/hash=([0-9a-f]{64})/)?.[1] ?? null;
}
