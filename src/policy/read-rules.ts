// Rules section → Rule[]: unique names, and from/to/services/when resolved
// against the declared names, with "did you mean" for every unknown one. Pure.

import type { SourceLocation } from './diagnostic.js';
import { type DeclaredNames, findEndpoint, suggestEndpoint } from './names.js';
import { readProtocol } from './read-protocol.js';
import type { Report } from './report.js';
import { didYouMean } from './suggest.js';
import type { Endpoint, Rule, Service } from './types.js';
import { entryOf, type LocatedValue, seqAt, stringAt, stringItems } from './yaml-source.js';

function endpoint(
  label: string,
  rule: LocatedValue,
  key: 'from' | 'to',
  names: DeclaredNames,
  report: Report,
): Endpoint | undefined {
  const name = stringAt(rule, key);
  if (name === undefined) return undefined;
  const found = findEndpoint(names, name);
  if (!found) {
    report.error(
      'unknown-endpoint',
      entryOf(rule, key)?.value.loc ?? rule.loc,
      `${label}: ${key} "${name}" is no asset, group or zone`,
      suggestEndpoint(names, name),
    );
  }
  return found;
}

function services(
  label: string,
  rule: LocatedValue,
  names: DeclaredNames,
  report: Report,
): string[] | undefined {
  const out: string[] = [];
  let ok = seqAt(rule, 'services') !== undefined;
  for (const { value: name, loc } of stringItems(seqAt(rule, 'services'))) {
    if (!names.services.has(name)) {
      report.error(
        'unknown-service',
        loc,
        `${label}: unknown service "${name}"`,
        didYouMean(name, names.services.keys()),
      );
      ok = false;
    } else if (out.includes(name)) {
      report.warn('duplicate-entry', loc, `${label}: service "${name}" is listed twice`);
    } else out.push(name);
  }
  return ok && out.length > 0 ? out : undefined;
}

/** Reads every rule; a rule with an unresolved reference is reported and left out. */
export function readRules(
  section: LocatedValue | undefined,
  names: DeclaredNames,
  declaredServices: readonly Service[],
  report: Report,
): Rule[] {
  const rules: Rule[] = [];
  const seen = new Map<string, SourceLocation>();
  const items = section?.kind === 'seq' ? section.items : [];
  items.forEach((item, index) => {
    if (item.kind !== 'map') return;
    const name = stringAt(item, 'name');
    const label = name === undefined ? `rule #${index + 1}` : `rule "${name}"`;
    if (name !== undefined) {
      const first = seen.get(name);
      const nameLoc = entryOf(item, 'name')?.value.loc ?? item.loc;
      if (first) {
        report.error(
          'duplicate-name',
          nameLoc,
          `rule "${name}" is defined twice (first on line ${first.line})`,
          'rule names appear in the kernel ruleset and logs, so each must be unique',
        );
      } else seen.set(name, nameLoc);
    }
    const from = endpoint(label, item, 'from', names, report);
    const to = endpoint(label, item, 'to', names, report);
    const allowed = services(label, item, names, report);
    const ruleServices = declaredServices.filter((s) => allowed?.includes(s.name));
    const protocol = readProtocol(label, item, ruleServices, report);
    const when = stringAt(item, 'when');
    if (when !== undefined && !names.schedules.has(when)) {
      report.error(
        'unknown-schedule',
        entryOf(item, 'when')?.value.loc ?? item.loc,
        `${label}: unknown schedule "${when}"`,
        didYouMean(when, names.schedules.keys()),
      );
      return;
    }
    if (name === undefined || !from || !to || !allowed) return;
    rules.push({
      name,
      from,
      to,
      services: allowed,
      ...(protocol === undefined ? {} : { protocol }),
      ...(when === undefined ? {} : { when }),
      loc: item.loc,
    });
  });
  return rules;
}
