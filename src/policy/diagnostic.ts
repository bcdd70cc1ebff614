// Diagnostics: policy problems as values, collected (never thrown) and rendered
// like a compiler: `file:line:col: error[code]: message`, the source line and a caret.
// Pure.

/** Where something sits in a source file; line and col are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'error' | 'warning';

/** One problem found in a policy (or node config), with where and what next. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable kebab-case code, e.g. `unknown-zone`; tools branch on this. */
  readonly code: string;
  readonly message: string;
  readonly location: SourceLocation;
  /** What to do next, e.g. `did you mean "cell1"?`. */
  readonly hint?: string;
}

/** Renders one diagnostic with the offending source line and a caret under the column. */
export function renderDiagnostic(d: Diagnostic, source?: string): string {
  const { file, line, col } = d.location;
  let out = `${file}:${line}:${col}: ${d.severity}[${d.code}]: ${d.message}`;
  const text = source?.split('\n')[line - 1];
  if (text !== undefined) {
    const gutter = String(line).padStart(4);
    out += `\n${gutter} | ${text.replace(/\r$/, '')}\n${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, col - 1))}^`;
  }
  if (d.hint) out += `\n     = hint: ${d.hint}`;
  return out;
}

/** True when any diagnostic is an error (warnings alone still load). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
