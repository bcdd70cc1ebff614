// The compiler: a Policy becomes a Ruleset — disjoint allow tuples for the
// kernel's concatenated interval sets (never one rule per pair), schedules as UTC
// window pieces across the zone's DST spans, and the enforcement settings — plus
// the hash of its rendering. Policy + now → Ruleset. Pure (now is a parameter).

import { createHash } from 'node:crypto';
import type { Policy, Weekday } from '../policy/types.js';
import { timedUtcPieces } from '../time/weekly-window.js';
import { portText, rangeText, ruleBoxes } from './boxes.js';
import { disjointBoxes } from './disjoint.js';
import { compilePortal } from './portal.js';
import { queueEntries } from './protocol-flows.js';
import { renderNft } from './render.js';
import type { AllowEntry, NeverAsset, Ruleset, UtcWindow } from './ruleset.js';

/** Compile settings that are not part of the policy. */
export interface CompileOptions {
  /** The instant the time windows are computed from (DST spans start here). */
  readonly nowMs: number;
  /** NFLOG group for out-of-profile packets; 1 by default. */
  readonly logGroup?: number;
  /** Kernel rate limit of each log rule, packets per second; 100 by default. */
  readonly logRatePerSecond?: number;
}

const WEEKDAY: Readonly<Record<Weekday, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** Compiles a validated Policy into the Ruleset the kernel will enforce. */
export function compile(policy: Policy, options: CompileOptions): Ruleset {
  const policyFile = policy.file.split(/[\\/]/).pop() || policy.file;
  const entries: AllowEntry[] = disjointBoxes(policy.rules.flatMap((rule) => ruleBoxes(policy, rule))).map(
    (b) => ({
      family: b.family,
      source: rangeText(b.source),
      destination: rangeText(b.destination),
      transport: b.transport,
      ports: portText(b.fromPort, b.toPort),
      rule: b.rule,
      line: b.line,
      ...(b.schedule === undefined ? {} : { schedule: b.schedule }),
    }),
  );
  const queues = queueEntries(policy);
  const portal = compilePortal(policy);
  const { windows, recompileByMs } = compileWindows(policy, entries, options.nowMs);
  const enforcement = policy.enforcement;
  const neverNames = new Set(enforcement.quarantine.never);
  const neverAssets: NeverAsset[] = policy.assets
    .filter((a) => neverNames.has(a.name))
    .map((a) => ({ asset: a.name, address: a.ip, family: a.family, line: a.loc.line }));
  const unhashed: Ruleset = {
    site: policy.site,
    policyFile,
    hash: '',
    mode: enforcement.mode,
    outOfProfile: enforcement.outOfProfile,
    quarantineTimeoutSeconds: enforcement.quarantine.durationSeconds,
    never: neverAssets.map((a) => a.address),
    entries,
    windows,
    l2: { allow: [...new Set(enforcement.l2.allow)].sort((a, b) => a - b), default: enforcement.l2.default },
    ...(recompileByMs === undefined ? {} : { recompileByMs }),
    logGroup: options.logGroup ?? 1,
    logRatePerSecond: options.logRatePerSecond ?? 100,
    neverAssets,
    enforcementLine: enforcement.loc.line,
    ...(queues.length === 0 ? {} : { queues }),
    ...(policy.decoys
      ? {
          decoys: {
            line: policy.decoys.loc.line,
            ...(policy.decoys.deceive ? { deceive: true as const } : {}),
          },
        }
      : {}),
    ...(portal === undefined ? {} : { portal }),
  };
  return { ...unhashed, hash: rulesetHash(unhashed) };
}

/**
 * sha256 (hex) of the ruleset's rendering without carry-over and with an empty
 * hash field — the value a compiled Ruleset carries and the table comment shows.
 */
export function rulesetHash(ruleset: Ruleset): string {
  return createHash('sha256')
    .update(renderNft({ ...ruleset, hash: '' }))
    .digest('hex');
}

/**
 * UTC window pieces for every schedule that gates an entry, and the earliest of
 * their last DST transitions, by which the ruleset must be recompiled.
 */
function compileWindows(
  policy: Policy,
  entries: readonly AllowEntry[],
  nowMs: number,
): { windows: UtcWindow[]; recompileByMs?: number } {
  const used = new Set(entries.flatMap((e) => (e.schedule === undefined ? [] : [e.schedule])));
  const windows: UtcWindow[] = [];
  let recompileByMs: number | undefined;
  for (const s of [...policy.schedules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!used.has(s.name)) continue;
    const days = s.days.map((d) => WEEKDAY[d]);
    const { pieces, lastTransitionMs } = timedUtcPieces(
      { days, fromMinute: s.fromMinute, toMinute: s.toMinute },
      s.timezone,
      nowMs,
    );
    for (const p of pieces) windows.push({ schedule: s.name, line: s.loc.line, ...p });
    if (lastTransitionMs !== undefined)
      recompileByMs = Math.min(recompileByMs ?? lastTransitionMs, lastTransitionMs);
  }
  return recompileByMs === undefined ? { windows } : { windows, recompileByMs };
}
