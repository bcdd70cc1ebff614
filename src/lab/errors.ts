// Lab runtime errors: one class per failure mode of building, running or
// tearing down a lab plant, each with a stable code and a hint. Pure.

import { PicketError } from '../cli/errors.js';

/** One problem in a lab.yaml, located like a compiler message. */
export interface LabIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly code: string;
  readonly message: string;
}

/** Renders one issue as `file:line:col: error[code]: message`, plus the source line and a caret when given. */
export function renderLabIssue(issue: LabIssue, source?: string): string {
  const head = `${issue.file}:${issue.line}:${issue.col}: error[${issue.code}]: ${issue.message}`;
  const text = source?.split('\n')[issue.line - 1];
  if (text === undefined) return head;
  const gutter = String(issue.line).padStart(4);
  return `${head}\n${gutter} | ${text.replace(/\r$/, '')}\n${' '.repeat(gutter.length)} | ${' '.repeat(issue.col - 1)}^`;
}

/** A lab.yaml is invalid; `issues` holds every problem found. */
export class LabSpecError extends PicketError {
  readonly issues: readonly LabIssue[];
  constructor(issues: readonly LabIssue[], source?: string) {
    super('lab-spec', `invalid lab file:\n${issues.map((i) => renderLabIssue(i, source)).join('\n')}`, {
      hint: 'see examples/lab.yaml for the format',
    });
    this.issues = issues;
  }
}

/** A lab with this name is already up. */
export class LabExistsError extends PicketError {
  readonly labName: string;
  constructor(labName: string) {
    super('lab-exists', `lab "${labName}" is already up`, { hint: `run: picket lab down ${labName}` });
    this.labName = labName;
  }
}

/** No state file for a lab of this name (or none at all). */
export class LabNotFoundError extends PicketError {
  readonly labName: string;
  constructor(labName: string) {
    super('lab-not-found', `no lab named "${labName}" is up`, { hint: 'run: picket lab status' });
    this.labName = labName;
  }
}

/** A host, node or switch name that the lab does not have. */
export class UnknownLabHostError extends PicketError {
  readonly host: string;
  constructor(host: string, known: readonly string[]) {
    super('lab-unknown-host', `the lab has no host "${host}"`, { hint: `known: ${known.join(', ')}` });
    this.host = host;
  }
}

/** A command the lab ran (ip, sysctl, a service) failed. */
export class LabCommandError extends PicketError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(argv: readonly string[], exitCode: number | null, stderr: string, cause?: unknown) {
    super('lab-command', `\`${argv.join(' ')}\` failed (exit ${exitCode}): ${stderr.trim()}`, {
      hint: 'lab commands need root and iproute2',
      cause,
    });
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** A lab service did not become ready before its deadline. */
export class LabServiceTimeoutError extends PicketError {
  readonly service: string;
  readonly host: string;
  readonly timeoutMs: number;
  constructor(service: string, host: string, timeoutMs: number, detail: string) {
    super('lab-service-timeout', `${service} on ${host} not ready within ${timeoutMs} ms: ${detail}`, {
      hint: 'look at the service log under /run/picket/labs/<name>/',
    });
    this.service = service;
    this.host = host;
    this.timeoutMs = timeoutMs;
  }
}

/** A file the lab needs (compiled poller, PLC script) is missing. */
export class LabArtifactMissingError extends PicketError {
  readonly path: string;
  constructor(path: string, hint: string) {
    super('lab-artifact-missing', `missing ${path}`, { hint });
    this.path = path;
  }
}
