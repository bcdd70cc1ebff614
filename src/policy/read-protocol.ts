// A rule's `modbus:`, `s7:` or `dnp3:` → ProtocolConstraint: function names (or
// codes) resolved with "did you mean", address ranges parsed and ordered, at
// most one protocol per rule, and a warning when the rule's services do not
// carry TCP for the protocol to be judged on. Pure.

import {
  DNP3_DEFAULT_FUNCTIONS,
  DNP3_FUNCTIONS,
  MODBUS_FUNCTIONS,
  MODBUS_READ_FUNCTIONS,
  MODBUS_WRITE_FUNCTIONS,
  S7_DEFAULT_ALLOW,
} from './protocol-names.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { AddressSpan, ProtocolConstraint, Service } from './types.js';
import { entryOf, type LocatedValue, seqAt } from './yaml-source.js';

const KEYS = ['modbus', 's7', 'dnp3'] as const;

function functionCodes(
  label: string,
  seq: LocatedValue | undefined,
  table: ReadonlyMap<string, number>,
  report: Report,
): number[] | undefined {
  if (seq?.kind !== 'seq') return undefined;
  const out: number[] = [];
  for (const item of seq.items) {
    if (item.kind !== 'scalar') continue;
    const code = typeof item.value === 'number' ? item.value : table.get(String(item.value));
    if (code === undefined || !Number.isInteger(code) || code < 0 || code > 255) {
      report.error(
        'unknown-function',
        item.loc,
        `${label}: unknown function "${String(item.value)}"`,
        didYouMean(String(item.value), table.keys()) ??
          `use a name (${[...table.keys()].slice(0, 4).join(', ')}, …) or a code 0-255`,
      );
      continue;
    }
    if (!out.includes(code)) out.push(code);
  }
  return out.sort((a, b) => a - b);
}

function spans(
  label: string,
  key: string,
  seq: LocatedValue | undefined,
  report: Report,
): AddressSpan[] | undefined {
  if (seq?.kind !== 'seq') return undefined;
  const out: AddressSpan[] = [];
  for (const item of seq.items) {
    if (item.kind !== 'scalar') continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(item.value));
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from > 65535 || to > 65535 || to < from) {
      report.error(
        'invalid-address-range',
        item.loc,
        `${label}: ${key} "${String(item.value)}" is not an address 0-65535 or a range from-to`,
        'Modbus addresses are 0-based: holding register 40001 is 0, so "0-99" covers 40001-40100',
      );
      continue;
    }
    out.push({ from, to });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** Reads the rule's protocol constraint, if it has one; reports what is wrong with it. */
export function readProtocol(
  label: string,
  rule: LocatedValue,
  services: readonly Service[],
  report: Report,
): ProtocolConstraint | undefined {
  const present = KEYS.filter((k) => entryOf(rule, k) !== undefined);
  const key = present[0];
  const entry = key === undefined ? undefined : entryOf(rule, key);
  if (key === undefined || entry === undefined) return undefined;
  if (present.length > 1) {
    report.error(
      'several-protocols',
      entryOf(rule, present[1] ?? key)?.keyLoc ?? entry.keyLoc,
      `${label}: names ${present.join(' and ')}; a rule judges one protocol`,
      'write one rule per protocol',
    );
    return undefined;
  }
  if (!services.some((s) => s.ports.some((p) => p.transport === 'tcp'))) {
    report.warn(
      'protocol-without-tcp',
      entry.keyLoc,
      `${label}: ${key} is judged on TCP only, and the rule's services have no TCP port`,
      'add the protocol port (502, 102, 20000) over tcp to a service of this rule',
    );
  }
  const body = entry.value;
  const loc = entry.keyLoc;
  if (key === 's7') {
    const allow = seqAt(body, 'allow')?.items.flatMap((i) => (i.kind === 'scalar' ? [String(i.value)] : []));
    return { kind: 's7', allow: [...new Set(allow ?? S7_DEFAULT_ALLOW)].sort(), loc };
  }
  if (key === 'dnp3') {
    const given = functionCodes(`${label}: dnp3`, entryOf(body, 'functions')?.value, DNP3_FUNCTIONS, report);
    const functions = given ?? DNP3_DEFAULT_FUNCTIONS.map((n) => DNP3_FUNCTIONS.get(n) ?? 0);
    return { kind: 'dnp3', functions, loc };
  }
  const read = spans(`${label}: modbus`, 'read', entryOf(body, 'read')?.value, report);
  const write = spans(`${label}: modbus`, 'write', entryOf(body, 'write')?.value, report);
  const given = functionCodes(
    `${label}: modbus`,
    entryOf(body, 'functions')?.value,
    MODBUS_FUNCTIONS,
    report,
  );
  const defaults = write === undefined ? MODBUS_READ_FUNCTIONS : [...MODBUS_READ_FUNCTIONS, 5, 6, 15, 16, 23];
  const functions = given ?? [...defaults].sort((a, b) => a - b);
  if (write !== undefined && !functions.some((f) => MODBUS_WRITE_FUNCTIONS.has(f))) {
    report.warn(
      'write-without-function',
      entryOf(body, 'write')?.keyLoc ?? loc,
      `${label}: modbus write ranges are given but no write function is allowed`,
      'add write-single-register or write-multiple-registers to functions, or drop write',
    );
  }
  const units = seqAt(body, 'units')?.items.flatMap((i) =>
    i.kind === 'scalar' && typeof i.value === 'number' ? [i.value] : [],
  );
  return {
    kind: 'modbus',
    functions,
    ...(units === undefined ? {} : { units: [...new Set(units)].sort((a, b) => a - b) }),
    ...(read === undefined ? {} : { read }),
    ...(write === undefined ? {} : { write }),
    loc,
  };
}
