// Writes a Proposal as policy.yaml text that `picket check` accepts, with
// comments carrying the provenance: a header (what it was learned from, how to
// use it), the vendor and reason of each asset's role, first and last seen,
// packets and flows above each rule, `# unsure:` wherever the proposal rests
// on little data or on port numbers alone, `# suggestion:` on learned
// schedules, monitor mode with the reason, and a trailing block of the
// reconnaissance that was left out. Proposal → YAML text. Pure.

import { DNP3_FUNCTIONS, MODBUS_FUNCTIONS } from '../policy/protocol-names.js';
import type { Proposal, ProposedConstraint, ProposedRule } from './proposal.js';
import { spanText } from './spans.js';

const MODBUS_NAME = new Map([...MODBUS_FUNCTIONS].map(([name, code]) => [code, name]));
const DNP3_NAME = new Map([...DNP3_FUNCTIONS].map(([name, code]) => [code, name]));

/** A YAML scalar: plain when it is a simple name or an IPv4 address, else double-quoted. */
function scalar(text: string): string {
  const plain =
    (/^[A-Za-z][A-Za-z0-9_-]*$/.test(text) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(text)) ||
    /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(text);
  return plain ? text : JSON.stringify(text);
}

function list(items: readonly (string | number)[]): string {
  return `[${items.map((i) => (typeof i === 'number' ? String(i) : scalar(i))).join(', ')}]`;
}

function comment(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function when(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '?';
}

function constraintLine(c: ProposedConstraint): string {
  if (c.kind === 's7') return `s7: { allow: ${list(c.allow)} }`;
  if (c.kind === 'dnp3') return `dnp3: { functions: ${list(c.functions.map((f) => DNP3_NAME.get(f) ?? f))} }`;
  const parts = [`functions: ${list(c.functions.map((f) => MODBUS_NAME.get(f) ?? f))}`];
  if (c.units.length > 0) parts.push(`units: ${list(c.units)}`);
  if (c.read !== undefined) parts.push(`read: ${list(c.read.map(spanText))}`);
  if (c.write !== undefined) parts.push(`write: ${list(c.write.map(spanText))}`);
  return `modbus: { ${parts.join(', ')} }`;
}

function ruleLines(r: ProposedRule): string[] {
  const out = [
    `  # ${when(r.firstMs)} – ${when(r.lastMs)}: ${r.packets} packets, ${r.flows} flow${r.flows === 1 ? '' : 's'}, ${r.pairs} pair${r.pairs === 1 ? '' : 's'}`,
  ];
  for (const u of r.unsure) out.push(`  # unsure: ${comment(u)}`);
  out.push(
    `  - name: ${r.name}`,
    `    from: ${r.from}`,
    `    to: ${r.to}`,
    `    services: ${list(r.services)}`,
  );
  if (r.protocol !== undefined) out.push(`    ${constraintLine(r.protocol)}`);
  if (r.when !== undefined) {
    out.push(
      `    when: ${r.when}  # suggestion: ${comment(r.whenWhy ?? '')}; remove when: to allow it at any time`,
    );
  }
  return out;
}

/** The policy text of a proposal. */
export function emitPolicy(p: Proposal): string {
  const out: string[] = [];
  const from = p.sources.length > 0 ? p.sources.join(', ') : 'captured traffic';
  out.push(
    `# Proposed by \`picket learn\` from ${comment(from)}`,
    `# ${p.stats.frames} frames, ${when(p.stats.firstMs)} – ${when(p.stats.lastMs)}: ${p.assets.length} assets, ${p.rules.length} rules.`,
    '# Nothing here is broader than the traffic seen (unless learned with --generalize).',
    '# Review it, `picket check` it, `picket simulate` it against other captures, and apply it',
    '# in monitor mode first. `# unsure:` marks what rests on little data or on ports alone.',
  );
  if (p.registryNote !== undefined) out.push(`# Vendors: ${comment(p.registryNote)}.`);
  out.push('version: 1', `site: ${scalar(p.site)}`, '');

  out.push(p.zones.length === 0 ? 'zones: {}' : 'zones:');
  for (const z of p.zones) out.push(`  ${z.name}: { networks: ${list(z.networks)} }  # ${comment(z.why)}`);
  out.push('', p.assets.length === 0 ? 'assets: {}' : 'assets:');
  for (const a of p.assets) {
    const fields = [`ip: ${scalar(a.ip)}`];
    if (a.mac !== undefined) fields.push(`mac: "${a.mac}"`);
    fields.push(`zone: ${a.zone}`, `role: ${scalar(a.role)}`);
    const note = [a.vendor, a.why].filter((x) => x !== undefined).join('; ');
    for (const u of a.unsure) out.push(`  # unsure: ${comment(u)}`);
    out.push(`  ${a.name}: { ${fields.join(', ')} }  # ${comment(note)}`);
  }
  if (p.groups.length > 0) {
    out.push('', 'groups:');
    for (const g of p.groups) out.push(`  ${g.name}: { assets: ${list(g.assets)} }  # ${comment(g.why)}`);
  }
  if (p.services.length > 0) {
    out.push('', 'services:');
    for (const s of p.services) {
      const byTransport = (t: 'tcp' | 'udp') =>
        s.ports.filter((x) => x.transport === t).map((x) => (x.from === x.to ? x.from : `${x.from}-${x.to}`));
      const fields: string[] = [];
      for (const t of ['tcp', 'udp'] as const)
        if (byTransport(t).length > 0) fields.push(`${t}: ${list(byTransport(t))}`);
      if (s.protocol !== undefined) fields.push(`protocol: ${scalar(s.protocol)}`);
      out.push(`  ${s.name}: { ${fields.join(', ')} }`);
    }
  }
  if (p.schedules.length > 0) {
    out.push('', 'schedules:');
    for (const s of p.schedules) {
      out.push(
        `  ${s.name}: { days: ${list(s.days)}, from: "${s.from}", to: "${s.to}", timezone: ${s.timezone} }  # suggestion: ${comment(s.why)}`,
      );
    }
  }
  out.push('', p.rules.length === 0 ? 'rules: []' : 'rules:');
  for (const r of p.rules) out.push(...ruleLines(r));

  const never = p.controllers.slice(0, 8);
  out.push(
    '',
    'enforcement:',
    '  # Learned policies start in monitor mode: nothing is blocked, what would be is logged.',
    '  # Switch to enforce once `picket detections` stays quiet for normal production.',
    '  mode: monitor',
    '  unrecognized: block',
    '  out-of-profile: quarantine',
    '  quarantine:',
    '    duration: 1h',
    never.length > 0
      ? `    # never: list the controllers that must never be cut off, e.g. ${list(never)}${p.controllers.length > never.length ? ' …' : ''}`
      : '    # never: list the safety-critical assets that must never be cut off',
    '    never: []',
  );
  out.push(...trailer(p));
  return `${out.join('\n')}\n`;
}

function trailer(p: Proposal): string[] {
  const out: string[] = [];
  if (p.recon.length > 0) {
    out.push('', '# Reconnaissance seen and left out (its sources are not assets and have no rules):');
    for (const f of p.recon) {
      out.push(`#   ${f.source} ${f.kind}: ${comment(f.detail)} (${when(f.firstMs)} – ${when(f.lastMs)})`);
    }
  }
  if (p.unexpressed.length > 0) {
    out.push('', '# Traffic seen that no rule can express:');
    for (const u of p.unexpressed) out.push(`#   ${comment(u)}`);
  }
  if (p.warnings.length > 0) {
    out.push('', '# Warnings:');
    for (const w of p.warnings) out.push(`#   ${comment(w)}`);
  }
  return out;
}
