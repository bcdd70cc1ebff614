// The node's numbers as Prometheus text exposition (format 0.0.4): kernel rule
// counters (read every few seconds, never per scrape), zone-pair telemetry,
// detections, quarantine, intake, apply, drift and process memory.
// NodeSnapshot → text. Pure.

import type { RuleCounter } from './rule-counters.js';
import type { ZonePairFlow } from './telemetry.js';

/** What the intake reports (NFLOG or capture). */
export interface IntakeCounters {
  readonly received: number;
  /** Events the kernel or the socket lost (ENOBUFS, ring overruns). */
  readonly overruns: number;
  /** Events the kernel dropped, counted from NFLOG sequence gaps. */
  readonly lost: number;
  /** Events per second over the last interval. */
  readonly ratePerSecond: number;
}

/** Everything /metrics shows, gathered by the daemon. */
export interface NodeSnapshot {
  readonly node: string;
  readonly mode: string;
  readonly uptimeSeconds: number;
  readonly rules: readonly RuleCounter[];
  /** Seconds since the epoch of the last counter read; 0 when never read. */
  readonly rulesReadAtSeconds: number;
  readonly zonePairs: readonly ZonePairFlow[];
  readonly detectionsByKind: Readonly<Record<string, number>>;
  readonly actionsByType: Readonly<Record<string, number>>;
  readonly quarantineSize: number;
  readonly intake?: IntakeCounters;
  readonly events: { readonly processed: number; readonly dropped: number; readonly queued: number };
  readonly queueVerdicts?: Readonly<Record<string, number>>;
  /** The identity portal, when it runs: login attempts by outcome and permits in force. */
  readonly portal?: { readonly logins: Readonly<Record<string, number>>; readonly activePermits: number };
  readonly apply: {
    readonly lastDurationMs: number;
    readonly lastSuccess: boolean;
    readonly lastSuccessAtSeconds: number;
    readonly failures: number;
  };
  readonly driftTotal: number;
  /** Decoys hosted, touches reported by the decoy server, moves by reason; absent without decoys. */
  readonly decoys?: {
    readonly hosted: number;
    readonly touches: number;
    readonly moves: Readonly<Record<string, number>>;
    readonly lastBringUpMs: number;
  };
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number };
}

type Labels = Readonly<Record<string, string>>;

