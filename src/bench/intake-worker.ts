// A process that holds Picket's NFLOG intake inside a network namespace (a
// netlink socket belongs to the namespace of the process that opens it).
// Started as `ip netns exec <ns> node intake-worker.js <group> [--events] [--buffer-bytes N]`.
// Stdout, one JSON object per line: `{"ready":true}` once bound, then with
// --events every decoded event; on stdin "mark" → forget the first event's
// time, "stats" → the counters, the monotonic times of the first event since
// the mark and of the last one, and the CPU time used; "close" → exits. Shell.

import { createInterface } from 'node:readline';
import { createNflogIntake } from '../sense/nflog.js';
import type { PacketEvent } from '../sense/packet-event.js';

/** What the worker reports on "stats". */
export interface WorkerStats {
  readonly received: number;
  readonly decoded: number;
  readonly malformed: number;
  readonly overruns: number;
  readonly lost: number;
  readonly firstEventMs: number;
  readonly lastEventMs: number;
  /** CPU time of this process (user + system) since it started. */
  readonly cpuMs: number;
}

function write(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function plain(e: PacketEvent): Omit<PacketEvent, 'payload'> & { payloadBytes?: number } {
  const { payload, ...rest } = e;
  return payload === undefined ? rest : { ...rest, payloadBytes: payload.length };
}

async function main(): Promise<void> {
  const group = Number(process.argv[2]);
  const printEvents = process.argv.includes('--events');
  const bufferAt = process.argv.indexOf('--buffer-bytes');
  let firstEventMs = 0;
  let lastEventMs = 0;
  const intake = await createNflogIntake({
    group,
    ...(bufferAt < 0 ? {} : { bufferBytes: Number(process.argv[bufferAt + 1]) }),
    onEvents: (events) => {
      lastEventMs = performance.now();
      if (firstEventMs === 0) firstEventMs = lastEventMs;
      if (printEvents) for (const e of events) write({ event: plain(e) });
    },
    onError: (error) => process.stderr.write(`intake-worker: ${error.message}\n`),
  });
  write({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'mark') firstEventMs = 0;
    if (line === 'stats') {
      const cpu = process.cpuUsage();
      const stats: WorkerStats = {
        ...intake.stats(),
        firstEventMs,
        lastEventMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      write({ stats });
    }
    if (line === 'close') break;
  }
  await intake.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`intake-worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
