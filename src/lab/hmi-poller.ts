// The lab HMI: a Modbus/TCP client that reads holding registers (FC3) from a
// PLC at N Hz, by default over a NEW TCP connection per poll so every poll
// takes the ruleset's new-connection path. Options → JSON-lines stats in a
// file (ok/fail counts, longest gap between good polls, last error) and a final
// summary on stdout. Shell (an executable: node dist/lab/hmi-poller.js --help).

import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ModbusClient } from './modbus-client.js';

/** One line of the stats file: a running snapshot, or the summary at exit. */
export interface PollerStats {
  readonly type: 'stats' | 'summary';
  readonly target: string;
  readonly persistent: boolean;
  readonly elapsedMs: number;
  readonly ok: number;
  readonly fail: number;
  /** Longest time without a good poll: start → first ok, ok → ok, last ok → now. */
  readonly longestGapMs: number;
  /** Time since the last good poll (or since start). */
  readonly currentGapMs: number;
  readonly lastError: string | null;
  readonly lastRegisters: readonly number[] | null;
}

const USAGE = `usage: hmi-poller --target <ip> [--port 502] [--hz 5] [--duration-s 0 (until SIGTERM)]
  [--timeout-ms 500] [--persistent] [--stats <file.jsonl>] [--report-ms 250]
  [--unit 1] [--address 0] [--count 10] [--until-ok]`;

function options(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      target: { type: 'string' },
      port: { type: 'string', default: '502' },
      hz: { type: 'string', default: '5' },
      'duration-s': { type: 'string', default: '0' },
      'timeout-ms': { type: 'string', default: '500' },
      persistent: { type: 'boolean', default: false },
      stats: { type: 'string' },
      'report-ms': { type: 'string', default: '250' },
      unit: { type: 'string', default: '1' },
      address: { type: 'string', default: '0' },
      count: { type: 'string', default: '10' },
      'until-ok': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const n = (s: string, name: string) => {
    const v = Number(s);
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
    return v;
  };
  if (values.help || !values.target) throw new Error(USAGE);
  return {
    target: values.target,
    port: n(values.port, 'port'),
    intervalMs: 1000 / Math.max(n(values.hz, 'hz'), 0.001),
    durationMs: n(values['duration-s'], 'duration-s') * 1000,
    timeoutMs: n(values['timeout-ms'], 'timeout-ms'),
    persistent: values.persistent,
    stats: values.stats,
    reportMs: n(values['report-ms'], 'report-ms'),
    request: {
      unitId: n(values.unit, 'unit'),
      address: n(values.address, 'address'),
      quantity: n(values.count, 'count'),
    },
    untilOk: values['until-ok'],
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const opts = options(argv);
  const client = new ModbusClient(opts.target, opts.port, opts.persistent, opts.request);
  const start = performance.now();
  let ok = 0;
  let fail = 0;
  let lastOkAt = start;
  let longestGapMs = 0;
  let lastError: string | null = null;
  let lastRegisters: readonly number[] | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);

  const snapshot = (type: PollerStats['type']): PollerStats => {
    const now = performance.now();
    const currentGapMs = Math.round(now - lastOkAt);
    return {
      type,
      target: opts.target.includes(':') ? `[${opts.target}]:${opts.port}` : `${opts.target}:${opts.port}`,
      persistent: opts.persistent,
      elapsedMs: Math.round(now - start),
      ok,
      fail,
      longestGapMs: Math.max(Math.round(longestGapMs), currentGapMs),
      currentGapMs,
      lastError,
      lastRegisters,
    };
  };
  const report = (type: PollerStats['type']) => {
    if (opts.stats) appendFileSync(opts.stats, `${JSON.stringify(snapshot(type))}\n`);
  };
  if (opts.stats) writeFileSync(opts.stats, '');
  const reporter = opts.reportMs > 0 ? setInterval(() => report('stats'), opts.reportMs) : null;

  let next = start;
  while (!stopping && (opts.durationMs === 0 || performance.now() - start < opts.durationMs)) {
    const result = await client.poll(opts.timeoutMs);
    const now = performance.now();
    if (result.ok) {
      ok++;
      longestGapMs = Math.max(longestGapMs, now - lastOkAt);
      lastOkAt = now;
      lastRegisters = result.registers;
      if (opts.untilOk) break;
    } else {
      fail++;
      lastError = result.error;
    }
    // Fixed-rate schedule; a slow poll (timeout) delays the next one instead of piling up.
    next = Math.max(next + opts.intervalMs, now);
    if (!stopping)
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, next - performance.now());
      });
  }
  if (reporter) clearInterval(reporter);
  client.close();
  report('summary');
  process.stdout.write(`${JSON.stringify(snapshot('summary'))}\n`);
  return opts.untilOk && ok === 0 ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`hmi-poller: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
