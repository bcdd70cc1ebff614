// NFQUEUE driver: a NETLINK_NETFILTER socket bound to queue numbers of the
// network namespace this process runs in; every queued packet goes to `judge`
// and its verdict back to the kernel, batched per event-loop turn as runs of
// NFQNL_MSG_VERDICT_BATCH. Decides nothing itself.
// Kernel queue → judge(packet) → verdicts. Shell.

import { PicketError } from '../cli/errors.js';
import { openNetlinkSocket } from './netlink-socket.js';
import {
  buildQueueCommand,
  buildQueueSettings,
  buildVerdictRuns,
  NF_VERDICT,
  NFQNL_CFG_CMD,
  parseNfqueueDatagram,
  type QueuedPacket,
  truncatedPacketId,
} from './nfqueue-codec.js';

const NETLINK_NETFILTER = 12;
const ACK_TIMEOUT_MS = 2000;

/** How to enforce. */
export interface QueueEnforcerOptions {
  /** Queue numbers to bind (an nft/xt `queue num 0-1` fanout needs both). */
  readonly queues: readonly number[];
  /** The verdict on one packet; called synchronously, in queue order. */
  readonly judge: (packet: QueuedPacket) => 'accept' | 'drop';
  /** Set NFQA_CFG_F_FAIL_OPEN: packets pass when the kernel queue is full. Default false (dropped). */
  readonly failOpen?: boolean;
  /** The packet mark accepted packets leave with (the whole mark), e.g. to tell later rules they were judged. */
  readonly acceptMark?: number;
  /** Packets the kernel may hold for us per queue. Default 4096. */
  readonly maxLength?: number;
  /** SO_RCVBUF to ask for. Default 8 MiB. */
  readonly bufferBytes?: number;
  readonly onError?: (error: Error) => void;
}

/** Counters since start. */
export interface QueueEnforcerStats {
  readonly received: number;
  readonly accepted: number;
  readonly dropped: number;
  readonly malformed: number;
  readonly overruns: number;
  readonly verdictBatches: number;
}

/** A running enforcer. */
export interface QueueEnforcer {
  stats(): QueueEnforcerStats;
  close(): Promise<void>;
}

/** The kernel refused a queue configuration request, or did not answer it. */
export class NfqueueConfigError extends PicketError {
  readonly queue: number;
  readonly errno: number;
  constructor(queue: number, what: string, errno: number, hint?: string) {
    super(
      'nfqueue-config',
      `nfqueue ${queue}: ${what} failed (errno ${errno})`,
      hint === undefined ? {} : { hint },
    );
    this.queue = queue;
    this.errno = errno;
  }
}

/** Binds the queues in this process's network namespace and starts judging. */
export async function createQueueEnforcer(options: QueueEnforcerOptions): Promise<QueueEnforcer> {
  // NETLINK_NO_ENOBUFS (see netlink-socket.ts): without it a receive-buffer
  // overflow aborts the process, and a fail-closed queue then blocks its flows.
  const socket = openNetlinkSocket(NETLINK_NETFILTER, options.bufferBytes ?? 8 * 1024 * 1024);
  const counters = { received: 0, accepted: 0, dropped: 0, malformed: 0, overruns: 0, verdictBatches: 0 };
  const waiting = new Map<number, (errno: number) => void>();
  const pending = new Map<number, { id: number; verdict: number }[]>();
  let flushScheduled = false;
  let nextSeq = 1;
  let closed = false;

  const flush = () => {
    flushScheduled = false;
    for (const [queue, decided] of pending) {
      if (decided.length === 0) continue;
      counters.verdictBatches++;
      socket.send(buildVerdictRuns(queue, decided, options.acceptMark), {}, (error) => {
        if (error !== undefined) options.onError?.(error);
      });
    }
    pending.clear();
  };

  const decide = (queue: number, id: number, verdict: number) => {
    let list = pending.get(queue);
    if (list === undefined) {
      list = [];
      pending.set(queue, list);
    }
    list.push({ id, verdict });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  socket.on('message', (message: Buffer) => {
    const datagram = parseNfqueueDatagram(message);
    for (const ack of datagram.acks) waiting.get(ack.requestSeq)?.(ack.errno);
    counters.malformed += datagram.malformed.length;
    if (closed) return;
    for (const packet of datagram.packets) {
      counters.received++;
      let verdict: 'accept' | 'drop';
      try {
        verdict = options.judge(packet);
      } catch (error) {
        // A judge bug must not wedge the queue: the packet is dropped and the flow retries.
        verdict = 'drop';
        options.onError?.(error as Error);
      }
      if (verdict === 'accept') counters.accepted++;
      else counters.dropped++;
      decide(packet.queue, packet.id, verdict === 'accept' ? NF_VERDICT.accept : NF_VERDICT.drop);
    }
  });
  socket.on('truncatedMessage', (message: Buffer) => {
    counters.malformed++;
    // Judging a packet we could not read whole would be guessing: it is dropped.
    const cut = truncatedPacketId(message);
    if (cut === undefined || closed) return;
    counters.received++;
    counters.dropped++;
    decide(cut.queue, cut.id, NF_VERDICT.drop);
  });
  socket.on('error', (error) => {
    if (error.code === 'ENOBUFS') counters.overruns++;
    else options.onError?.(error);
  });

  const request = (queue: number, what: string, build: (seq: number) => Uint8Array): Promise<void> => {
    const seq = nextSeq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(seq);
        reject(new NfqueueConfigError(queue, `${what} (no answer in ${ACK_TIMEOUT_MS} ms)`, 0));
      }, ACK_TIMEOUT_MS);
      waiting.set(seq, (errno) => {
        clearTimeout(timer);
        waiting.delete(seq);
        if (errno === 0) return resolve();
        const hint =
          errno === 1 ? 'another process is bound to this queue in this network namespace' : undefined;
        reject(new NfqueueConfigError(queue, what, errno, hint));
      });
      socket.send(build(seq), {}, (error) => {
        if (error === undefined) return;
        clearTimeout(timer);
        waiting.delete(seq);
        reject(new NfqueueConfigError(queue, `${what} (send: ${error.code})`, error.errno));
      });
    });
  };

  try {
    for (const queue of options.queues) {
      await request(queue, 'bind', (seq) => buildQueueCommand(seq, queue, NFQNL_CFG_CMD.bind));
      await request(queue, 'settings', (seq) =>
        buildQueueSettings(seq, queue, {
          copyRange: 0xffff,
          maxLength: options.maxLength ?? 4096,
          failOpen: options.failOpen ?? false,
        }),
      );
    }
  } catch (error) {
    closed = true;
    socket.close();
    throw error;
  }

  return {
    stats: (): QueueEnforcerStats => ({ ...counters }),
    close: async () => {
      if (closed) return;
      flush();
      closed = true;
      for (const queue of options.queues) {
        await request(queue, 'unbind', (seq) => buildQueueCommand(seq, queue, NFQNL_CFG_CMD.unbind)).catch(
          () => {},
        );
      }
      socket.close();
    },
  };
}
