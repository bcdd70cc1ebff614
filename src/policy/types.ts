// The Policy: the resolved, validated form of policy.yaml that every later stage
// consumes. Names are the operator's; every element keeps the source location it
// came from so the compiler can cite `policy.yaml:LINE` in the kernel ruleset.
// Pure data.

import type { SourceLocation } from './diagnostic.js';

export type IpFamily = 4 | 6;

/** An address prefix in canonical text form, e.g. `10.20.1.0/24` or `fd00::5/128`. */
export interface Prefix {
  readonly family: IpFamily;
  /** Canonical network address (host bits cleared). */
  readonly address: string;
  readonly length: number;
}

/** What a protocol-aware (NFQUEUE) flow does while no daemon listens: `closed` drops it, `open` lets it pass unchecked. */
export type QueueFailure = 'open' | 'closed';

export interface Zone {
  readonly name: string;
  readonly networks: readonly Prefix[];
  /** Fail mode of protocol-aware flows towards this zone; absent means closed. */
  readonly protocolFailure?: QueueFailure;
  readonly loc: SourceLocation;
}

export interface Asset {
  readonly name: string;
  /** Canonical address text (no prefix length). */
  readonly ip: string;
  readonly family: IpFamily;
  /** Lower-case `aa:bb:cc:dd:ee:ff`. */
  readonly mac?: string;
  readonly zone: string;
  readonly role?: string;
  readonly critical: boolean;
  readonly loc: SourceLocation;
}

/** A network context group, resolved to the asset names it contains. */
export interface ContextGroup {
  readonly name: string;
  readonly assets: readonly string[];
  readonly loc: SourceLocation;
}

export type Transport = 'tcp' | 'udp';

/** An inclusive port range; a single port has from === to. */
export interface PortRange {
  readonly transport: Transport;
  readonly from: number;
  readonly to: number;
}

