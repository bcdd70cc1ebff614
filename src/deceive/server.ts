// The decoy server: hosts a set of decoys inside the decoy network namespace.
// One TCP listener per distinct port on 0.0.0.0 (the decoy is found by the
// connection's local address), one UDP socket per decoy address and UDP
// service (dgram does not tell the destination address), each connection or
// UDP peer talking to the decoy's personality, with per-source connection,
// per-connection byte and idle limits. Reports touches as events. Driver: it
// decides nothing about what a decoy says.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { concat } from './personality/bytes.js';
import { servicesOf } from './personality/index.js';
import type { DecoyService, TouchNote } from './personality/types.js';
import { DEFAULT_LIMITS, type DecoySet, type DecoySpec, type ServerLimits } from './server-input.js';
import { touchBudget } from './touch-budget.js';
import { type ServerEvent, type TouchBase, touchReporter } from './touch-report.js';

export type { ServerEvent, TouchEvent } from './touch-report.js';

export interface DecoyServer {
  /** Serves exactly this set from now on; resolves once listening. Calls are queued. */
  apply(set: DecoySet): Promise<void>;
  close(): Promise<void>;
}

export interface DecoyServerOptions {
  readonly emit: (event: ServerEvent) => void;
  readonly nowMs?: () => number;
}

/** UDP peers remembered per socket (their conversations); the oldest is forgotten first. */
const MAX_UDP_PEERS = 512;
/** A peer that does not read its replies is cut off once this much waits to be sent. */
const MAX_UNSENT_BYTES = 256 * 1024;
/** Replies one UDP socket sends per second (burst twice that): a decoy must not become a reflector for spoofed sources. */
const UDP_REPLIES_PER_SECOND = 200;
/** How long a UDP bind waits for the runtime to add the decoy's address. */
const BIND_RETRY_MS = 100;
const BIND_ATTEMPTS = 50;

interface Hosted {
  readonly spec: DecoySpec;
  readonly key: string;
  readonly services: readonly DecoyService[];
  readonly sockets: Set<Socket>;
  readonly udp: UdpSocket[];
}

