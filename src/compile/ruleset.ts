// The Ruleset: what the compiler makes of a Policy, before it is rendered to
// nftables text. Plain, JSON-serialisable data, so the last applied Ruleset can be
// kept on disk and `plan` can diff two of them in human terms.
// Pure data.

import type {
  EnforcementMode,
  IpFamily,
  OutOfProfileAction,
  QueueFailure,
  Transport,
} from '../policy/types.js';

/** Names of the only kernel objects Picket ever creates or touches. */
export const TABLE_INET = 'picket';
export const TABLE_BRIDGE = 'picket';

/**
 * NFLOG prefixes, one per thing the kernel did with a packet, so the intake can
 * tell a quarantine from an alert without a lookup.
 */
export const LOG_PREFIX = {
  /** Out of profile; the source was added to the quarantine set and the packet dropped. */
  quarantine: 'picket:quarantine:',
  /** Out of profile; dropped. */
  block: 'picket:block:',
  /** Out of profile but accepted (alert mode), or dropped from a never-list source. */
  alert: 'picket:alert:',
  /** Monitor mode: enforcement would have dropped this packet; it was accepted. */
  wouldBlock: 'picket:would-block:',
  /** From or to an address already in quarantine; dropped. */
  quarantined: 'picket:quarantined:',
  /** A non-IP frame whose EtherType is not allowed at layer 2; dropped. */
  l2: 'picket:l2:',
  /** To a decoy (IP, or an ARP request for it); the source was quarantined (IP) and the packet accepted. */
  decoy: 'picket:decoy:',
  /** A decoy's address used by another device (a new flow from it, ARP from another MAC, an ARP probe). */
  decoyClaim: 'picket:decoy-claim:',
} as const;

/**
 * One allowed tuple: source . destination . transport . destination ports, as it
 * appears in a concatenated interval set. Addresses are nft element text: a single
 * address, a prefix (`10.20.1.0/24`) or a range.
 */
export interface AllowEntry {
  readonly family: IpFamily;
  readonly source: string;
  readonly destination: string;
  readonly transport: Transport;
  /** `502` or `1000-2000`. */
  readonly ports: string;
  /** Policy rule that produced this entry. */
  readonly rule: string;
  /** Line of that rule in the policy file. */
  readonly line: number;
  /** Schedule name when the entry is only allowed inside a time window. */
  readonly schedule?: string;
}

/**
 * A piece of a schedule's window in UTC: on `utcDays` (0 = Sunday), from
 * `fromSecond` to `toSecond` inclusive (seconds after UTC midnight), while the
 * wall clock is in [notBeforeMs, notAfterMs) — the span during which the zone's
 * UTC offset is constant (DST). Absent bounds are open.
 */
export interface UtcWindow {
  readonly schedule: string;
  readonly utcDays: readonly number[];
  readonly fromSecond: number;
  readonly toSecond: number;
  readonly notBeforeMs?: number;
  readonly notAfterMs?: number;
  /** Line of the schedule in the policy file. */
  readonly line: number;
}

/**
 * One tuple of a protocol-aware rule (`modbus:`, `s7:`, `dnp3:`): its TCP packets
 * are marked and queued to userspace, where each message is judged.
 */
export interface QueueEntry {
  readonly family: IpFamily;
  readonly source: string;
  readonly destination: string;
  /** `502` or `1000-2000` (TCP). */
  readonly ports: string;
  readonly rule: string;
  readonly line: number;
  /** What the kernel does with the flow while no daemon is bound to the queue. */
  readonly failure: QueueFailure;
}

/**
 * How queued flows reach userspace. nft's own `queue` statement needs
 * nft_queue, which this kernel lacks, so `table inet picket` only marks the
 * packets (chain `protocol`, before mangle) and an xt NFQUEUE rule in
 * iptables-nft's mangle FORWARD queues the marked ones: fail-closed flows
 * without `--queue-bypass`, fail-open ones with it, on separate queues so the
 * daemon can set the fail-open flag per queue. Fail-closed holds even before
 * the xt rules exist: the forward chain drops a closed-marked packet whose
 * mark lacks the `judged` bit that only the daemon's accept verdict sets.
 */
