// A progress line for long work on stderr: redrawn in place on a terminal at
// most 10 times a second, and on a pipe or log one plain line every 5 seconds,
// so a 10 GB capture shows it is moving either way. Shell.

export interface Progress {
  /** Reports `done` of `total` units (bytes), with a short note such as "1.2M packets". */
  update(done: number, total: number, note: string): void;
  /** Clears the line on a terminal; prints nothing else. */
  finish(): void;
}

const WIDTH = 24;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** A progress reporter labelled `label`; `quiet` turns it off. */
export function createProgress(label: string, options: { quiet?: boolean } = {}): Progress {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  const everyMs = tty ? 100 : 5_000;
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, note) {
      if (options.quiet) return;
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const rate = done / Math.max(0.001, (now - started) / 1000);
      const text = `${label} ${(fraction * 100).toFixed(0).padStart(3)}% ${megabytes(done)}/${megabytes(total)} ${note} ${megabytes(rate)}/s`;
      if (tty) {
        const filled = Math.round(fraction * WIDTH);
        stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${text}\x1b[K`);
        drawn = true;
      } else {
        stream.write(`${text}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
