// Entry of the decoy server process, run inside the decoy network namespace
// (`ip netns exec <ns> node dist/deceive/server-main.js`): JSON lines in on
// stdin (the desired decoy set), JSON lines out on stdout (ready, touch,
// error). Exits when stdin closes or on SIGTERM. Shell.

import { createInterface } from 'node:readline';
import { createDecoyServer, type ServerEvent } from './server.js';
import { parseDecoySet } from './server-input.js';

/** Longest accepted input line; a longer one is an error, not a crash. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

function emit(event: ServerEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const server = createDecoyServer({ emit });
let closing = false;

async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close().catch(() => {});
  process.exit(code);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  if (line.length > MAX_LINE_CHARS) {
    emit({ type: 'error', message: `input line of ${line.length} characters exceeds ${MAX_LINE_CHARS}` });
    return;
  }
  const set = parseDecoySet(line);
  if (typeof set === 'string') {
    emit({ type: 'error', message: `${set} (the line was ignored; the previous set is still served)` });
    return;
  }
  server.apply(set).catch((e: Error) => emit({ type: 'error', message: e.message }));
});
lines.on('close', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
