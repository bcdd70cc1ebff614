// Runtime errors: one class per failure mode, each with a stable code, the
// offending values as fields and a `cause`. Code branches on class or code,
// never on message text. Pure.

/** Base of every Picket runtime error. `hint` says what to do next. */
export class PicketError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(code: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

/** The command line was wrong: exit 2. */
export class UsageError extends PicketError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint === undefined ? undefined : { hint });
  }
}

/** Maps an error to a process exit code: 2 usage, 1 anything else. */
export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/** Renders an error for a person: `picket: error[code]: message`, its hint and cause. */
export function formatError(error: unknown): string {
  if (error instanceof PicketError) {
    let out = `picket: error[${error.code}]: ${error.message}`;
    if (error.hint) out += `\n  hint: ${error.hint}`;
    if (error.cause instanceof Error) out += `\n  cause: ${error.cause.message}`;
    return out;
  }
  if (error instanceof Error) return `picket: internal error: ${error.stack ?? error.message}`;
  return `picket: internal error: ${String(error)}`;
}
