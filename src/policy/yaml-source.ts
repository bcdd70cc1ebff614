// YAML text → a small located tree (maps, lists, scalars, each with file:line:col)
// that the policy readers walk, plus diagnostics for YAML syntax errors. Aliases are
// resolved; duplicate keys are kept so the shape check can report them. Pure.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
} from 'yaml';
import type { Diagnostic, SourceLocation } from './diagnostic.js';

/** A scalar value and where it sits. */
export interface LocatedScalar {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  readonly loc: SourceLocation;
}

/** One `key: value` entry of a mapping. */
export interface LocatedEntry {
  readonly key: string;
  readonly keyLoc: SourceLocation;
  readonly value: LocatedValue;
}

/** A mapping, entries in source order (duplicates included). */
export interface LocatedMap {
  readonly kind: 'map';
  readonly entries: readonly LocatedEntry[];
  readonly loc: SourceLocation;
}

/** A list. */
export interface LocatedSeq {
  readonly kind: 'seq';
  readonly items: readonly LocatedValue[];
  readonly loc: SourceLocation;
}

/** Any located YAML value. */
export type LocatedValue = LocatedScalar | LocatedMap | LocatedSeq;

interface Reader {
  readonly file: string;
  readonly lines: LineCounter;
  readonly doc: Document.Parsed;
  readonly diagnostics: Diagnostic[];
  aliasDepth: number;
  aliasCount: number;
  aliasBombReported: boolean;
}

/** Aliases expanded per document: plenty for real policies, and a stop for an alias bomb. */
const MAX_ALIASES = 10_000;

function at(reader: Reader, offset: number): SourceLocation {
  const { line, col } = reader.lines.linePos(offset);
  return { file: reader.file, line, col };
}

function convert(reader: Reader, node: unknown, fallback: SourceLocation): LocatedValue {
  const range = (node as YamlNode | null)?.range;
  const loc = range ? at(reader, range[0]) : fallback;
  if (isAlias(node)) {
    // Each alias is expanded into a copy, so nested aliases multiply ("billion laughs"):
    // bound both the depth and the total.
    reader.aliasCount++;
    if (reader.aliasDepth > 32 || reader.aliasCount > MAX_ALIASES) {
      if (!reader.aliasBombReported) {
        reader.aliasBombReported = true;
        reader.diagnostics.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: 'too many aliases (*name); write the values out',
          location: loc,
        });
      }
      return { kind: 'scalar', value: null, loc };
    }
    reader.aliasDepth++;
    const target = convert(reader, node.resolve(reader.doc), loc);
    reader.aliasDepth--;
    return { ...target, loc } as LocatedValue;
  }
  if (isMap(node)) {
    const entries: LocatedEntry[] = [];
    for (const pair of node.items) {
      const keyRange = (pair.key as YamlNode | null)?.range;
      const keyLoc = keyRange ? at(reader, keyRange[0]) : loc;
      if (!isScalar(pair.key)) {
        reader.diagnostics.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: 'a key must be a plain name, not a list or mapping',
          location: keyLoc,
        });
        continue;
      }
      entries.push({ key: String(pair.key.value), keyLoc, value: convert(reader, pair.value, keyLoc) });
    }
    return { kind: 'map', entries, loc };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => convert(reader, item, loc)), loc };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
    return { kind: 'scalar', value, loc };
  }
  return { kind: 'scalar', value: null, loc };
}

/** Parses YAML text into a located tree; `root` is absent when the text is not YAML at all. */
export function readYaml(
  source: string,
  file: string,
): { readonly root?: LocatedValue; readonly diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const reader: Reader = {
    file,
    lines,
    doc,
    diagnostics: [],
    aliasDepth: 0,
    aliasCount: 0,
    aliasBombReported: false,
  };
  for (const error of doc.errors) {
    reader.diagnostics.push({
      severity: 'error',
      code: 'yaml-syntax',
      message: error.message.split('\n')[0] ?? error.message,
      location: at(reader, error.pos[0]),
    });
  }
  for (const warning of doc.warnings) {
    reader.diagnostics.push({
      severity: 'warning',
      code: 'yaml-warning',
      message: warning.message.split('\n')[0] ?? warning.message,
      location: at(reader, warning.pos[0]),
    });
  }
  if (doc.errors.length > 0) return { diagnostics: reader.diagnostics };
  const root = convert(reader, doc.contents, { file, line: 1, col: 1 });
  return { root, diagnostics: reader.diagnostics };
}

/** The first entry with this key in a mapping. */
export function entryOf(map: LocatedValue | undefined, key: string): LocatedEntry | undefined {
  return map?.kind === 'map' ? map.entries.find((e) => e.key === key) : undefined;
}

/** The value of the first entry with this key, if the value is a mapping. */
export function mapAt(map: LocatedValue | undefined, key: string): LocatedMap | undefined {
  const value = entryOf(map, key)?.value;
  return value?.kind === 'map' ? value : undefined;
}

/** The value of the first entry with this key, if it is a list. */
export function seqAt(map: LocatedValue | undefined, key: string): LocatedSeq | undefined {
  const value = entryOf(map, key)?.value;
  return value?.kind === 'seq' ? value : undefined;
}

/** The scalar value of the first entry with this key, if it is a string. */
export function stringAt(map: LocatedValue | undefined, key: string): string | undefined {
  const value = entryOf(map, key)?.value;
  return value?.kind === 'scalar' && typeof value.value === 'string' ? value.value : undefined;
}

/** The entries of a mapping with their first occurrence only (duplicates are reported elsewhere). */
export function uniqueEntries(map: LocatedValue | undefined): readonly LocatedEntry[] {
  if (map?.kind !== 'map') return [];
  const seen = new Set<string>();
  return map.entries.filter((e) => {
    if (seen.has(e.key)) return false;
    seen.add(e.key);
    return true;
  });
}

/** Items of a list that are strings, with their locations. */
export function stringItems(seq: LocatedSeq | undefined): readonly { value: string; loc: SourceLocation }[] {
  if (!seq) return [];
  return seq.items.flatMap((item) =>
    item.kind === 'scalar' && typeof item.value === 'string' ? [{ value: item.value, loc: item.loc }] : [],
  );
}
