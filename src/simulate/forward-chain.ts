// `table inet picket`'s forward chain in kernel order, after conntrack has
// classified the packet: quarantine (source or destination), established or
// related, IPv6 discovery, invalid, the allow sets, the scheduled sets at the
// packet's own time, the portal's unrecognized sources, and the
// out-of-profile tail (monitor, alert, never list, quarantine, block). The
// quarantine set is kept by capture time. (Simulation, fields, ct state, time)
// → outcome. Pure (mutates only the simulation's quarantine).

import { parseAddress } from '../net/address.js';
import type { VerdictFields } from '../sense/decode-verdict.js';
import { OUTCOME } from './outcome.js';
import type { Simulation } from './simulator.js';
import { scheduleOpen } from './time-gate.js';
import { matchTuple } from './tuple-sets.js';

/** What conntrack made of the packet. */
export const CT_NONE = 0;
export const CT_NEW = 1;
export const CT_ESTABLISHED = 2;
export const CT_INVALID = 3;

export function quarantined(sim: Simulation, f: VerdictFields, timeMs: number): boolean {
  if (f.family === 4) {
    if (sim.quarantine4.size === 0) return false;
    const a = sim.quarantine4.get(f.src4);
    if (a !== undefined && a > timeMs) return true;
    const b = sim.quarantine4.get(f.dst4);
    return b !== undefined && b > timeMs;
  }
  if (sim.quarantine6.size === 0) return false;
  const a = sim.quarantine6.get(f.src6);
  if (a !== undefined && a > timeMs) return true;
  const b = sim.quarantine6.get(f.dst6);
  return b !== undefined && b > timeMs;
}

/** The quarantine sets' `size` in the compiled ruleset: when one is full, `add` fails and the packet is only dropped. */
export const QUARANTINE_SET_SIZE = 65_536;

/** Forgets expired elements, as the kernel's set garbage collection does, when a set is full. */
function purge<K>(set: Map<K, number>, timeMs: number): void {
  for (const [k, until] of set) if (until <= timeMs) set.delete(k);
}

function addTo<K>(set: Map<K, number>, key: K, timeMs: number, until: number): boolean {
  const current = set.get(key);
  if (current !== undefined && current > timeMs) return true;
  if (current === undefined && set.size >= QUARANTINE_SET_SIZE) {
    purge(set, timeMs);
    if (set.size >= QUARANTINE_SET_SIZE) return false;
  }
  set.set(key, until);
  return true;
}

/** Adds the packet's source to the quarantine set (`add`, no refresh); false when the set is full. */
export function quarantine(sim: Simulation, f: VerdictFields, timeMs: number): boolean {
  const until = timeMs + sim.ruleset.quarantineTimeoutSeconds * 1000;
  const added =
    f.family === 4
      ? addTo(sim.quarantine4, f.src4, timeMs, until)
      : addTo(sim.quarantine6, f.src6, timeMs, until);
  if (added) sim.quarantinedNow = true;
  return added;
}

export function onNeverList(sim: Simulation, f: VerdictFields): boolean {
  return f.family === 4 ? sim.never4.has(f.src4) : sim.never6.has(f.src6);
}

/** The forward chain of `table inet picket`, in kernel order. */
export function forward(sim: Simulation, f: VerdictFields, ct: number, timeMs: number): number {
  if (!sim.monitor && quarantined(sim, f, timeMs)) return OUTCOME.fromQuarantined;
  if (ct === CT_ESTABLISHED) return OUTCOME.established;
  if (f.family === 6 && f.proto === 58) {
    const t = f.icmpType;
    if (t >= 133 && t <= 137 && f.hopLimit === 255) return OUTCOME.discovery;
    if ((t === 130 || t === 131 || t === 132 || t === 143) && f.hopLimit === 1) return OUTCOME.discovery;
  }
  if (ct === CT_INVALID) {
    if (sim.monitor) {
      sim.why = 'monitor: conntrack invalid state';
      return OUTCOME.wouldBlock;
    }
    return OUTCOME.invalid;
  }
  if (f.proto === 6 || f.proto === 17) {
    const v4 = f.family === 4;
    const s = v4 ? f.src4 : BigInt(addressValue(f.src6));
    const d = v4 ? f.dst4 : BigInt(addressValue(f.dst6));
    let m = matchTuple(sim.sets.always, f.family as 4 | 6, s, d, f.proto, f.dport);
    if (m === undefined && sim.scheduled) {
      for (const [schedule, set] of sim.sets.scheduled) {
        if (!scheduleOpen(sim.windows, schedule, timeMs)) continue;
        m = matchTuple(set, f.family as 4 | 6, s, d, f.proto, f.dport);
        if (m !== undefined) break;
      }
    }
    if (m !== undefined) {
      sim.matched = m;
      return OUTCOME.allowed;
    }
  }
  sim.why = '';
  if (sim.known4 !== undefined && !sim.monitor && unrecognized(sim, f)) {
    sim.why = 'unrecognized source (portal): dropped, not quarantined';
    return OUTCOME.blocked;
  }
  if (sim.monitor) return OUTCOME.wouldBlock;
  const r = sim.ruleset;
  if (r.outOfProfile === 'alert') return OUTCOME.alerted;
  if (onNeverList(sim, f)) return OUTCOME.never;
  if (r.outOfProfile === 'quarantine' && !f.groupDestination) {
    if (quarantine(sim, f, timeMs)) return OUTCOME.quarantined;
    sim.why = 'out of profile: the quarantine set is full, the packet is only dropped';
    return OUTCOME.blocked;
  }
  return OUTCOME.blocked;
}

/** Neither an asset nor (in a capture, never) a permit holder. */
export function unrecognized(sim: Simulation, f: VerdictFields): boolean {
  return f.family === 4 ? !sim.known4!.has(f.src4) : !sim.known6.has(f.src6);
}

export function addressValue(text: string): bigint {
  return parseAddress(text)?.value ?? 0n;
}
