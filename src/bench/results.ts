// What the dataplane benchmark measured, as plain data: the rates per
// configuration, the apply and element timings, and the machine. Pure data.

/** The kinds of ruleset the node's bridge is measured with. */
export type ConfigKind = 'bare' | 'conntrack' | 'picket' | 'naive';

/** Repeated traffic measurements through one configuration. */
export interface ConfigResult {
  readonly id: string;
  readonly label: string;
  readonly kind: ConfigKind;
  /** Allowed tuples in the set (Picket) or rules in the list (naive). */
  readonly tuples?: number;
  /** Packets/s received (wall clock) from a UDP flood whose source port changes every packet. */
  readonly newFlowPps: readonly number[];
  /** The same floods: packets received per CPU-second spent sending and forwarding them. */
  readonly newFlowCpuPps: readonly number[];
  /** Datagrams/s received from one iperf3 UDP flow (established in conntrack). */
  readonly oneFlowPps: readonly number[];
  /** Gbit/s received from one iperf3 TCP stream. */
  readonly tcpGbps: readonly number[];
  /** Anything odd seen while measuring (e.g. the sender was quarantined). */
  readonly notes: readonly string[];
}

/** Timing of one full atomic apply of a compiled Picket ruleset. */
export interface ApplyResult {
  /** Synthetic allowed tuples asked for. */
  readonly pairs: number;
  /** A variant of the rendered text, e.g. `without element comments`; absent: as rendered. */
  readonly variant?: string;
  /** Elements in the compiled allow sets (pairs + the measured flow's). */
  readonly elements: number;
  readonly compileMs: number;
  readonly renderMs: number;
  readonly textBytes: number;
  /** Wall clock of `nft.run(text)` through libnftables, one per repeat. */
  readonly applyMs: readonly number[];
  /** CPU (user + system) of the same applies: the wall clock minus time preempted by others. */
  readonly applyCpuMs: readonly number[];
  /**
   * Wall clock of Picket's whole apply of the same policy, one per repeat: render, the
   * carry-over reads, the transaction, the verify and the last-good save (absent in older results).
   */
  readonly picketApplyMs?: readonly number[];
}

/** Latencies of single-element transactions. */
export interface ElementResult {
  readonly op: string;
  readonly backend: 'ffi' | 'spawn';
  readonly samplesMs: readonly number[];
  /** CPU of each; for `spawn` only the parent's side, so not comparable. */
  readonly cpuSamplesMs: readonly number[];
}

/** Where the numbers come from. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly nft: string;
  readonly node: string;
  readonly iperf3: string;
  readonly hping3: string;
}

/** How the traffic runs were shaped. */
export interface Method {
  /** Rounds: each loads every configuration in turn and measures it once. */
  readonly rounds: number;
  readonly floodsPerRound: number;
  readonly floodSeconds: number;
  readonly iperfSeconds: number;
  readonly floodFrameBytes: number;
  readonly iperfUdpPayloadBytes: number;
  readonly elementOps: number;
  readonly spawnElementOps: number;
  /** The Picket configuration the element latencies were measured against. */
  readonly elementsAgainst: string;
}

/** Everything one `bench dataplane` run produced. */
export interface DataplaneResults {
  readonly date: string;
  readonly command: string;
  readonly durationS: number;
  readonly machine: Machine;
  /** 1-minute load average when the run started and when it ended (others' work adds noise). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly method: Method;
  readonly configs: readonly ConfigResult[];
  readonly applies: readonly ApplyResult[];
  readonly elements: readonly ElementResult[];
}
