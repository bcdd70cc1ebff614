// Decisions are data: what a detector concluded (Detection) and what the shell
// must do about it (Action), each with a human reason and the id of the rule or
// detector that produced it. The node executes actions in batches.
// Pure data.

export type DetectionKind =
  | 'out-of-profile' // a flow no rule allows
  | 'scan' // fan-out across hosts or ports within a window
  | 'unknown-device' // an IP or MAC not in the inventory
  | 'spoofing' // an asset's IP seen with a different MAC
  | 'arp-scan' // ARP requests for many addresses
  | 'quarantined-source' // traffic from (or to) a quarantined or blocklisted address
  | 'protocol-violation' // a protocol function the rule does not allow, or a malformed frame
  | 'decoy-touch'; // anything that reached a decoy (IP, ARP, or what it tried in protocol terms)

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** What the node did about a detection. */
export type ActionTaken = 'quarantined' | 'blocked' | 'alerted' | 'already-quarantined' | 'would-block';

/** One detection. Repeats of one ongoing event are folded into it (`count`, `lastMs`). */
export interface Detection {
  /** Stable id: derived from node, kind, source, target and first time — never random. */
  readonly id: string;
  readonly node: string;
  readonly kind: DetectionKind;
  readonly severity: Severity;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly count: number;
  readonly source: string;
  readonly target?: string;
  /** Packet summary of the first packet, e.g. `10.20.0.66:40123 → 10.20.1.10:502 tcp S`. */
  readonly evidence: string;
  /** Policy rule (`policy.yaml:12 hmi-reads-plcs`) or detector id (`detector:scan`). */
  readonly producer: string;
  readonly action: ActionTaken;
  /** Human reason: what happened and why it matters. */
  readonly reason: string;
}

/** What the shell must do. Exhaustive: the executor switches over `type`. */
export type Action =
  | {
      readonly type: 'quarantine';
      readonly address: string;
      readonly durationSeconds: number;
      readonly reason: string;
      readonly producer: string;
      /** The detection that caused it, so the journal can link the quarantine to its evidence. */
      readonly detectionId?: string;
    }
  | {
      readonly type: 'release';
      readonly address: string;
      readonly reason: string;
      readonly producer: string;
    }
  | {
      readonly type: 'block-flow';
      readonly source: string;
      readonly destination: string;
      readonly protocol: number;
      readonly port: number;
      readonly durationSeconds: number;
      readonly reason: string;
      readonly producer: string;
      readonly detectionId?: string;
    }
  | { readonly type: 'record'; readonly detection: Detection }
  | { readonly type: 'alert'; readonly detection: Detection };
