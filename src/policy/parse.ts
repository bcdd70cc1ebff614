// policy.yaml text → Policy + every Diagnostic, each citing file:line:col. The
// stages: YAML syntax, structure (against the shape table), each section's
// values, then cross-references and rules that could never match. All problems
// are collected; the Policy is returned only when there is no error. Pure.

import { checkRulesCanMatch } from './check-rules.js';
import { checkShape } from './check-shape.js';
import { type Diagnostic, hasErrors } from './diagnostic.js';
import { checkAmbiguousNames, collectNames } from './names.js';
import { policyShape } from './policy-shape.js';
import { readAssets } from './read-assets.js';
import { readDecoys } from './read-decoys.js';
import { readEnforcement } from './read-enforcement.js';
import { readGroups } from './read-groups.js';
import { readPortal } from './read-portal.js';
import { readRules } from './read-rules.js';
import { readSchedules } from './read-schedules.js';
import { readServices } from './read-services.js';
import { readZones } from './read-zones.js';
import { createReport, sortDiagnostics } from './report.js';
import type { Policy } from './types.js';
import { entryOf, readYaml, stringAt } from './yaml-source.js';

/** The outcome of parsing: the Policy when there are no errors, and every diagnostic (sorted by position). */
export interface ParseResult {
  readonly policy?: Policy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses and validates policy text; `file` is used in every diagnostic location. */
export function parsePolicy(source: string, file: string): ParseResult {
  const yaml = readYaml(source, file);
  const { root } = yaml;
  if (!root) return { diagnostics: sortDiagnostics(yaml.diagnostics) };
  const report = createReport();
  if (root.kind !== 'map') {
    const empty = root.kind === 'scalar' && root.value === null;
    report.error(
      'wrong-type',
      root.loc,
      empty ? 'the policy is empty' : 'the policy must be a mapping of keys',
    );
    return { diagnostics: sortDiagnostics([...yaml.diagnostics, ...report.diagnostics]) };
  }
  checkShape(root, policyShape, 'policy', report, { file, line: 1, col: 1 });
  const version = entryOf(root, 'version')?.value;
  if (version?.kind === 'scalar' && typeof version.value === 'number' && version.value !== 1) {
    report.error(
      'unsupported-version',
      version.loc,
      `policy version ${version.value} is not supported`,
      'this Picket reads version: 1',
    );
  }

  const site = entryOf(root, 'site')?.value;
  if (site?.kind === 'scalar' && typeof site.value === 'string' && site.value.trim() === '') {
    report.error('invalid-value', site.loc, 'site must not be empty', 'name the plant, e.g. riverside-water');
  }

  const names = collectNames(root);
  checkAmbiguousNames(names, report);
  const readZoneList = readZones(entryOf(root, 'zones')?.value, report);
  const zones = readZoneList.map((z) => z.zone);
  const assets = readAssets(entryOf(root, 'assets')?.value, names, readZoneList, report);
  const groups = readGroups(entryOf(root, 'groups')?.value, names, assets, report);
  const services = readServices(entryOf(root, 'services')?.value, report);
  const schedules = readSchedules(entryOf(root, 'schedules')?.value, report);
  const rules = readRules(entryOf(root, 'rules')?.value, names, services, report);
  const enforcementEntry = entryOf(root, 'enforcement');
  const enforcement = readEnforcement(
    enforcementEntry?.value,
    enforcementEntry?.keyLoc ?? { file, line: 1, col: 1 },
    names,
    report,
  );
  const unrecognizedNode = entryOf(enforcementEntry?.value, 'unrecognized')?.value;
  const portal = readPortal(
    entryOf(root, 'portal'),
    names,
    unrecognizedNode ? { value: enforcement.unrecognized, loc: unrecognizedNode.loc } : undefined,
    report,
  );
  checkRulesCanMatch({ zones, assets, groups, services, schedules }, rules, report);
  const decoys = readDecoys(entryOf(root, 'decoys'), readZoneList, assets, report);

  const diagnostics = sortDiagnostics([...yaml.diagnostics, ...report.diagnostics]);
  if (hasErrors(diagnostics)) return { diagnostics };
  const policy: Policy = {
    version: 1,
    site: stringAt(root, 'site') ?? '',
    file,
    zones,
    assets,
    groups,
    services,
    schedules,
    rules,
    enforcement,
    ...(portal === undefined ? {} : { portal }),
    ...(decoys === undefined ? {} : { decoys }),
  };
  return { policy, diagnostics };
}
