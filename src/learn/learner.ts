// The learner: takes captured frames one at a time (incremental, any number of
// captures in a row) and accumulates hosts, services between them with counts
// and times, what their payloads were (by content, not port), what the
// protocol requests asked for, and fan-out of connection attempts and ARP
// requests for spotting reconnaissance. The hot path decodes each frame into
// one reused record and touches one or two map entries: no per-packet objects.
// `propose` (propose.ts) turns the state into a policy, at any point.
// (link type, frame bytes, time) → state. Pure (mutates only its own state).

import { DEFAULT_THRESHOLDS, type Thresholds } from '../decide/context.js';
import { observeFanOut } from '../decide/fan-out.js';
import { createFastFrame, decodeFast, type FastFrame, ipv4FromNumber } from '../sense/decode-fast.js';
import { tcpContentProtocol, udpContentProtocol } from './content.js';
import { isBroadcastLike, serverIsDestination, udpReplyAfterIdle } from './direction.js';
import { createFlowCache, findFlow, rememberFlow } from './flow-cache.js';
import { createLearning, learnRequests } from './functions.js';
import type { Proposal } from './proposal.js';
import { type ProposeOptions, propose } from './propose.js';
import {
  createLearnState,
  createService,
  DEFAULT_LIMITS,
  type Host,
  type LearnedService,
  type LearnLimits,
  type LearnState,
  serviceKey,
} from './state.js';

/** How the learner is bounded, and the detector thresholds it shares with the node. */
export interface LearnerOptions {
  readonly limits?: Partial<LearnLimits>;
  readonly thresholds?: Partial<Thresholds>;
}

/** An incremental learner. */
export interface Learner {
  /** Takes the frame `bytes[start, end)` (all of `bytes` by default) of pcap link type `linktype`, captured at `timeMs`. */
  observe(timeMs: number, linktype: number, bytes: Uint8Array, start?: number, end?: number): void;
  /** The policy proposed from everything observed so far. */
  propose(options?: ProposeOptions): Proposal;
  readonly state: LearnState;
  readonly thresholds: Thresholds;
}

/** Payloads per service whose content is tested before the protocol is settled. */
const VOTES = 16;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_DAYS = 16;
const MAX_MACS_PER_HOST = 4;
const MAX_IPS_PER_MAC = 16;
const MAX_ICMP_PAIRS = 1024;

