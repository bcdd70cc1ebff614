// A direct-mapped cache of recent IPv4 TCP/UDP 4-tuples → the hosts and the
// service (and direction) they resolved to, so the packets of a flow after
// its first skip the host and service map lookups: the learner's hot path.
// A slot holds one tuple; a collision just overwrites it. Pure.

import type { LearnedService } from './state.js';

const SLOTS = 1 << 14;

/** The cache's columns, one entry per slot. */
export interface FlowCache {
  readonly src4: Int32Array;
  readonly dst4: Int32Array;
  /** Source port << 16 | destination port. */
  readonly ports: Int32Array;
  /** IP protocol; 0 marks an empty slot. */
  readonly protocol: Uint8Array;
  readonly srcIndex: Int32Array;
  readonly dstIndex: Int32Array;
  readonly toServer: Uint8Array;
  readonly service: (LearnedService | undefined)[];
}

/** An empty cache. */
export function createFlowCache(): FlowCache {
  return {
    src4: new Int32Array(SLOTS),
    dst4: new Int32Array(SLOTS),
    ports: new Int32Array(SLOTS),
    protocol: new Uint8Array(SLOTS),
    srcIndex: new Int32Array(SLOTS),
    dstIndex: new Int32Array(SLOTS),
    toServer: new Uint8Array(SLOTS),
    service: new Array<LearnedService | undefined>(SLOTS).fill(undefined),
  };
}

/** The slot of a tuple (multiplicative hashing of the mixed fields). */
export function flowSlot(src4: number, dst4: number, ports: number): number {
  const h = Math.imul(src4 ^ Math.imul(dst4, 0x9e3779b1) ^ Math.imul(ports, 0x85ebca6b), 0xc2b2ae35);
  return (h >>> 18) & (SLOTS - 1);
}

/** The slot holding exactly this tuple, or -1. */
export function findFlow(c: FlowCache, src4: number, dst4: number, ports: number, protocol: number): number {
  const slot = flowSlot(src4, dst4, ports);
  return c.protocol[slot] === protocol &&
    c.src4[slot] === (src4 | 0) &&
    c.dst4[slot] === (dst4 | 0) &&
    c.ports[slot] === ports
    ? slot
    : -1;
}

/** Remembers what a tuple resolved to. */
export function rememberFlow(
  c: FlowCache,
  src4: number,
  dst4: number,
  ports: number,
  protocol: number,
  srcIndex: number,
  dstIndex: number,
  service: LearnedService,
  toServer: boolean,
): void {
  const slot = flowSlot(src4, dst4, ports);
  c.src4[slot] = src4;
  c.dst4[slot] = dst4;
  c.ports[slot] = ports;
  c.protocol[slot] = protocol;
  c.srcIndex[slot] = srcIndex;
  c.dstIndex[slot] = dstIndex;
  c.toServer[slot] = toServer ? 1 : 0;
  c.service[slot] = service;
}
