// The rules of `table inet picket`'s forward chain, in order: quarantine, conntrack,
// IPv6 neighbour discovery, the allow sets, the time-gated allow sets, and the
// out-of-profile tail (quarantine, block, alert, or monitor's would-block).
// Ruleset → rule lines. Pure.

import type { IpFamily } from '../policy/types.js';
import { clock, comment, dayName, utcMinute } from './nft-syntax.js';
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

/** Renders the forward chain's rules, one line each, for the sets `renderNft` declares. */
export function forwardChainRules(
  r: Ruleset,
  scheduleSets: readonly { readonly schedule: string; readonly id: string; readonly family: IpFamily }[],
): string[] {
  const at = (line: number, what: string) => comment(`${r.policyFile}:${line} ${what}`);
  const enf = (what: string) => at(r.enforcementLine, what);
  // The log is split from the verdict: the limit throttles what userspace hears,
  // never what the kernel drops or quarantines.
  const log = (prefix: string) =>
    `limit rate ${r.logRatePerSecond}/second burst ${r.logRatePerSecond * 2} packets log prefix "${prefix}" group ${r.logGroup}`;
  const monitor = r.mode === 'monitor';
  const out: string[] = [];

  for (const f of FAMILIES) {
    for (const dir of ['saddr', 'daddr'] as const) {
      const match = `${f.ip} ${dir} @quarantine${f.family}`;
      if (monitor) {
        out.push(`${match} ${log(LOG_PREFIX.wouldBlock)}${enf(`monitor: quarantined ${dir}`)}`);
      } else {
        out.push(`${match} ${log(LOG_PREFIX.quarantined)}${enf(`quarantined ${dir}`)}`);
        out.push(`${match} counter drop${enf(`quarantined ${dir}`)}`);
      }
    }
  }

  out.push(`ct state established,related counter accept${enf('established flows and ICMP errors')}`);
  // RFC 4861: genuine neighbour discovery has hop limit 255, MLD has 1; without
  // these IPv6 does not work on the segment. Before `ct state invalid`, which ND can hit.
  out.push(
    `icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit 255 counter accept${enf('IPv6 neighbour discovery')}`,
  );
  out.push(
    `icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } ip6 hoplimit 1 counter accept${enf('IPv6 multicast listener discovery')}`,
  );
  if (monitor) {
    out.push(`ct state invalid ${log(LOG_PREFIX.wouldBlock)}${enf('monitor: invalid state')}`);
    out.push(`ct state invalid counter accept${enf('monitor: invalid state')}`);
  } else {
    out.push(`ct state invalid counter drop${enf('invalid state')}`);
  }

  const lines = r.entries.filter((e) => e.schedule === undefined).map((e) => e.line);
  const rulesCite = lines.length === 0 ? enf('rules') : at(Math.min(...lines), 'rules');
  for (const f of FAMILIES) {
    out.push(`${tupleMatch(f)} @${exactSetName(f.family)} counter accept${rulesCite}`);
    out.push(`${tupleMatch(f)} @${allowSetName(f.family)} counter accept${rulesCite}`);
  }

  for (const set of scheduleSets) {
    const f = FAMILIES.find((x) => x.family === set.family)!;
    for (const w of r.windows.filter((x) => x.schedule === set.schedule)) {
      out.push(
        `${timeGate(w)}${tupleMatch(f)} @${allowSetName(f.family, set.id)} counter accept${at(w.line, windowNote(w))}`,
      );
    }
  }

  if (monitor) {
    out.push(`${log(LOG_PREFIX.wouldBlock)}${enf('monitor: out of profile')}`);
    out.push(`counter accept${enf('monitor: out of profile, accepted')}`);
    return out;
  }
  if (r.outOfProfile === 'alert') {
    out.push(`${log(LOG_PREFIX.alert)}${enf('out-of-profile: alert')}`);
    out.push(`counter accept${enf('out-of-profile: alert, accepted')}`);
    return out;
  }
  for (const f of FAMILIES) {
    const never = `${f.ip} saddr @never${f.family}`;
    out.push(`${never} ${log(LOG_PREFIX.alert)}${enf('never list: alert, never quarantine')}`);
    out.push(`${never} counter drop${enf('never list: drop, never quarantine')}`);
  }
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