export const QUEUE = {
  markMask: 0x00300000,
  /** Set by the daemon's accept verdicts on fail-closed queues; a closed-marked packet without it was never judged. */
  judged: 0x00400000,
  closed: { mark: 0x00100000, queues: [0, 1] },
  open: { mark: 0x00200000, queues: [2, 3] },
} as const;

export interface Ruleset {
  readonly site: string;
  /** Policy file name as cited in comments. */
  readonly policyFile: string;
  /** sha256 (hex) of the rendered ruleset; stored in the table comment. */
  readonly hash: string;
  readonly mode: EnforcementMode;
  readonly outOfProfile: OutOfProfileAction;
  readonly quarantineTimeoutSeconds: number;
  /** Addresses (of never-list assets) that are alerted on and never quarantined. */
  readonly never: readonly string[];
  readonly entries: readonly AllowEntry[];
  readonly windows: readonly UtcWindow[];
  /** EtherTypes that always pass the bridge, and the fate of other non-IP frames. */
  readonly l2: { readonly allow: readonly number[]; readonly default: 'accept' | 'drop' };
  /** When the compiled time windows should be recompiled (last DST span bound), if any. */
  readonly recompileByMs?: number;
  /** NFLOG group that out-of-profile packets are logged to. */
  readonly logGroup: number;
  /** Kernel rate limit of each log rule (packets per second; burst is twice that). */
  readonly logRatePerSecond: number;
  /** Never-list assets with their addresses, for the commented `never4`/`never6` sets. */
  readonly neverAssets: readonly NeverAsset[];
  /** Line of the enforcement section, cited by the rules it produces. */
  readonly enforcementLine: number;
  /** Tuples judged in userspace (enforce mode only); absent when no rule names protocol functions. */
  readonly queues?: readonly QueueEntry[];
  /** Present when the policy hosts decoys: the decoy sets and rules are rendered (line of the decoys section). */
  readonly decoys?: {
    readonly line: number;
    /** Quarantined sources' new connections to real assets are sent to decoys (`deceive4`, filled by the node). */
    readonly deceive?: true;
  };
  /** The identity portal's permit sets, redirect and unrecognized-source drop; absent without `portal:`. */
  readonly portal?: PortalRuleset;
}

/** One destination . transport . ports tuple a portal role opens to the holders of its permits. */
export interface RoleEntry {
  readonly family: IpFamily;
  readonly destination: string;
  readonly transport: Transport;
  readonly ports: string;
}

/** A portal role in the kernel: `role_<id><f>` (what it opens) and `permit_<id><f>` (who holds it, with timeouts). */
export interface PortalRoleSets {
  readonly role: string;
  /** nft identifier fragment derived from the role name. */
  readonly id: string;
  readonly line: number;
  readonly entries: readonly RoleEntry[];
}

/**
 * The portal part of a ruleset. With `redirect` (enforce mode and
 * `unrecognized: portal`), sources that are neither assets nor permit holders
 * have TCP 80 redirected to `httpPort`, 443 to `listenPort` and UDP 53 to
 * `dnsPort` on the node,
 * and everything else they send is dropped — logged, never quarantined.
 */
export interface PortalRuleset {
  readonly listenPort: number;
  readonly httpPort: number;
  /** UDP port of the DNS answerer that sends every name to the portal. */
  readonly dnsPort: number;
  readonly line: number;
  readonly redirect: boolean;
  readonly roles: readonly PortalRoleSets[];
  /** Every asset address (the `known4`/`known6` sets), when redirecting. */
  readonly known: readonly {
    readonly asset: string;
    readonly address: string;
    readonly family: IpFamily;
    readonly line: number;
  }[];
}

/** An asset on the never list: alerted on and dropped, never quarantined. */
export interface NeverAsset {
  readonly asset: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly line: number;
}
