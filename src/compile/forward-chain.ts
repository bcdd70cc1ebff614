// The rules of `table inet picket`'s forward chain, in order: quarantine, conntrack,
// IPv6 neighbour discovery, the allow sets, the time-gated allow sets, and the
// out-of-profile tail (quarantine, block, alert, or monitor's would-block).
// Ruleset → rule lines. Pure.

import type { IpFamily } from '../policy/types.js';
import { decoyForwardRules } from './decoy-rules.js';
import { clock, comment, dayName, utcMinute } from './nft-syntax.js';
import { permitRules, unrecognizedRules } from './portal.js';
import { LOG_PREFIX, type Ruleset, type UtcWindow } from './ruleset.js';

interface FamilyNames {
  readonly family: IpFamily;
  /** Payload protocol keyword: `ip` or `ip6`. */
  readonly ip: 'ip' | 'ip6';
  readonly nfproto: 'ipv4' | 'ipv6';
}

const FAMILIES: readonly FamilyNames[] = [
  { family: 4, ip: 'ip', nfproto: 'ipv4' },
  { family: 6, ip: 'ip6', nfproto: 'ipv6' },
];

/** Name of the hash set of single-value tuples (host . host . proto . port) of a family. */
export function exactSetName(family: IpFamily): string {
  return `exact${family}`;
}

/** Name of the interval allow set for a family and (optionally) a schedule's identifier fragment. */
export function allowSetName(family: IpFamily, scheduleId?: string): string {
  return scheduleId === undefined ? `allow${family}` : `allow${family}_${scheduleId}`;
}

const NOT_UNICAST = 'meta pkttype { broadcast, multicast }';
const UNICAST = 'meta pkttype != { broadcast, multicast }';

/** The allow set of one schedule and family, as `renderNft` declares it. */
export interface ScheduleSet {
  readonly schedule: string;
  readonly id: string;
  readonly family: IpFamily;
}

/** How every rule of the chain cites the policy and logs. */
interface Writer {
  readonly r: Ruleset;
  /** The kernel name of an allow set (a staged apply loads large ones under another name). */
  setRef(name: string): string;
  readonly monitor: boolean;
  /** ` comment "policy.yaml:LINE what"`. */
  at(line: number, what: string): string;
  /** A comment citing the enforcement section. */
  enf(what: string): string;
  /** A rate-limited NFLOG statement with the prefix. */
  log(prefix: string): string;
}

/** Renders the forward chain's rules, one line each, for the sets `renderNft` declares. */
export function forwardChainRules(
  r: Ruleset,
  scheduleSets: readonly ScheduleSet[],
  setRef: (name: string) => string = (name) => name,
): string[] {
  const at = (line: number, what: string) => comment(`${r.policyFile}:${line} ${what}`);
  const w: Writer = {
    r,
    setRef,
    monitor: r.mode === 'monitor',
    at,
    enf: (what) => at(r.enforcementLine, what),
    // The log is split from the verdict: the limit throttles what userspace
    // hears, never what the kernel drops or quarantines.
    log: (prefix) =>
      `limit rate ${r.logRatePerSecond}/second burst ${r.logRatePerSecond * 2} packets log prefix "${prefix}" group ${r.logGroup}`,
  };
  const decoyAt = (what: string) => at(r.decoys?.line ?? r.enforcementLine, what);
  return [
    ...decoyForwardRules({ r, at: decoyAt, log: w.log }),
    ...quarantinedRules(w),
    ...stateRules(w),
    ...allowRules(w),
    ...scheduleSets.flatMap((set) => windowRules(w, set)),
    ...permitRules(r),
    ...unrecognizedRules(r, w.log),
    ...tailRules(w),
  ];
}

/** Traffic from or to a quarantined address: dropped (monitor: logged only). */
function quarantinedRules({ monitor, log, enf }: Writer): string[] {
  return FAMILIES.flatMap((f) =>
    (['saddr', 'daddr'] as const).flatMap((dir) => {
      const match = `${f.ip} ${dir} @quarantine${f.family}`;
      if (monitor) return [`${match} ${log(LOG_PREFIX.wouldBlock)}${enf(`monitor: quarantined ${dir}`)}`];
      return [
        `${match} ${log(LOG_PREFIX.quarantined)}${enf(`quarantined ${dir}`)}`,
        `${match} counter drop${enf(`quarantined ${dir}`)}`,
      ];
    }),
  );
}

/** Conntrack fast path, IPv6 neighbour discovery, invalid state. */
function stateRules({ monitor, log, enf }: Writer): string[] {
  return [
    `ct state established,related counter accept${enf('established flows and ICMP errors')}`,
    // RFC 4861: genuine neighbour discovery has hop limit 255, MLD has 1; without
    // these IPv6 does not work on the segment. Before `ct state invalid`, which ND can hit.
    `icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit 255 counter accept${enf('IPv6 neighbour discovery')}`,
    `icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } ip6 hoplimit 1 counter accept${enf('IPv6 multicast listener discovery')}`,
    ...(monitor
      ? [
          `ct state invalid ${log(LOG_PREFIX.wouldBlock)}${enf('monitor: invalid state')}`,
          `ct state invalid counter accept${enf('monitor: invalid state')}`,
        ]
      : [`ct state invalid counter drop${enf('invalid state')}`]),
  ];
}

