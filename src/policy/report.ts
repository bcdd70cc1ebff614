// Collects diagnostics while a policy is read: every problem is kept, none is
// thrown, so the operator sees them all at once. Pure.

import type { Diagnostic, SourceLocation } from './diagnostic.js';

/** Appends errors and warnings to one list. */
export interface Report {
  readonly diagnostics: readonly Diagnostic[];
  error(code: string, location: SourceLocation, message: string, hint?: string): void;
  warn(code: string, location: SourceLocation, message: string, hint?: string): void;
}

/** Creates an empty report. */
export function createReport(): Report {
  const diagnostics: Diagnostic[] = [];
  const add = (
    severity: Diagnostic['severity'],
    code: string,
    location: SourceLocation,
    message: string,
    hint?: string,
  ) => {
    diagnostics.push(
      hint === undefined
        ? { severity, code, message, location }
        : { severity, code, message, location, hint },
    );
  };
  return {
    diagnostics,
    error: (code, location, message, hint) => add('error', code, location, message, hint),
    warn: (code, location, message, hint) => add('warning', code, location, message, hint),
  };
}

/** Orders diagnostics by position, so the output reads top to bottom like the file. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.location.line - b.location.line || a.location.col - b.location.col || a.code.localeCompare(b.code),
  );
}