/** Creates a learner with an empty state. */
export function createLearner(options: LearnerOptions = {}): Learner {
  const state = createLearnState({ ...DEFAULT_LIMITS, ...options.limits });
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const f: FastFrame = createFastFrame();
  const lastMacOf: number[] = [];
  const cache = createFlowCache();

  const hostOf = (family: 4 | 6, v4: number, v6: string, timeMs: number): number => {
    const known = family === 4 ? state.hostsV4.get(v4) : state.hostsV6.get(v6);
    if (known !== undefined) return known;
    if (state.hosts.length >= state.limits.maxHosts) {
      state.capsHit.add(`hosts (${state.limits.maxHosts})`);
      return -1;
    }
    const index = state.hosts.length;
    const host: Host = {
      index,
      ip: family === 4 ? ipv4FromNumber(v4) : v6,
      family,
      v4: family === 4 ? v4 : 0,
      firstMs: timeMs,
      lastMs: timeMs,
      packetsSent: 0,
      macs: new Map(),
      toGroupMac: 0,
      toUnicastMac: 0,
    };
    state.hosts.push(host);
    lastMacOf.push(-1);
    if (family === 4) state.hostsV4.set(v4, index);
    else state.hostsV6.set(v6, index);
    return index;
  };

  const noteMac = (host: Host, mac: number): void => {
    lastMacOf[host.index] = mac;
    if (!host.macs.has(mac) && host.macs.size < MAX_MACS_PER_HOST) host.macs.set(mac, 0);
    if (host.family !== 4) return;
    let ips = state.ipsPerMac.get(mac);
    if (ips === undefined) {
      ips = new Set();
      state.ipsPerMac.set(mac, ips);
    }
    if (ips.size < MAX_IPS_PER_MAC) ips.add(host.index);
  };

  const serviceOf = (client: number, server: number, udp: boolean, port: number, timeMs: number) => {
    const key = serviceKey(client, server, udp, port);
    let s = state.services.get(key);
    if (s !== undefined) return s;
    if (state.services.size >= state.limits.maxServices) {
      state.capsHit.add(`services (${state.limits.maxServices})`);
      return undefined;
    }
    s = createService(client, server, udp, port, timeMs);
    state.services.set(key, s);
    return s;
  };

  const attempt = (source: number, target: number, portKey: number, timeMs: number): void => {
    let fan = state.fanOut.get(source);
    if (fan === undefined) {
      fan = {
        hosts: new Map(),
        ports: new Map(),
        peakHosts: 0,
        peakPorts: 0,
        firstMs: timeMs,
        lastMs: timeMs,
        attempts: 0,
      };
      state.fanOut.set(source, fan);
    }
    fan.attempts++;
    fan.lastMs = timeMs;
    const t = thresholds;
    const hosts = observeFanOut(fan.hosts, target, timeMs, t.scanWindowMs, t.scanHosts);
    if (hosts > fan.peakHosts) fan.peakHosts = hosts;
    if (portKey >= 0) {
      const ports = observeFanOut(fan.ports, target * 131_072 + portKey, timeMs, t.scanWindowMs, t.scanPorts);
      if (ports > fan.peakPorts) fan.peakPorts = ports;
    }
  };

  const arp = (timeMs: number): void => {
    if (f.arpSenderIp !== 0) state.arpClaims.set(f.arpSenderIp, f.arpSenderMac);
    if (f.arpOp !== 1 || f.arpTargetIp === f.arpSenderIp) return;
    let fan = state.arpFanOut.get(f.arpSenderMac);
    if (fan === undefined) {
      fan = { targets: new Map(), peakTargets: 0, senderIp: f.arpSenderIp, firstMs: timeMs, lastMs: timeMs };
      state.arpFanOut.set(f.arpSenderMac, fan);
    }
    fan.lastMs = timeMs;
    const n = observeFanOut(
      fan.targets,
      f.arpTargetIp,
      timeMs,
      thresholds.arpWindowMs,
      thresholds.arpTargets,
    );
    if (n > fan.peakTargets) fan.peakTargets = n;
  };

  const observe = (
    timeMs: number,
    linktype: number,
    bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ): void => {
    state.frames++;
    if (timeMs < state.firstMs) state.firstMs = timeMs;
    if (timeMs > state.lastMs) state.lastMs = timeMs;
    const day = Math.floor(timeMs / DAY_MS);
    if (
      state.days[state.days.length - 1] !== day &&
      !state.days.includes(day) &&
      state.days.length < MAX_DAYS
    )
      state.days.push(day);
    if (!decodeFast(linktype, bytes, f, start, end)) {
      state.undecodable++;
      return;
    }
    if (f.malformed) state.malformedFrames++;
    if (f.arpOp >= 0) {
      arp(timeMs);
      return;
    }
    if (f.family === 0) {
      if (f.etherType >= 0x0600 && f.etherType !== 0x0806)
        state.unexpressed.etherTypes.set(
          f.etherType,
          (state.unexpressed.etherTypes.get(f.etherType) ?? 0) + 1,
        );
      return;
    }
    state.ipPackets++;
    if (
      f.family === 4 &&
      f.srcPort > 0 &&
      f.dstPort > 0 &&
      (f.protocol === 17 || (f.protocol === 6 && (f.tcpFlags & 0x02) === 0))
    ) {
      const slot = findFlow(cache, f.src4, f.dst4, (f.srcPort << 16) | f.dstPort, f.protocol);
      if (slot >= 0 && !udpReplyAfterIdle(cache.service[slot]!, cache.toServer[slot] === 1, timeMs)) {
        const src = cache.srcIndex[slot]!;
        const sender = state.hosts[src]!;
        sender.packetsSent++;
        sender.lastMs = timeMs;
        if (f.srcMac > 0 && f.srcMac !== lastMacOf[src]) noteMac(sender, f.srcMac);
        state.hosts[cache.dstIndex[slot]!]!.lastMs = timeMs;
        account(
          cache.service[slot]!,
          cache.toServer[slot] === 1,
          f.protocol === 17,
          timeMs,
          bytes,
          end - start,
        );
        return;
      }
    }
    if (f.family === 4 ? f.src4 === 0 || f.src4 >>> 28 >= 14 : f.src6 === '::' || f.src6.startsWith('ff')) {
      state.unexpressed.unspecifiedSources++;
      return;
    }
    const src = hostOf(f.family, f.src4, f.src6, timeMs);
    const dst = hostOf(f.family, f.dst4, f.dst6, timeMs);
    if (src < 0 || dst < 0) return;
    if (src === dst) {
      state.unexpressed.selfPackets++;
      return;
    }
    const sender = state.hosts[src]!;
    sender.packetsSent++;
    sender.lastMs = timeMs;
    // All-zero MACs are what loopback and some cooked captures carry: nobody's address.
    if (f.srcMac > 0 && f.srcMac !== lastMacOf[src]) noteMac(sender, f.srcMac);
    const receiver = state.hosts[dst]!;
    receiver.lastMs = timeMs;
    if (isBroadcastLike(f)) receiver.toGroupMac++;
    else receiver.toUnicastMac++;

    const p = f.protocol;
    if (p === 1 || p === 58) {
      const u = state.unexpressed;
      u.icmpPackets++;
      if (u.icmpPairs.size < MAX_ICMP_PAIRS) u.icmpPairs.add(`${sender.ip} → ${receiver.ip}`);
      // Echo requests (ICMP 8, ICMPv6 128) are how a ping sweep reaches hosts.
      if (f.icmpType === 8 || f.icmpType === 128) attempt(src, dst, -1, timeMs);
      return;
    }
    if (p !== 6 && p !== 17) {
      state.unexpressed.otherProtocols.set(p, (state.unexpressed.otherProtocols.get(p) ?? 0) + 1);
      return;
    }
    if (f.srcPort < 0 || f.dstPort < 0) return;
    if (f.srcPort === 0 || f.dstPort === 0) {
      state.unexpressed.portZero++;
      return;
    }
    trafficOf(src, dst, p === 17, timeMs, bytes, end - start);
  };

  const trafficOf = (
    src: number,
    dst: number,
    udp: boolean,
    timeMs: number,
    bytes: Uint8Array,
    frameLength: number,
  ): void => {
    const flags = udp ? 0 : f.tcpFlags;
    let s: LearnedService | undefined;
    let toServer: boolean;
    if ((flags & 0x12) === 0x02) {
      s = serviceOf(src, dst, udp, f.dstPort, timeMs);
      toServer = true;
      attempt(src, dst, f.dstPort, timeMs);
      if (s !== undefined) {
        s.syns++;
        s.directionKnown = true;
      }
    } else if ((flags & 0x12) === 0x12) {
      s = serviceOf(dst, src, udp, f.srcPort, timeMs);
      toServer = false;
      if (s !== undefined) {
        s.synAcks++;
        s.directionKnown = true;
      }
    } else {
      s = state.services.get(serviceKey(src, dst, udp, f.dstPort));
      toServer = true;
      if (s === undefined) {
        s = state.services.get(serviceKey(dst, src, udp, f.srcPort));
        toServer = false;
      }
      if (s === undefined) {
        toServer = serverIsDestination(udp, f.srcPort, f.dstPort);
        s = toServer
          ? serviceOf(src, dst, udp, f.dstPort, timeMs)
          : serviceOf(dst, src, udp, f.srcPort, timeMs);
        if (s !== undefined && toServer && udp) attempt(src, dst, 65_536 + f.dstPort, timeMs);
      }
    }
    if (s !== undefined && udpReplyAfterIdle(s, toServer, timeMs)) {
      // Conntrack forgot the flow: this "reply" starts a new one of its own, which a rule must allow.
      s = serviceOf(src, dst, udp, f.dstPort, timeMs);
      toServer = true;
    }
    if (s === undefined) return;
    if (f.family === 4) {
      rememberFlow(cache, f.src4, f.dst4, (f.srcPort << 16) | f.dstPort, f.protocol, src, dst, s, toServer);
    }
    account(s, toServer, udp, timeMs, bytes, frameLength);
  };

  /** Counts one packet of a resolved service, and reads its payload. */
  const account = (
    s: LearnedService,
    toServer: boolean,
    udp: boolean,
    timeMs: number,
    bytes: Uint8Array,
    frameLength: number,
  ): void => {
    const flags = udp ? 0 : f.tcpFlags;
    if (toServer) {
      s.requests++;
      if (f.srcPort !== s.lastClientPort) {
        s.lastClientPort = f.srcPort;
        s.flows++;
      }
    } else {
      s.replies++;
      if (flags & 0x04) s.resets++;
    }
    s.bytes += frameLength;
    s.lastMs = timeMs;
    s.hourMask |= 1 << (Math.floor(timeMs / HOUR_MS) % 24);
    const day = Math.floor(timeMs / DAY_MS);
    if (day !== s.lastDay) {
      s.lastDay = day;
      if (!s.days.includes(day) && s.days.length < MAX_DAYS) s.days.push(day);
    }
    const from = f.payloadStart;
    const to = f.payloadEnd;
    if (to <= from) return;
    if (toServer) s.payloadRequests++;
    else s.payloadReplies++;
    if (s.voteCount < VOTES) {
      const protocol = udp ? udpContentProtocol(bytes, from, to) : tcpContentProtocol(bytes, from, to);
      s.votes.set(protocol, (s.votes.get(protocol) ?? 0) + 1);
      s.voteCount++;
      if (s.learning === undefined && toServer && !udp) s.learning = createLearning(protocol);
    }
    if (toServer && s.learning !== undefined) {
      const limits = state.limits;
      learnRequests(s.learning, bytes, from, to, f.srcPort, limits.maxShapesPerService, limits.maxSpans);
    }
  };

  return { observe, propose: (opts = {}) => propose({ state, thresholds }, opts), state, thresholds };
}
