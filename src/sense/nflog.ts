// NFLOG intake: a NETLINK_NETFILTER socket bound to one log group of the
// network namespace this process runs in, batches from the kernel decoded
// into PacketEvents. Counts what the kernel could not deliver (exact losses
// from gaps in sequence numbers) and keeps going. Decides nothing.
// Kernel log group → onEvents(PacketEvent[]). Shell.

import { PicketError } from '../cli/errors.js';
import type { EventsHandler, Intake, IntakeStats } from './intake.js';
import { openNetlinkSocket } from './netlink-socket.js';
import {
  buildConfigCommand,
  buildConfigSettings,
  NFULNL_CFG_CMD,
  NFULNL_CFG_F,
  NFULNL_COPY,
} from './nflog-codec.js';
import { createNflogReader } from './nflog-event.js';

const NETLINK_NETFILTER = 12;
const ACK_TIMEOUT_MS = 2000;

/** How to listen. */
export interface NflogOptions {
  /** The nft `log group` to bind (0–65535). */
  readonly group: number;
  readonly onEvents: EventsHandler;
  /** Receive buffer to ask for (SO_RCVBUFFORCE as root, else capped at net.core.rmem_max; the kernel doubles it). Default 32 MiB. */
  readonly bufferBytes?: number;
  /** Bytes of each packet to copy, from the network header on. Default 256: headers and the start of the payload. */
  readonly copyRange?: number;
  /** Longest a logged packet waits in the kernel's batch. Default 10 ms (the kernel counts in 1/100 s). */
  readonly flushTimeoutMs?: number;
  /** Socket errors and exceptions thrown by onEvents (overruns are not errors: stats count them). */
  readonly onError?: (error: Error) => void;
}

/** The kernel refused a configuration request, or did not answer it. */
export class NflogConfigError extends PicketError {
  readonly group: number;
  readonly errno: number;
  constructor(group: number, what: string, errno: number, hint?: string) {
    super(
      'nflog-config',
      `nflog group ${group}: ${what} failed (errno ${errno})`,
      hint === undefined ? {} : { hint },
    );
    this.group = group;
    this.errno = errno;
  }
}

const EPERM = 1;

/** Binds `group` in this process's network namespace and starts delivering events. */
export async function createNflogIntake(options: NflogOptions): Promise<Intake> {
  const { group, onEvents } = options;
  const bufferBytes = options.bufferBytes ?? 32 * 1024 * 1024;
  const socket = openNetlinkSocket(NETLINK_NETFILTER, bufferBytes);
  const reader = createNflogReader();
  let truncated = 0;
  const waiting = new Map<number, (errno: number) => void>();
  let nextSeq = 1;
  let closed = false;

  // An exception escaping a listener would unwind into the package's native callback and abort
  // the process without a stack; hand it back to JavaScript instead.
  const guarded =
    <A extends unknown[]>(listener: (...args: A) => void) =>
    (...args: A): void => {
      try {
        listener(...args);
      } catch (error) {
        if (options.onError !== undefined && error instanceof Error) options.onError(error);
        else
          queueMicrotask(() => {
            throw error;
          });
      }
    };

  const onDatagram = (message: Buffer): void => {
    const { events, acks } = reader.read(message, Date.now());
    for (const ack of acks) waiting.get(ack.requestSeq)?.(ack.errno);
    if (!closed && events.length > 0) onEvents(events);
  };
  socket.on('message', guarded(onDatagram));
  socket.on(
    'truncatedMessage',
    guarded(() => {
      truncated++;
    }),
  );
  // With NETLINK_NO_ENOBUFS (netlink-socket.ts) the kernel reports overruns only as sequence gaps.
  socket.on(
    'error',
    guarded((error: Error) => options.onError?.(error)),
  );

  const request = (what: string, build: (seq: number) => Uint8Array): Promise<void> => {
    const seq = nextSeq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(seq);
        reject(new NflogConfigError(group, `${what} (no answer in ${ACK_TIMEOUT_MS} ms)`, 0));
      }, ACK_TIMEOUT_MS);
      waiting.set(seq, (errno) => {
        clearTimeout(timer);
        waiting.delete(seq);
        if (errno === 0) return resolve();
        const hint =
          errno === EPERM
            ? 'another process already listens on this log group in this network namespace'
            : undefined;
        reject(new NflogConfigError(group, what, errno, hint));
      });
      socket.send(build(seq), {}, (error) => {
        if (error === undefined) return;
        clearTimeout(timer);
        waiting.delete(seq);
        reject(new NflogConfigError(group, `${what} (send: ${error.code})`, error.errno));
      });
    });
  };

  try {
    // No PF_BIND: nft's `log group N` names the nfnetlink_log logger itself, and a PF bind
    // would redirect the family's default logger (plain `log` rules) for everyone in the netns.
    await request('bind', (seq) => buildConfigCommand(seq, 0, group, NFULNL_CFG_CMD.bind));
    await request('settings', (seq) =>
      buildConfigSettings(seq, group, {
        copyMode: NFULNL_COPY.packet,
        copyRange: options.copyRange ?? 256,
        // Large batches: one datagram (one read) carries ~200 events at full rate.
        nlbufsizBytes: 65536,
        flushTimeoutMs: options.flushTimeoutMs ?? 10,
        queueThreshold: 4096,
        flags: NFULNL_CFG_F.seq,
      }),
    );
  } catch (error) {
    closed = true;
    socket.close();
    throw error;
  }

  return {
    stats: (): IntakeStats => {
      const stats = reader.stats();
      return { ...stats, malformed: stats.malformed + truncated };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // Unbind so the kernel stops building batches for us; the socket closing would do it too.
      await request('unbind', (seq) => buildConfigCommand(seq, 0, group, NFULNL_CFG_CMD.unbind)).catch(
        () => {},
      );
      socket.close();
    },
  };
}