/** Strips the IPv4-mapped IPv6 prefix Node puts on dual-stack addresses. */
function plain(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

/** The identity with the decoy's address as a field (EtherNet/IP reports its own address). */
function withAddress(spec: DecoySpec): DecoySpec['identity'] {
  return { ...spec.identity, fields: { ...spec.identity.fields, ipAddress: spec.ip } };
}

function keyOf(spec: DecoySpec): string {
  return `${spec.id}\n${JSON.stringify(spec.identity)}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Binds a UDP socket, retrying while the address does not exist yet. */
async function bindUdp(ip: string, port: number): Promise<UdpSocket> {
  for (let attempt = 1; ; attempt++) {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      socket.once('error', resolve);
      socket.bind({ address: ip, port, exclusive: true }, () => resolve(null));
    });
    if (error === null) return socket;
    socket.close();
    // The runtime adds addresses just before the set; a replaced decoy's socket may still be closing.
    if ((error.code !== 'EADDRNOTAVAIL' && error.code !== 'EADDRINUSE') || attempt >= BIND_ATTEMPTS)
      throw error;
    await delay(BIND_RETRY_MS);
  }
}

/** Creates a decoy server; nothing listens until the first apply. */
export function createDecoyServer(options: DecoyServerOptions): DecoyServer {
  const emit = options.emit;
  const nowMs = options.nowMs ?? (() => Date.now());
  let limits: ServerLimits = DEFAULT_LIMITS;
  const hosted = new Map<string, Hosted>();
  const listeners = new Map<number, Server>();
  const perSource = new Map<string, number>();
  const budget = touchBudget();
  let queue: Promise<void> = Promise.resolve();

  function serveTcp(port: number, socket: Socket): void {
    const dstIp = plain(socket.localAddress);
    const decoy = hosted.get(dstIp);
    const service = decoy?.services.find((s) => s.transport === 'tcp' && s.port === port);
    socket.on('error', () => {});
    // A peer that reset before we saw it (a connect scan) has no address left to report.
    if (decoy === undefined || service === undefined || socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const src = plain(socket.remoteAddress);
    const base: TouchBase = {
      type: 'touch',
      decoy: decoy.spec.id,
      src,
      srcPort: socket.remotePort ?? 0,
      dstIp,
      dstPort: port,
      transport: 'tcp',
      protocol: service.protocol,
    };
    const report = touchReporter(base, emit, nowMs, budget);
    const open = perSource.get(src) ?? 0;
    if (open >= limits.connectionsPerSource) {
      report([
        {
          protocol: service.protocol,
          what: `connection refused: ${open} open from this source`,
          severity: 'medium',
        },
      ]);
      socket.destroy();
      return;
    }
    perSource.set(src, open + 1);
    decoy.sockets.add(socket);
    socket.once('close', () => {
      decoy.sockets.delete(socket);
      const left = (perSource.get(src) ?? 1) - 1;
      if (left <= 0) perSource.delete(src);
      else perSource.set(src, left);
    });
    report([{ protocol: service.protocol, what: `TCP connection to port ${port}`, severity: 'medium' }]);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
    const greeting = service.greeting();
    if (greeting.replies.length > 0) socket.write(concat(greeting.replies));
    const conversation = service.open();
    let received = 0;
    const byteLimit = limits.bytesPerConnection;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > byteLimit) {
        report([
          { protocol: service.protocol, what: `more than ${byteLimit} bytes sent`, severity: 'medium' },
        ]);
        socket.destroy();
        return;
      }
      let answer: ReturnType<typeof conversation.receive>;
      try {
        answer = conversation.receive(chunk);
      } catch (e) {
        emit({
          type: 'error',
          message: `decoy ${decoy.spec.id} ${service.protocol}: ${(e as Error).message}`,
        });
        socket.destroy();
        return;
      }
      if (answer.replies.length > 0) socket.write(concat(answer.replies));
      if (socket.writableLength > MAX_UNSENT_BYTES) {
        socket.destroy();
        return;
      }
      report(answer.notes);
      if (answer.close) socket.end();
    });
  }

  function serveUdp(decoy: Hosted, service: DecoyService, socket: UdpSocket): void {
    const replies = touchBudget(UDP_REPLIES_PER_SECOND, 2 * UDP_REPLIES_PER_SECOND, 1);
    const peers = new Map<
      string,
      {
        conversation: ReturnType<DecoyService['open']>;
        report: (n: readonly TouchNote[]) => void;
        bytes: number;
      }
    >();
    socket.on('error', (e) =>
      emit({ type: 'error', message: `decoy ${decoy.spec.id} udp/${service.port}: ${e.message}` }),
    );
    socket.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      let peer = peers.get(key);
      if (peer === undefined) {
        const base: TouchBase = {
          type: 'touch',
          decoy: decoy.spec.id,
          src: plain(rinfo.address),
          srcPort: rinfo.port,
          dstIp: decoy.spec.ip,
          dstPort: service.port,
          transport: 'udp',
          protocol: service.protocol,
        };
        peer = { conversation: service.open(), report: touchReporter(base, emit, nowMs, budget), bytes: 0 };
        peers.set(key, peer);
        if (peers.size > MAX_UDP_PEERS) peers.delete(peers.keys().next().value ?? key);
        peer.report([
          { protocol: service.protocol, what: `UDP datagram to port ${service.port}`, severity: 'medium' },
        ]);
      }
      peer.bytes += msg.length;
      if (peer.bytes > limits.bytesPerConnection) return;
      let answer: ReturnType<typeof peer.conversation.receive>;
      try {
        answer = peer.conversation.receive(msg);
      } catch (e) {
        emit({
          type: 'error',
          message: `decoy ${decoy.spec.id} ${service.protocol}: ${(e as Error).message}`,
        });
        return;
      }
      for (const reply of answer.replies) {
        if (replies.take('socket', nowMs()).allowed) socket.send(reply, rinfo.port, rinfo.address);
      }
      peer.report(answer.notes);
    });
  }

  function stop(decoy: Hosted): void {
    for (const socket of decoy.sockets) socket.destroy();
    for (const socket of decoy.udp) socket.close();
    decoy.udp.length = 0;
  }

  async function listenTcp(port: number): Promise<void> {
    const server = createServer({ pauseOnConnect: false }, (socket) => serveTcp(port, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '0.0.0.0', port, backlog: 511, exclusive: true }, () => resolve());
    });
    server.on('error', (e) => emit({ type: 'error', message: `tcp/${port}: ${e.message}` }));
    listeners.set(port, server);
  }

  async function startUdp(decoy: Hosted): Promise<void> {
    await Promise.all(
      decoy.services
        .filter((s) => s.transport === 'udp')
        .map(async (service) => {
          try {
            const socket = await bindUdp(decoy.spec.ip, service.port);
            if (hosted.get(decoy.spec.ip) !== decoy) {
              socket.close();
              return;
            }
            decoy.udp.push(socket);
            serveUdp(decoy, service, socket);
          } catch (e) {
            emit({
              type: 'error',
              message: `decoy ${decoy.spec.id} udp ${decoy.spec.ip}:${service.port}: ${(e as Error).message}`,
            });
          }
        }),
    );
  }

  async function applyNow(set: DecoySet): Promise<void> {
    const started = nowMs();
    limits = set.limits;
    const wanted = new Map(set.decoys.map((d) => [d.ip, d]));
    for (const [ip, decoy] of hosted) {
      const next = wanted.get(ip);
      if (next === undefined || keyOf(next) !== decoy.key) {
        stop(decoy);
        hosted.delete(ip);
      }
    }
    const added: Hosted[] = [];
    for (const spec of set.decoys) {
      if (hosted.has(spec.ip)) continue;
      const decoy: Hosted = {
        spec,
        key: keyOf(spec),
        services: servicesOf(withAddress(spec)),
        sockets: new Set(),
        udp: [],
      };
      hosted.set(spec.ip, decoy);
      added.push(decoy);
    }
    const ports = new Set(
      [...hosted.values()].flatMap((d) => d.services.filter((s) => s.transport === 'tcp').map((s) => s.port)),
    );
    for (const [port, server] of listeners) {
      if (!ports.has(port)) {
        server.close();
        listeners.delete(port);
      }
    }
    const newPorts = [...ports].filter((p) => !listeners.has(p));
    await Promise.all([
      ...newPorts.map((port) =>
        listenTcp(port).catch((e: Error) => emit({ type: 'error', message: `tcp/${port}: ${e.message}` })),
      ),
      ...added.map(startUdp),
    ]);
    emit({ type: 'ready', decoys: hosted.size, ms: nowMs() - started });
  }

  return {
    apply(set) {
      // A failed apply must not stop the ones queued after it.
      queue = queue.catch(() => {}).then(() => applyNow(set));
      return queue;
    },
    async close() {
      await queue.catch(() => {});
      for (const decoy of hosted.values()) stop(decoy);
      hosted.clear();
      await Promise.all(
        [...listeners.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
      listeners.clear();
    },
  };
}
