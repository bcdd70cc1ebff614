// Structured logs: one JSON object per line (time, level, msg, fields) to a
// writer, stderr by default, so journald and log shippers take them as is.
// Messages → lines. Shell (writes).

import type { LogLevel } from './config.js';

/** Logs at four levels; `fields` are merged into the line. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Creates a logger that drops lines below `level`; `now` and `write` are injectable for tests. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => number = Date.now,
): Logger {
  const at =
    (lineLevel: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (RANK[lineLevel] < RANK[level]) return;
      const line = { time: new Date(now()).toISOString(), level: lineLevel, msg, ...fields };
      write(`${JSON.stringify(line, errorsAsText)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return typeof value === 'bigint' ? String(value) : value;
}
