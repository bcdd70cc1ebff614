// In-memory intake for unit tests of the node and the detectors: the test
// pushes events (or builds them from a few fields) and the fake delivers
// them to onEvents synchronously, counting like a real intake. Pure.

import { summarize } from './decode-text.js';
import type { EventsHandler, Intake, IntakeStats } from './intake.js';
import type { PacketEvent } from './packet-event.js';

/** A fake intake the test drives by hand. */
export interface FakeIntake extends Intake {
  /** Delivers one batch to onEvents, now (unless closed). */
  push(events: readonly PacketEvent[]): void;
  /** Counts `count` events as lost by the kernel, as an overrun would. */
  overrun(count?: number): void;
  readonly closed: boolean;
}

/** Creates the fake; it has the signature of the real drivers' options. */
export function createFakeIntake(options: { readonly onEvents: EventsHandler }): FakeIntake {
  const counters = { received: 0, decoded: 0, malformed: 0, overruns: 0, lost: 0 };
  let closed = false;
  return {
    push(events) {
      if (closed) return;
      counters.received += events.length;
      counters.decoded += events.length;
      counters.malformed += events.filter((e) => e.malformed !== undefined).length;
      options.onEvents(events);
    },
    overrun(count = 1) {
      counters.overruns++;
      counters.lost += count;
    },
    stats: (): IntakeStats => ({ ...counters }),
    close: async () => {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

/** A PacketEvent from a few fields, with a consistent summary; handy for detector tests. */
export function fakeEvent(fields: Partial<PacketEvent> & Pick<PacketEvent, 'origin'>): PacketEvent {
  const e = { timeMs: 0, length: 60, ...fields };
  if (e.family === undefined && e.srcIp !== undefined) e.family = e.srcIp.includes(':') ? 6 : 4;
  return { ...e, summary: e.summary ?? summarize(e) };
}