/** Escapes a label value: backslash, double quote and newline (exposition format). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function series(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  const shown = Number.isFinite(value) ? String(value) : 'NaN';
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${shown}`;
}

class Exposition {
  private readonly lines: string[] = [];
  constructor(private readonly base: Labels) {}
  metric(
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: readonly { labels?: Labels; value: number }[],
  ): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of samples) this.lines.push(series(name, { ...this.base, ...s.labels }, s.value));
  }
  one(name: string, type: 'counter' | 'gauge', help: string, value: number): void {
    this.metric(name, type, help, [{ value }]);
  }
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const byKey = (record: Readonly<Record<string, number>>, label: string) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, value]) => ({ labels: { [label]: k }, value }));

/** Renders the snapshot; every series carries the node's name. */
export function renderMetrics(s: NodeSnapshot): string {
  const x = new Exposition({ node: s.node });
  x.metric('picket_node_info', 'gauge', 'The node and its wire mode.', [
    { labels: { mode: s.mode }, value: 1 },
  ]);
  x.one('picket_uptime_seconds', 'gauge', 'Seconds since the node started.', s.uptimeSeconds);
  const packets = s.rules.map((r) => ({ labels: { rule: r.rule, verdict: r.verdict }, value: r.packets }));
  const bytes = s.rules.map((r) => ({ labels: { rule: r.rule, verdict: r.verdict }, value: r.bytes }));
  x.metric(
    'picket_rule_packets_total',
    'counter',
    'Packets counted by each forward-chain rule (by its policy comment); reset by a re-apply.',
    packets,
  );
  x.metric('picket_rule_bytes_total', 'counter', 'Bytes counted by each forward-chain rule.', bytes);
  x.one(
    'picket_rule_counters_read_timestamp_seconds',
    'gauge',
    'When the kernel counters were last read.',
    s.rulesReadAtSeconds,
  );
  const pair = (f: ZonePairFlow) => ({ from_zone: f.from, to_zone: f.to, origin: f.origin });
  x.metric(
    'picket_zone_pair_packets_total',
    'counter',
    'Packets the kernel reported to the node (denied, alerted, would-block) per zone pair.',
    s.zonePairs.map((f) => ({ labels: pair(f), value: f.packets })),
  );
  x.metric(
    'picket_zone_pair_bytes_total',
    'counter',
    'Bytes of those packets per zone pair.',
    s.zonePairs.map((f) => ({ labels: pair(f), value: f.bytes })),
  );
  x.metric('picket_detections_total', 'counter', 'Detections by kind.', byKey(s.detectionsByKind, 'kind'));
  x.metric('picket_actions_total', 'counter', 'Actions executed by type.', byKey(s.actionsByType, 'type'));
  x.one('picket_quarantine_size', 'gauge', 'Addresses in the kernel quarantine sets.', s.quarantineSize);
  if (s.intake) {
    x.one('picket_intake_received_total', 'counter', 'Events received from the kernel.', s.intake.received);
    x.one(
      'picket_intake_overruns_total',
      'counter',
      'Events the kernel could not deliver.',
      s.intake.overruns,
    );
    x.one('picket_intake_lost_total', 'counter', 'Events lost in the kernel (sequence gaps).', s.intake.lost);
    x.one('picket_intake_rate_per_second', 'gauge', 'Events per second, recently.', s.intake.ratePerSecond);
  }
  x.one('picket_events_processed_total', 'counter', 'Events decided on.', s.events.processed);
  x.one(
    'picket_events_dropped_total',
    'counter',
    'Events dropped because the decision loop fell behind (the kernel still enforced).',
    s.events.dropped,
  );
  x.one('picket_events_queued', 'gauge', 'Events waiting for the decision loop.', s.events.queued);
  if (s.queueVerdicts) {
    x.metric(
      'picket_queue_verdicts_total',
      'counter',
      'NFQUEUE verdicts.',
      byKey(s.queueVerdicts, 'verdict'),
    );
  }
  if (s.portal) {
    x.metric(
      'picket_portal_logins_total',
      'counter',
      'Portal login attempts by outcome.',
      byKey(s.portal.logins, 'outcome'),
    );
    x.one('picket_portal_permits_active', 'gauge', 'Portal permits in force.', s.portal.activePermits);
  }
  if (s.decoys) {
    x.one('picket_decoys', 'gauge', 'Decoys on the wire.', s.decoys.hosted);
    x.one('picket_decoy_touches_total', 'counter', 'Touches the decoy server reported.', s.decoys.touches);
    x.metric(
      'picket_decoy_moves_total',
      'counter',
      'Decoy moves by reason.',
      byKey(s.decoys.moves, 'reason'),
    );
    x.one(
      'picket_decoy_bring_up_ms',
      'gauge',
      'Time of the last decoy change on the wire.',
      s.decoys.lastBringUpMs,
    );
  }
  x.one(
    'picket_apply_duration_ms',
    'gauge',
    'Kernel transaction time of the last apply.',
    s.apply.lastDurationMs,
  );
  x.one(
    'picket_apply_last_success',
    'gauge',
    '1 when the last apply succeeded.',
    s.apply.lastSuccess ? 1 : 0,
  );
  x.one(
    'picket_apply_last_success_timestamp_seconds',
    'gauge',
    'When a policy was last applied successfully.',
    s.apply.lastSuccessAtSeconds,
  );
  x.one(
    'picket_apply_failures_total',
    'counter',
    'Applies refused (bad policy or kernel).',
    s.apply.failures,
  );
  x.one(
    'picket_drift_total',
    'counter',
    'Differences found between kernel quarantine and journal.',
    s.driftTotal,
  );
  x.one('picket_process_resident_memory_bytes', 'gauge', 'Resident set size.', s.memory.rssBytes);
  x.one('picket_process_heap_used_bytes', 'gauge', 'V8 heap in use.', s.memory.heapUsedBytes);
  return x.text();
}
