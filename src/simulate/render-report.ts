// The simulation report for people: what the policy would do to the
// captures, per rule (packets and flows allowed, first packet), per source
// (allowed, blocked, quarantined at which packet, alerted, with the first
// packet of each), the protocol findings, then totals and the verdict line.
// SimulationReport (+ capture names) → text. Pure.

import type { SimulationReport, SourceReport } from './report.js';
import type { PacketRef } from './tally.js';

/** How many sources and findings the text shows (the JSON has them all). */
const SHOW_SOURCES = 40;
const SHOW_FINDINGS = 20;

function time(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : '-';
}

function at(ref: PacketRef, captures: readonly string[]): string {
  const file = captures.length > 1 ? `${captures[ref.capture] ?? '?'} ` : '';
  return `${file}#${ref.frame} ${time(ref.timeMs)} ${ref.summary}`.trimEnd();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sourceLines(s: SourceReport, captures: readonly string[]): string[] {
  const counts = [`${s.allowed} allowed`, `${s.dropped} blocked`];
  if (s.alerted > 0) counts.push(`${s.alerted} alerted`);
  if (s.wouldBlock > 0) counts.push(`${s.wouldBlock} would be blocked`);
  const out = [`  ${s.address}: ${counts.join(', ')}`];
  if (s.quarantinedAt !== undefined) out.push(`    quarantined at ${at(s.quarantinedAt, captures)}`);
  if (s.firstDropped !== undefined && s.firstDropped !== s.quarantinedAt) {
    out.push(`    first blocked ${at(s.firstDropped, captures)} — ${s.firstDropped.why}`);
  }
  if (s.firstWouldBlock !== undefined) {
    out.push(`    first would-block ${at(s.firstWouldBlock, captures)} — ${s.firstWouldBlock.why}`);
  }
  if (s.firstAlerted !== undefined) out.push(`    first alerted ${at(s.firstAlerted, captures)}`);
  if (s.firstAllowed !== undefined)
    out.push(`    first allowed ${at(s.firstAllowed, captures)} — ${s.firstAllowed.why}`);
  return out;
}

/** Renders the report; `captures` are the file names in the order simulated. */
export function renderReport(r: SimulationReport, captures: readonly string[]): string {
  const lines: string[] = [];
  const mode = r.policy.mode === 'monitor' ? 'monitor' : `enforce, out-of-profile ${r.policy.outOfProfile}`;
  lines.push(
    `${r.policy.file} (site ${r.policy.site}, ${mode}${r.node ? '' : ', no node: protocol rules unjudged'})`,
  );
  lines.push(`captures: ${captures.join(', ')}`, '');
  lines.push('rules:');
  for (const rule of r.rules) {
    lines.push(
      `  ${r.policy.file}:${rule.line} ${rule.rule}: ${plural(rule.packets, 'packet')}, ${plural(rule.flows, 'flow')} allowed`,
    );
    if (rule.first !== undefined) lines.push(`    first ${at(rule.first, captures)}`);
  }
  lines.push('', 'sources:');
  const blocking = r.sources.filter((s) => s.dropped + s.wouldBlock + s.alerted > 0);
  const quiet = r.sources.filter((s) => s.dropped + s.wouldBlock + s.alerted === 0);
  const shown = [...blocking, ...quiet].slice(0, SHOW_SOURCES);
  for (const s of shown) lines.push(...sourceLines(s, captures));
  if (r.sources.length > shown.length) lines.push(`  … ${r.sources.length - shown.length} more (see --json)`);
  if (r.findingCount > 0) {
    lines.push('', 'protocol findings:');
    for (const f of r.findings.slice(0, SHOW_FINDINGS)) {
      const verb = f.wouldBlock ? 'would drop' : 'dropped';
      lines.push(
        `  ${at(f.packet, captures)}: ${verb} ${f.what}${f.reason ? ` — ${f.reason}` : ''} (${f.producer})`,
      );
    }
    if (r.findingCount > SHOW_FINDINGS) lines.push(`  … ${r.findingCount - SHOW_FINDINGS} more`);
  }
  const t = r.totals;
  lines.push('', 'totals:');
  lines.push(
    `  ${plural(t.frames, 'frame')}: ${t.allowed} allowed, ${t.dropped} blocked, ${t.alerted} alerted, ${t.wouldBlock} would be blocked, ${plural(t.quarantinedSources, 'source')} quarantined${t.undecodable > 0 ? `, ${t.undecodable} undecodable` : ''}`,
  );
  lines.push(
    `  by outcome: ${Object.entries(t.byOutcome)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  lines.push(
    `  flows: peak ${r.flows.peak} of ${r.flows.cap}${r.flows.forgotten > 0 ? `, table full: ${r.flows.forgotten} least recently used flows forgotten` : ''}`,
  );
  lines.push(
    '',
    r.wouldBlockAnything
      ? 'verdict: this policy would block traffic in these captures'
      : 'verdict: nothing would be blocked',
  );
  return `${lines.join('\n')}\n`;
}
