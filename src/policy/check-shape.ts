// The structural check: walks the located YAML tree against the shape table and
// reports unknown keys (with "did you mean"), wrong types, missing keys, empty
// lists, values outside a fixed set, bad names and duplicate keys. Value formats
// (addresses, times…) are the readers' business. Pure.

import type { SourceLocation } from './diagnostic.js';
import type { Report } from './report.js';
import { NAME_PATTERN, type NamedMapShape, type ObjectShape, type Shape } from './shape.js';
import { closest, didYouMean } from './suggest.js';
import type { LocatedMap, LocatedValue } from './yaml-source.js';

const namePattern = new RegExp(NAME_PATTERN);

function describeValue(value: LocatedValue): string {
  if (value.kind === 'map') return 'a mapping';
  if (value.kind === 'seq') return 'a list';
  if (value.value === null) return 'empty';
  if (typeof value.value === 'string') return `the string ${JSON.stringify(value.value)}`;
  return `${typeof value.value === 'number' ? 'the number' : ''} ${String(value.value)}`.trim();
}

function expected(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'named-map':
      return 'a mapping';
    case 'union':
      return shape.anyOf.map(expected).join(' or ');
  }
}

function fits(shape: Shape, value: LocatedValue): boolean {
  switch (shape.kind) {
    case 'string':
      return value.kind === 'scalar' && typeof value.value === 'string';
    case 'integer':
      return value.kind === 'scalar' && Number.isInteger(value.value);
    case 'boolean':
      return value.kind === 'scalar' && typeof value.value === 'boolean';
    case 'array':
      return value.kind === 'seq';
    case 'object':
    case 'named-map':
      return value.kind === 'map';
    case 'union':
      return shape.anyOf.some((s) => fits(s, value));
  }
}

/**
 * Checks a value against a shape; `label` names the thing in messages (`asset "plc-a1": ip`)
 * and `owner` is where its key sits, which is where a missing key is reported.
 */
export function checkShape(
  value: LocatedValue,
  shape: Shape,
  label: string,
  report: Report,
  owner: SourceLocation = value.loc,
): void {
  if (!fits(shape, value)) {
    // An empty value (`hmi-a:`) has no text of its own; its key is where to look.
    const loc = value.kind === 'scalar' && value.value === null ? owner : value.loc;
    report.error('wrong-type', loc, `${label} must be ${expected(shape)}, not ${describeValue(value)}`);
    return;
  }
  switch (shape.kind) {
    case 'string':
      if (shape.enum && value.kind === 'scalar' && !shape.enum.includes(String(value.value))) {
        const hint = didYouMean(String(value.value), shape.enum) ?? `one of: ${shape.enum.join(', ')}`;
        report.error(
          'invalid-value',
          value.loc,
          `${label}: ${JSON.stringify(value.value)} is not allowed`,
          hint,
        );
      }
      return;
    case 'array':
      if (value.kind !== 'seq') return;
      if (shape.minItems !== undefined && value.items.length < shape.minItems) {
        report.error('empty-list', value.loc, `${label} must list at least ${shape.minItems}`);
      }
      value.items.forEach((item, i) => {
        checkShape(item, shape.items, itemLabel(shape.items, item, label, i), report);
      });
      return;
    case 'object':
      if (value.kind === 'map') checkObject(value, shape, label, report, owner);
      return;
    case 'named-map':
      if (value.kind === 'map') checkNamedMap(value, shape, report);
      return;
    default:
      return;
  }
}

function itemLabel(items: Shape, item: LocatedValue, listLabel: string, index: number): string {
  if (items.kind === 'object' && items.labelKey && item.kind === 'map') {
    const named = item.entries.find((e) => e.key === items.labelKey)?.value;
    if (named?.kind === 'scalar' && typeof named.value === 'string') return `${items.what} "${named.value}"`;
    return `${items.what} #${index + 1}`;
  }
  return `${listLabel}[${index + 1}]`;
}

function checkObject(
  map: LocatedMap,
  shape: ObjectShape,
  label: string,
  report: Report,
  owner: SourceLocation,
): void {
  const allowed = Object.keys(shape.properties);
  const seen = new Map<string, number>();
  // A misspelt key is reported once, as unknown, not again as the missing key it meant.
  const meant = new Set<string>();
  for (const entry of map.entries) {
    const child = shape.properties[entry.key];
    if (!Object.hasOwn(shape.properties, entry.key) || child === undefined) {
      const match = closest(entry.key, allowed);
      if (match !== undefined) meant.add(match);
      report.error(
        'unknown-key',
        entry.keyLoc,
        `${label}: unknown key "${entry.key}"`,
        match === undefined ? `allowed keys: ${allowed.join(', ')}` : `did you mean "${match}"?`,
      );
      continue;
    }
    const firstLine = seen.get(entry.key);
    if (firstLine !== undefined) {
      report.error(
        'duplicate-key',
        entry.keyLoc,
        `${label}: "${entry.key}" is given twice (first on line ${firstLine})`,
      );
      continue;
    }
    seen.set(entry.key, entry.keyLoc.line);
    const childLabel = shape.what === 'policy' ? entry.key : `${label}: ${entry.key}`;
    checkShape(entry.value, child, childLabel, report, entry.keyLoc);
  }
  const subject = shape.what === 'policy' ? 'the policy' : label;
  for (const key of shape.required ?? []) {
    if (!seen.has(key) && !meant.has(key))
      report.error('missing-key', owner, `${subject} is missing required key "${key}"`);
  }
  const anyOf = shape.requireAnyOf;
  if (anyOf && !anyOf.keys.some((k) => seen.has(k) || meant.has(k))) {
    report.error(anyOf.code, owner, `${subject} needs at least one of: ${anyOf.keys.join(', ')}`);
  }
}

function checkNamedMap(map: LocatedMap, shape: NamedMapShape, report: Report): void {
  const { what, values } = shape;
  const keyPattern = shape.keyPattern === undefined ? namePattern : new RegExp(shape.keyPattern);
  const seen = new Map<string, number>();
  for (const entry of map.entries) {
    const firstLine = seen.get(entry.key);
    if (firstLine !== undefined) {
      report.error(
        'duplicate-name',
        entry.keyLoc,
        `${what} "${entry.key}" is defined twice (first on line ${firstLine})`,
      );
      continue;
    }
    seen.set(entry.key, entry.keyLoc.line);
    if (!keyPattern.test(entry.key)) {
      report.error(
        'invalid-name',
        entry.keyLoc,
        `${what} name "${entry.key}" is not allowed`,
        'names are 1-63 letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    checkShape(entry.value, values, `${what} "${entry.key}"`, report, entry.keyLoc);
  }
}
