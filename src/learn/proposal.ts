// The proposed policy as data, before it is written out as YAML: zones,
// assets (with vendor and why each has its role), context groups, services,
// schedules and rules (with provenance: first and last seen, packets, flows,
// and what is unsure), plus what was left out — reconnaissance, traffic the
// policy language cannot express, limits reached. Types only. Pure.

import type { Weekday } from '../policy/types.js';
import type { ReconFinding } from './recon.js';
import type { Span } from './spans.js';

export interface ProposedZone {
  readonly name: string;
  readonly networks: readonly string[];
  readonly why: string;
}

export interface ProposedAsset {
  readonly name: string;
  readonly ip: string;
  readonly mac?: string;
  readonly vendor?: string;
  readonly zone: string;
  readonly role: string;
  readonly why: string;
  readonly unsure: readonly string[];
}

export interface ProposedGroup {
  readonly name: string;
  readonly assets: readonly string[];
  readonly why: string;
}

export interface ProposedPort {
  readonly transport: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
}

export interface ProposedService {
  readonly name: string;
  readonly ports: readonly ProposedPort[];
  readonly protocol?: string;
}

export interface ProposedSchedule {
  readonly name: string;
  readonly days: readonly Weekday[];
  /** "HH:MM" local (UTC) opening and closing time. */
  readonly from: string;
  readonly to: string;
  readonly timezone: string;
  readonly why: string;
}

export type ProposedConstraint =
  | {
      readonly kind: 'modbus';
      readonly functions: readonly number[];
      readonly units: readonly number[];
      readonly read?: readonly Span[];
      readonly write?: readonly Span[];
    }
  | { readonly kind: 's7'; readonly allow: readonly string[] }
  | { readonly kind: 'dnp3'; readonly functions: readonly number[] };

export interface ProposedRule {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly services: readonly string[];
  readonly protocol?: ProposedConstraint;
  readonly when?: string;
  readonly whenWhy?: string;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly packets: number;
  readonly flows: number;
  /** Client–server pairs the rule covers. */
  readonly pairs: number;
  readonly unsure: readonly string[];
}

export interface ProposalStats {
  readonly frames: number;
  readonly ipPackets: number;
  readonly hostsSeen: number;
  readonly servicesSeen: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface Proposal {
  readonly site: string;
  readonly sources: readonly string[];
  readonly registryNote: string | undefined;
  readonly zones: readonly ProposedZone[];
  readonly assets: readonly ProposedAsset[];
  readonly groups: readonly ProposedGroup[];
  readonly services: readonly ProposedService[];
  readonly schedules: readonly ProposedSchedule[];
  readonly rules: readonly ProposedRule[];
  /** Controllers worth putting on the quarantine `never` list. */
  readonly controllers: readonly string[];
  readonly recon: readonly ReconFinding[];
  /** Traffic seen that no rule can express (ICMP, other IP protocols, non-IP frames, 0.0.0.0 sources). */
  readonly unexpressed: readonly string[];
  /** Limits reached and malformed protocol messages. */
  readonly warnings: readonly string[];
  readonly stats: ProposalStats;
}
