// The names a policy declares, by kind, with where each is declared — collected
// before anything is validated, so a reference to a declared-but-broken thing is
// not reported a second time as unknown. Also: asset, group and zone names share
// one namespace (a rule's from/to may name any of them). Pure.

import type { SourceLocation } from './diagnostic.js';
import type { Report } from './report.js';
import { closest } from './suggest.js';
import type { Endpoint } from './types.js';
import { entryOf, type LocatedValue, uniqueEntries } from './yaml-source.js';

/** Declared names of each kind, name → location of its key. */
export interface DeclaredNames {
  readonly zones: ReadonlyMap<string, SourceLocation>;
  readonly assets: ReadonlyMap<string, SourceLocation>;
  readonly groups: ReadonlyMap<string, SourceLocation>;
  readonly services: ReadonlyMap<string, SourceLocation>;
  readonly schedules: ReadonlyMap<string, SourceLocation>;
}

function declared(root: LocatedValue, section: string): ReadonlyMap<string, SourceLocation> {
  return new Map(uniqueEntries(entryOf(root, section)?.value).map((e) => [e.key, e.keyLoc]));
}

/** Collects the declared names of every section. */
export function collectNames(root: LocatedValue): DeclaredNames {
  return {
    zones: declared(root, 'zones'),
    assets: declared(root, 'assets'),
    groups: declared(root, 'groups'),
    services: declared(root, 'services'),
    schedules: declared(root, 'schedules'),
  };
}

const endpointKinds = ['asset', 'group', 'zone'] as const;

function byKind(names: DeclaredNames, kind: Endpoint['kind']): ReadonlyMap<string, SourceLocation> {
  return kind === 'asset' ? names.assets : kind === 'group' ? names.groups : names.zones;
}

/** What a from/to name refers to, or undefined when no asset, group or zone has it. */
export function findEndpoint(names: DeclaredNames, name: string): Endpoint | undefined {
  const kind = endpointKinds.find((k) => byKind(names, k).has(name));
  return kind === undefined ? undefined : { kind, name };
}

/** `did you mean asset "x"?` across assets, groups and zones. */
export function suggestEndpoint(names: DeclaredNames, name: string): string | undefined {
  const all = endpointKinds.flatMap((kind) => [...byKind(names, kind).keys()].map((n) => ({ kind, n })));
  const match = closest(
    name,
    all.map((x) => x.n),
  );
  const kind = all.find((x) => x.n === match)?.kind;
  return match === undefined ? undefined : `did you mean ${kind} "${match}"?`;
}

const article = (kind: string) => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;

/** Reports names used by more than one of asset, group and zone: a rule could not tell which is meant. */
export function checkAmbiguousNames(names: DeclaredNames, report: Report): void {
  const seen = new Map<string, { kind: string; loc: SourceLocation }>();
  const all = endpointKinds.flatMap((kind) =>
    [...byKind(names, kind)].map(([name, loc]) => ({ kind, name, loc })),
  );
  all.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
  for (const { kind, name, loc } of all) {
    const first = seen.get(name);
    if (!first) {
      seen.set(name, { kind, loc });
      continue;
    }
    report.error(
      'ambiguous-name',
      loc,
      `"${name}" is both ${article(first.kind)} (line ${first.loc.line}) and ${article(kind)}`,
      'assets, groups and zones share one namespace so rules can name any of them; rename one',
    );
  }
}
