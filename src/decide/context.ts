// DecideContext: what the detectors know about the plant and the operator's
// wishes, built once per policy: the inventory (IP → asset, MAC → asset), the
// never list, the mode, the out-of-profile action and the detector thresholds.
// Policy + options → DecideContext. Pure.

import type { Asset, EnforcementMode, OutOfProfileAction, Policy } from '../policy/types.js';

/** Detector thresholds and fold timing. */
export interface Thresholds {
  /** Sliding window of the scan detector. */
  readonly scanWindowMs: number;
  /** Distinct hosts one source must reach within the window to be a scan. */
  readonly scanHosts: number;
  /** Distinct ports one source must reach within the window to be a scan. */
  readonly scanPorts: number;
  /** Sliding window of the arp-scan detector. */
  readonly arpWindowMs: number;
  /** Distinct target addresses one MAC must ask for within the window. */
  readonly arpTargets: number;
  /** Quiet time after which a repeat starts a new detection. */
  readonly quietMs: number;
  /** Least time between two records of one ongoing detection. */
  readonly recordEveryMs: number;
  /** Folding of traffic from or to quarantined addresses, which is heavier. */
  readonly quarantinedQuietMs: number;
  readonly quarantinedRecordEveryMs: number;
}

/** Thresholds that flag nmap-style sweeps and ARP sweeps but not an HMI polling its PLCs. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  scanWindowMs: 60_000,
  scanHosts: 16,
  scanPorts: 20,
  arpWindowMs: 10_000,
  arpTargets: 24,
  quietMs: 60_000,
  recordEveryMs: 1000,
  quarantinedQuietMs: 600_000,
  quarantinedRecordEveryMs: 10_000,
};

/** The plant and the operator's wishes, as the detectors read them. */
export interface DecideContext {
  /** This node's name, part of every detection id. */
  readonly node: string;
  readonly mode: EnforcementMode;
  readonly outOfProfile: OutOfProfileAction;
  readonly quarantineSeconds: number;
  readonly assetsByIp: ReadonlyMap<string, Asset>;
  readonly assetsByMac: ReadonlyMap<string, Asset>;
  /** Addresses of never-list assets: alerted on (critical), never quarantined. */
  readonly never: ReadonlySet<string>;
  /** MACs of routers, whose frames carry other hosts' addresses and are not spoofing. */
  readonly routerMacs: ReadonlySet<string>;
  /** `policy.yaml:LINE` of the enforcement section, cited by what the kernel did. */
  readonly enforcementCite: string;
  readonly thresholds: Thresholds;
}

/** Options of `createDecideContext`. */
export interface DecideOptions {
  readonly node: string;
  /** Overrides the policy's quarantine duration. */
  readonly quarantineSeconds?: number;
  readonly routerMacs?: readonly string[];
  readonly thresholds?: Partial<Thresholds>;
}

/** Builds the detectors' view of a policy. */
export function createDecideContext(policy: Policy, options: DecideOptions): DecideContext {
  const byName = new Map(policy.assets.map((a) => [a.name, a]));
  const never = new Set<string>();
  for (const name of policy.enforcement.quarantine.never) {
    const asset = byName.get(name);
    if (asset) never.add(asset.ip);
  }
  const assetsByMac = new Map<string, Asset>();
  for (const a of policy.assets) if (a.mac !== undefined) assetsByMac.set(a.mac, a);
  return {
    node: options.node,
    mode: policy.enforcement.mode,
    outOfProfile: policy.enforcement.outOfProfile,
    quarantineSeconds: options.quarantineSeconds ?? policy.enforcement.quarantine.durationSeconds,
    assetsByIp: new Map(policy.assets.map((a) => [a.ip, a])),
    assetsByMac,
    never,
    routerMacs: new Set((options.routerMacs ?? []).map((m) => m.toLowerCase())),
    enforcementCite: `${policy.file}:${policy.enforcement.loc.line}`,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
  };
}

/** `name (ip)` of the asset at an address, or the address alone. */
export function describeAddress(ctx: DecideContext, address: string): string {
  const asset = ctx.assetsByIp.get(address);
  return asset ? `${address} (${asset.name})` : address;
}