/** A port context group: which transports and ports, and optionally which protocol speaks there. */
export interface Service {
  readonly name: string;
  readonly ports: readonly PortRange[];
  readonly protocol?: string;
  readonly loc: SourceLocation;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A weekly time window in a named IANA time zone. `toMinute <= fromMinute` crosses midnight. */
export interface Schedule {
  readonly name: string;
  readonly days: readonly Weekday[];
  /** Minutes after local midnight, 0..1439. */
  readonly fromMinute: number;
  /** Minutes after local midnight, 1..1440 (1440 = end of day). */
  readonly toMinute: number;
  readonly timezone: string;
  readonly loc: SourceLocation;
}

/** What a rule's `from`/`to` names: an asset, a context group or a zone. */
export interface Endpoint {
  readonly kind: 'asset' | 'group' | 'zone';
  readonly name: string;
}

/** An inclusive range of 0-based protocol addresses (Modbus register or coil numbers). */
export interface AddressSpan {
  readonly from: number;
  readonly to: number;
}

/** Modbus/TCP functions, unit ids and address ranges a rule allows. */
export interface ModbusConstraint {
  readonly kind: 'modbus';
  /** Allowed function codes. */
  readonly functions: readonly number[];
  /** Allowed unit ids; absent means any. */
  readonly units?: readonly number[];
  /** Addresses reads may touch; absent means any. */
  readonly read?: readonly AddressSpan[];
  /** Addresses writes may touch; absent means any (of the allowed write functions). */
  readonly write?: readonly AddressSpan[];
  readonly loc: SourceLocation;
}

/** S7comm operations a rule allows (`setup`, `read`, `write`, `plc-stop`, ...). */
export interface S7Constraint {
  readonly kind: 's7';
  readonly allow: readonly string[];
  readonly loc: SourceLocation;
}

/** DNP3 application function codes a rule allows. */
export interface Dnp3Constraint {
  readonly kind: 'dnp3';
  readonly functions: readonly number[];
  readonly loc: SourceLocation;
}

/** The protocol functions a rule allows; its flows are judged message by message in userspace. */
export type ProtocolConstraint = ModbusConstraint | S7Constraint | Dnp3Constraint;

export interface Rule {
  readonly name: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly services: readonly string[];
  /** Protocol functions allowed on the rule's flows (`modbus:`, `s7:` or `dnp3:`). */
  readonly protocol?: ProtocolConstraint;
  /** Schedule name; absent means always. */
  readonly when?: string;
  readonly loc: SourceLocation;
}

export type EnforcementMode = 'enforce' | 'monitor';
export type OutOfProfileAction = 'quarantine' | 'block' | 'alert';
export type UnrecognizedAction = 'portal' | 'block';

export interface Enforcement {
  readonly mode: EnforcementMode;
  readonly unrecognized: UnrecognizedAction;
  readonly outOfProfile: OutOfProfileAction;
  readonly quarantine: {
    readonly durationSeconds: number;
    /** Asset names that are alerted on and never quarantined. */
    readonly never: readonly string[];
  };
  /** Layer 2 (bridge family): EtherTypes that always pass, and what happens to the rest. */
  readonly l2: {
    readonly allow: readonly number[];
    readonly default: 'accept' | 'drop';
  };
  readonly loc: SourceLocation;
}

/** A directory group (or RADIUS Filter-Id/Class value) `match` that grants the policy role `role`. */
export interface RoleMapping {
  readonly match: string;
  readonly role: string;
}

/** An LDAP directory the portal binds users against; groups map to roles. */
export interface LdapBackendConfig {
  readonly kind: 'ldap';
  readonly name: string;
  readonly url: string;
  readonly startTls: boolean;
  readonly caFile?: string;
  /** Bind DN template with `{user}` (DN-escaped when filled in). */
  readonly userDn: string;
  readonly groupBase?: string;
  readonly groupFilter?: string;
  readonly timeoutMs: number;
  readonly roles: readonly RoleMapping[];
  readonly loc: SourceLocation;
}

/** A RADIUS server (PAP, Access-Challenge for one-time codes); Filter-Id/Class values map to roles. */
export interface RadiusBackendConfig {
  readonly kind: 'radius';
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly secretFile: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly roles: readonly RoleMapping[];
  readonly loc: SourceLocation;
}

/** An HTTP API that answers POST {user, password, source} with {allow, role?, message?}. */
export interface HttpBackendConfig {
  readonly kind: 'http';
  readonly name: string;
  readonly url: string;
  readonly tokenFile?: string;
  readonly caFile?: string;
  readonly timeoutMs: number;
  readonly loc: SourceLocation;
}

export type PortalBackendConfig = LdapBackendConfig | RadiusBackendConfig | HttpBackendConfig;

/** What a logged-in person with this role may reach, and for how long at most. */
export interface PortalRole {
  readonly name: string;
  readonly to: readonly Endpoint[];
  readonly services: readonly string[];
  readonly maxSeconds?: number;
  readonly loc: SourceLocation;
}

/** The identity portal: unrecognized devices log in and get time-bounded permits for their role. */
export interface Portal {
  readonly listenPort: number;
  readonly certificate?: { readonly cert: string; readonly key: string };
  readonly grantDefaultSeconds: number;
  readonly grantMaxSeconds: number;
  readonly backends: readonly PortalBackendConfig[];
  readonly roles: readonly PortalRole[];
  readonly loc: SourceLocation;
}

/** `count` decoys of one device profile in one zone. */
export interface DecoyPlacement {
  readonly zone: string;
  readonly profile: string;
  readonly count: number;
  readonly loc: SourceLocation;
}

/** The decoys section: fake devices on unused addresses that contain whoever touches them. */
export interface Decoys {
  /** Per-installation seed; absent: the node derives one (site + a random value in its state directory). */
  readonly seed?: string;
  /** Moving target defense: every decoy moves to a fresh address and identity this often. */
  readonly rotateEverySeconds?: number;
  /** Answer a quarantined source's attempts on real assets with decoys. */
  readonly deceive: boolean;
  readonly place: readonly DecoyPlacement[];
  readonly loc: SourceLocation;
}

export interface Policy {
  readonly version: 1;
  readonly site: string;
  /** The file the policy came from, as given (used in ruleset comments). */
  readonly file: string;
  readonly zones: readonly Zone[];
  readonly assets: readonly Asset[];
  readonly groups: readonly ContextGroup[];
  readonly services: readonly Service[];
  readonly schedules: readonly Schedule[];
  readonly rules: readonly Rule[];
  readonly enforcement: Enforcement;
  /** The identity portal (`portal:`); absent when the policy has none. */
  readonly portal?: Portal;
  /** Decoys to host (bridge mode); absent when the policy has no decoys section. */
  readonly decoys?: Decoys;
}
