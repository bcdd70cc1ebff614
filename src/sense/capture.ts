// Sensor-mode intake: a live capture from a SPAN/TAP interface without a
// native pcap binding. tcpdump (which never transmits: sensor mode must emit
// nothing on the wire) writes a pcap stream to its stdout, the incremental
// reader cuts it into frames, the shared decoder makes them events.
// Interface → onEvents(PacketEvent[]). Shell.

import { spawn } from 'node:child_process';
import { PicketError } from '../cli/errors.js';
import { decodeLinkLayer } from './decode-frame.js';
import type { EventsHandler, Intake, IntakeStats } from './intake.js';
import type { PacketEvent } from './packet-event.js';
import { createPcapReader } from './pcap-reader.js';

/** What to capture. */
export interface CaptureOptions {
  readonly iface: string;
  readonly onEvents: EventsHandler;
  /** A pcap filter expression (`tcp port 502`, `not arp`…); everything when absent. */
  readonly filter?: string;
  /** The tcpdump binary. */
  readonly tcpdump?: string;
}

/** tcpdump could not start, or the stream it wrote was not a capture. */
export class CaptureError extends PicketError {
  readonly iface: string;
  constructor(iface: string, message: string, hint?: string) {
    super('capture', `capture on ${iface}: ${message}`, hint === undefined ? {} : { hint });
    this.iface = iface;
  }
}

const START_TIMEOUT_MS = 10_000;

/** Starts tcpdump on `iface`; resolves once it is capturing. */
export function createCaptureIntake(options: CaptureOptions): Promise<Intake> {
  const { iface, onEvents } = options;
  // -U: write each packet as it arrives; -s 262144: whole frames; -n: no DNS lookups from a sensor.
  // No --immediate-mode: it makes libpcap use a TPACKET_V2 ring of snaplen-sized slots (8 of them in
  // the default 2 MiB at this snaplen), which dropped bursts of 40 packets under load; TPACKET_V3
  // packs frames densely and delivers a block at least every second (tcpdump's 1000 ms timeout).
  // -B 16384: a 16 MiB ring absorbs bursts while the node is busy.
  const args = ['-i', iface, '-U', '-w', '-', '-s', '262144', '-n', '-B', '16384'];
  if (options.filter !== undefined) args.push(options.filter);
  const child = spawn(options.tcpdump ?? 'tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = createPcapReader();
  const counters = { received: 0, decoded: 0, malformed: 0, overruns: 0, lost: 0 };
  let closed = false;
  let stderr = '';

  child.stdout.on('data', (chunk: Buffer) => {
    if (closed) return;
    const frames = reader.push(chunk);
    const events: PacketEvent[] = [];
    for (const f of frames) {
      counters.received++;
      // Copy the payload out of the pipe chunk so a held event does not pin 64 KiB of stream.
      const decoded = decodeLinkLayer(f.linktype, f.data.slice(), {
        timeMs: f.timeMs,
        origin: 'capture',
        payload: true,
        wireLength: f.originalLength,
      });
      if (!decoded.ok) {
        counters.malformed++;
        continue;
      }
      if (decoded.event.malformed !== undefined) counters.malformed++;
      events.push(decoded.event);
    }
    counters.decoded += events.length;
    if (events.length > 0) onEvents(events);
  });

  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CaptureError(iface, `tcpdump did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      // tcpdump says "listening on <iface>, link-type …" once the capture is open.
      if (!started && stderr.includes('listening on')) {
        started = true;
        clearTimeout(timer);
        resolve(intake);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CaptureError(iface, error.message, 'install tcpdump (Debian: apt-get install tcpdump)'));
    });
    child.on('exit', (code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new CaptureError(iface, `tcpdump exited with ${code}: ${stderr.trim()}`));
    });

    const intake: Intake = {
      stats: (): IntakeStats => ({ ...counters }),
      close: () =>
        new Promise<void>((done) => {
          if (closed || child.exitCode !== null) {
            closed = true;
            return done();
          }
          closed = true;
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        }),
    };
  });
}
