// Traffic rounds: each round loads every configuration into the node in turn
// and measures it once (two new-flow floods, one iperf3 UDP flow, one iperf3
// TCP stream), so a burst of load from elsewhere on the machine hits all
// configurations alike instead of one. Lab + configurations → ConfigResult[]. Shell.

import type { Lab } from '../lab/lab.js';
import { pathCounters } from './chain-counters.js';
import { newFlowUdpFlood } from './hping.js';
import { oneFlowUdpRate, tcpGbps } from './iperf.js';
import type { NftInNetns } from './nft-in-netns.js';
import type { ConfigKind, ConfigResult } from './results.js';
import type { BenchFlow } from './synthetic-policy.js';

/** A node configuration: what `load` puts in the kernel after `flush ruleset`. */
export interface ConfigPlan {
  readonly id: string;
  readonly label: string;
  readonly kind: ConfigKind;
  readonly tuples?: number;
  /** nft text or a file of it; absent: no tables. */
  readonly load?: { readonly text: string } | { readonly file: string };
}

/** How long each traffic run lasts and how often it is repeated. */
export interface RoundTiming {
  readonly rounds: number;
  readonly floodsPerRound: number;
  readonly floodSeconds: number;
  readonly iperfSeconds: number;
  readonly floodPort: number;
}

/** What would make a Picket measurement wrong: a quarantined sender or receiver. */
async function quarantineNotes(nft: NftInNetns): Promise<string[]> {
  const doc = (await nft.listJson('list set inet picket quarantine4')) as {
    nftables: { set?: { elem?: unknown[] } }[];
  };
  const elems = doc.nftables.flatMap((x) => x.set?.elem ?? []);
  return elems.length === 0 ? [] : [`quarantine4 held ${elems.length} element(s) after a round`];
}

/**
 * Evidence of the path the floods took through Picket's chain in one round:
 * packets accepted by the allow-set lookups against those the sink counted.
 * Listing the chain fetches every set (~2.5 s at 100k), so it is done once per configuration.
 */
async function pathNote(nft: NftInNetns, floodPackets: number): Promise<string> {
  const c = pathCounters(await nft.listJson('list chain inet picket forward'), ['exact4', 'allow4']);
  const verdict =
    c.setLookup >= floodPackets
      ? 'so every flood packet that arrived was accepted by a set lookup'
      : 'FEWER than the flood: some flood packets took another path';
  return (
    `last round: the allow-set rules accepted ${c.setLookup} packets and the conntrack fast path ` +
    `${c.established}; the sink counted ${floodPackets} flood packets, ${verdict}`
  );
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Runs the rounds; results keep the order of `plans`. */
export async function runRounds(
  lab: Lab,
  nft: NftInNetns,
  flow: BenchFlow,
  plans: readonly ConfigPlan[],
  t: RoundTiming,
): Promise<ConfigResult[]> {
  const results = plans.map(() => ({
    newFlowPps: [] as number[],
    newFlowCpuPps: [] as number[],
    oneFlowPps: [] as number[],
    tcpGbps: [] as number[],
    notes: new Set<string>(),
  }));
  for (let round = 1; round <= t.rounds; round++) {
    for (const [i, plan] of plans.entries()) {
      const r = results[i];
      if (r === undefined) continue;
      await nft.run({ text: 'flush ruleset' });
      if (plan.load !== undefined) await nft.run(plan.load);
      const floods: number[] = [];
      let floodPackets = 0;
      for (let f = 0; f < t.floodsPerRound; f++) {
        const flood = await newFlowUdpFlood(lab, {
          from: flow.source.name,
          sinkHost: flow.destination.name,
          toIp: flow.destination.ip,
          port: t.floodPort,
          seconds: t.floodSeconds,
        });
        floodPackets += flood.packets;
        floods.push(flood.packets / flood.wallS);
        r.newFlowCpuPps.push(flood.packets / flood.cpuS);
      }
      const oneFlow = await oneFlowUdpRate(lab, flow.source.name, flow.destination.ip, t.iperfSeconds);
      const tcp = await tcpGbps(lab, flow.source.name, flow.destination.ip, t.iperfSeconds);
      r.newFlowPps.push(...floods);
      r.oneFlowPps.push(oneFlow);
      r.tcpGbps.push(tcp);
      if (plan.kind === 'picket') for (const n of await quarantineNotes(nft)) r.notes.add(n);
      if (plan.kind === 'picket' && round === t.rounds) r.notes.add(await pathNote(nft, floodPackets));
      log(
        `round ${round} ${plan.label}: new-flow ${floods.map((x) => x.toFixed(0)).join(' ')} pkt/s, ` +
          `one-flow ${oneFlow.toFixed(0)} pkt/s, TCP ${tcp.toFixed(2)} Gbit/s`,
      );
    }
  }
  await nft.run({ text: 'flush ruleset' });
  return plans.map((p, i) => {
    const r = results[i];
    return {
      id: p.id,
      label: p.label,
      kind: p.kind,
      ...(p.tuples === undefined ? {} : { tuples: p.tuples }),
      newFlowPps: r?.newFlowPps ?? [],
      newFlowCpuPps: r?.newFlowCpuPps ?? [],
      oneFlowPps: r?.oneFlowPps ?? [],
      tcpGbps: r?.tcpGbps ?? [],
      notes: [...(r?.notes ?? [])],
    };
  });
}