/** The always-on allow sets: exact tuples (hash) and ranges (interval), per family. */
function allowRules({ r, at, enf, setRef }: Writer): string[] {
  const lines = r.entries.filter((e) => e.schedule === undefined).map((e) => e.line);
  const cite = lines.length === 0 ? enf('rules') : at(Math.min(...lines), 'rules');
  return FAMILIES.flatMap((f) => [
    `${tupleMatch(f)} @${setRef(exactSetName(f.family))} counter accept${cite}`,
    `${tupleMatch(f)} @${setRef(allowSetName(f.family))} counter accept${cite}`,
  ]);
}

/** One rule per UTC window piece of the schedule, gated on time. */
function windowRules({ r, at, setRef }: Writer, set: ScheduleSet): string[] {
  const f = FAMILIES.find((x) => x.family === set.family)!;
  return r.windows
    .filter((x) => x.schedule === set.schedule)
    .map(
      (w) =>
        `${timeGate(w)}${tupleMatch(f)} @${setRef(allowSetName(f.family, set.id))} counter accept${at(w.line, windowNote(w))}`,
    );
}

/** What happens to traffic no allow set matched, per mode and out-of-profile action. */
function tailRules({ r, monitor, log, enf }: Writer): string[] {
  if (monitor) {
    return [
      `${log(LOG_PREFIX.wouldBlock)}${enf('monitor: out of profile')}`,
      `counter accept${enf('monitor: out of profile, accepted')}`,
    ];
  }
  if (r.outOfProfile === 'alert') {
    return [
      `${log(LOG_PREFIX.alert)}${enf('out-of-profile: alert')}`,
      `counter accept${enf('out-of-profile: alert, accepted')}`,
    ];
  }
  const out = FAMILIES.flatMap((f) => {
    const never = `${f.ip} saddr @never${f.family}`;
    return [
      `${never} ${log(LOG_PREFIX.alert)}${enf('never list: alert, never quarantine')}`,
      `${never} counter drop${enf('never list: drop, never quarantine')}`,
    ];
  });
  if (r.outOfProfile === 'quarantine') {
    // Broadcast and multicast (DHCP, SSDP, mDNS from a healthy HMI) are blocked but
    // never quarantine their source. `meta nfproto` is needed because a set
    // statement's key, unlike a match, gets no implicit family dependency.
    for (const f of FAMILIES) {
      out.push(
        `meta nfproto ${f.nfproto} ${UNICAST} add @quarantine${f.family} { ${f.ip} saddr } counter${enf('out-of-profile: quarantine source')}`,
      );
    }
    out.push(`${UNICAST} ${log(LOG_PREFIX.quarantine)}${enf('out-of-profile: quarantine')}`);
    out.push(`${NOT_UNICAST} ${log(LOG_PREFIX.block)}${enf('out-of-profile broadcast: block')}`);
  } else {
    out.push(`${log(LOG_PREFIX.block)}${enf('out-of-profile: block')}`);
  }
  out.push(`counter drop${enf(`out-of-profile: ${r.outOfProfile}`)}`);
  return out;
}

function tupleMatch(f: FamilyNames): string {
  return `${f.ip} saddr . ${f.ip} daddr . meta l4proto . th dport`;
}

/**
 * The time gate of a window piece. Values are integers (seconds since the epoch,
 * seconds after UTC midnight): nft converts *string* times with the loading
 * process's TZ, integers it takes as UTC, so the ruleset is right whatever TZ
 * `nft` runs under (measured on nft 1.0.6). The kernel computes `meta hour` in
 * UTC but `meta day` minus sys_tz.tz_minuteswest (nft_meta_weekday() in
 * net/netfilter/nft_meta.c), so the days are right only while the kernel time
 * zone is 0, as it is unless something calls settimeofday() with a zone.
 */
function timeGate(w: UtcWindow): string {
  let gate = '';
  if (w.notBeforeMs !== undefined) gate += `meta time >= ${Math.floor(w.notBeforeMs / 1000)} `;
  if (w.notAfterMs !== undefined) gate += `meta time < ${Math.ceil(w.notAfterMs / 1000)} `;
  if (w.utcDays.length < 7) gate += `meta day { ${w.utcDays.map((d) => `"${dayName(d)}"`).join(', ')} } `;
  if (w.fromSecond > 0 || w.toSecond < 86399) {
    gate +=
      w.fromSecond === w.toSecond ? `meta hour ${w.fromSecond} ` : `meta hour ${w.fromSecond}-${w.toSecond} `;
  }
  return gate;
}

function windowNote(w: UtcWindow): string {
  const days = w.utcDays.map((d) => dayName(d).slice(0, 3)).join(',');
  let note = `${w.schedule} UTC ${days} ${clock(w.fromSecond)}-${clock(w.toSecond)}`;
  if (w.notBeforeMs !== undefined) note += ` from ${utcMinute(w.notBeforeMs)}`;
  if (w.notAfterMs !== undefined) note += ` until ${utcMinute(w.notAfterMs)}`;
  return note;
}
