// What the learner keeps while it reads traffic: hosts, the services between
// them (client → server, transport, port) with counts, times and what their
// payloads said, fan-out of connection attempts for spotting reconnaissance,
// and the caps that bound it all. Types and constructors only. Pure.

import type { ProtocolLearning } from './functions.js';

/** Limits on what the learner holds; reaching one is reported, never silent. */
export interface LearnLimits {
  readonly maxHosts: number;
  readonly maxServices: number;
  /** Distinct request shapes remembered per service (beyond it, every message is decoded again). */
  readonly maxShapesPerService: number;
  /** Distinct address spans kept per service and direction (beyond it, spans are merged). */
  readonly maxSpans: number;
}

export const DEFAULT_LIMITS: LearnLimits = {
  maxHosts: 65_536,
  maxServices: 262_144,
  maxShapesPerService: 4_096,
  maxSpans: 256,
};

/** One IP address seen on the wire. */
export interface Host {
  readonly index: number;
  readonly ip: string;
  readonly family: 4 | 6;
  /** IPv4 address as a number (0 for IPv6). */
  readonly v4: number;
  firstMs: number;
  lastMs: number;
  packetsSent: number;
  /** Source MACs this address was sent from (MAC number → packets), at most a few. */
  readonly macs: Map<number, number>;
  /** Frames to this address with a broadcast or multicast destination MAC, and with a unicast one. */
  toGroupMac: number;
  toUnicastMac: number;
}

/** The protocols the learner tells apart by content. */
export type ContentProtocol =
  | 'modbus'
  | 's7comm'
  | 'dnp3'
  | 'enip'
  | 'iec104'
  | 'bacnet'
  | 'http'
  | 'tls'
  | 'ssh'
  | 'other';

/** Traffic between one client and one server on one transport port. */
export interface LearnedService {
  readonly client: number;
  readonly server: number;
  readonly udp: boolean;
  readonly port: number;
  firstMs: number;
  lastMs: number;
  requests: number;
  replies: number;
  bytes: number;
  /** Distinct client ports seen (approximates connections), counted on change. */
  flows: number;
  lastClientPort: number;
  syns: number;
  synAcks: number;
  resets: number;
  payloadRequests: number;
  payloadReplies: number;
  /** Direction came from SYN/SYN-ACK (false: guessed from ports). */
  directionKnown: boolean;
  /** Content votes per protocol, counted on the first payloads. */
  readonly votes: Map<ContentProtocol, number>;
  voteCount: number;
  /** What the requests asked for, per protocol decoded. */
  learning: ProtocolLearning | undefined;
  /** Hours of the day (UTC) with traffic, as a 24-bit mask. */
  hourMask: number;
  /** Distinct UTC days with traffic (day numbers since the epoch), at most a handful kept. */
  readonly days: number[];
  lastDay: number;
}

/** Connection attempts of one source within a sliding window, for scan detection. */
export interface FanOut {
  readonly hosts: Map<number, number>;
  readonly ports: Map<number, number>;
  peakHosts: number;
  peakPorts: number;
  firstMs: number;
  lastMs: number;
  attempts: number;
}

/** ARP requests of one MAC within a sliding window. */
export interface ArpFanOut {
  readonly targets: Map<number, number>;
  peakTargets: number;
  senderIp: number;
  firstMs: number;
  lastMs: number;
}

/** Traffic the policy language cannot express (ICMP, other IP protocols, non-IP frames), counted. */
export interface Unexpressed {
  readonly icmpPairs: Set<string>;
  icmpPackets: number;
  readonly otherProtocols: Map<number, number>;
  readonly etherTypes: Map<number, number>;
  unspecifiedSources: number;
  /** A host to itself (loopback captures): such traffic never crosses the bridge. */
  selfPackets: number;
  /** TCP or UDP port 0: reserved, no policy names it. */
  portZero: number;
}

/** Everything the learner has accumulated. */
export interface LearnState {
  readonly limits: LearnLimits;
  readonly hosts: Host[];
  readonly hostsV4: Map<number, number>;
  readonly hostsV6: Map<string, number>;
  /** Key: see `serviceKey`. */
  readonly services: Map<number, LearnedService>;
  /** Distinct IPv4 sources per MAC (MAC → host indexes), to tell gateways from devices. */
  readonly ipsPerMac: Map<number, Set<number>>;
  /** ARP-claimed IPv4 address → MAC. */
  readonly arpClaims: Map<number, number>;
  readonly fanOut: Map<number, FanOut>;
  readonly arpFanOut: Map<number, ArpFanOut>;
  readonly unexpressed: Unexpressed;
  frames: number;
  ipPackets: number;
  undecodable: number;
  malformedFrames: number;
  firstMs: number;
  lastMs: number;
  /** Distinct UTC days in the whole capture, at most a handful kept. */
  readonly days: number[];
  readonly capsHit: Set<string>;
}

/** Services are keyed by client, server (host indexes below 2^16), transport and port in one number. */
export function serviceKey(client: number, server: number, udp: boolean, port: number): number {
  return ((client * 65_536 + server) * 2 + (udp ? 1 : 0)) * 65_536 + port;
}

/** An empty state. */
export function createLearnState(limits: LearnLimits): LearnState {
  return {
    limits,
    hosts: [],
    hostsV4: new Map(),
    hostsV6: new Map(),
    services: new Map(),
    ipsPerMac: new Map(),
    arpClaims: new Map(),
    fanOut: new Map(),
    arpFanOut: new Map(),
    unexpressed: {
      icmpPairs: new Set(),
      icmpPackets: 0,
      otherProtocols: new Map(),
      etherTypes: new Map(),
      unspecifiedSources: 0,
      selfPackets: 0,
      portZero: 0,
    },
    frames: 0,
    ipPackets: 0,
    undecodable: 0,
    malformedFrames: 0,
    firstMs: Number.POSITIVE_INFINITY,
    lastMs: Number.NEGATIVE_INFINITY,
    days: [],
    capsHit: new Set(),
  };
}

/** A service seen for the first time at `timeMs`. */
export function createService(
  client: number,
  server: number,
  udp: boolean,
  port: number,
  timeMs: number,
): LearnedService {
  return {
    client,
    server,
    udp,
    port,
    firstMs: timeMs,
    lastMs: timeMs,
    requests: 0,
    replies: 0,
    bytes: 0,
    flows: 0,
    lastClientPort: -1,
    syns: 0,
    synAcks: 0,
    resets: 0,
    payloadRequests: 0,
    payloadReplies: 0,
    directionKnown: false,
    votes: new Map(),
    voteCount: 0,
    learning: undefined,
    hourMask: 0,
    days: [],
    lastDay: -1,
  };
}
