// Settles what each learned service is: its protocol (the payloads' majority
// vote; the port's registered protocol only when no payload said anything,
// and never a protocol the payloads contradict), the service name it gets in
// the policy, the protocol constraint its requests support (exactly the
// functions, units and address spans seen; spans widened only with
// --generalize), and what about it is unsure.
// (learned service, options) → tagged service, name, constraint. Pure.

import { MODBUS_WRITE_FUNCTIONS } from '../policy/protocol-names.js';
import { CONTENT_TAG, portName } from './content.js';
import type { ProposedConstraint } from './proposal.js';
import type { TaggedService } from './roles.js';
import { widenSpans } from './spans.js';
import type { ContentProtocol, LearnedService } from './state.js';

/** Protocols the content tests can recognise: a port that claims one of these needs the payload to agree. */
const CHECKABLE = new Set(Object.values(CONTENT_TAG).filter((t): t is string => t !== undefined));
/** Fewer packets than this on a rule is little to go on. */
export const MIN_PACKETS = 10;
/** Gap (in addresses) closed between Modbus spans with --generalize. */
const GENERALIZE_GAP = 16;

/** The protocol of a service, from its payloads, else its port. */
export function tagService(s: LearnedService): TaggedService {
  let best: ContentProtocol | undefined;
  let bestVotes = 0;
  for (const [p, n] of s.votes) {
    if (p !== 'other' && n > bestVotes) {
      best = p;
      bestVotes = n;
    }
  }
  if (best !== undefined) return { service: s, protocol: CONTENT_TAG[best], byContent: true };
  const byPort = portName(s.udp, s.port)?.protocol;
  if (byPort !== undefined && s.voteCount > 0 && CHECKABLE.has(byPort)) {
    // The port claims a protocol whose header the payloads do not carry (HTTP on 502): not that protocol.
    return { service: s, protocol: undefined, byContent: true };
  }
  return { service: s, protocol: byPort, byContent: false };
}

/** The base name of a service in the policy (before collisions are resolved). */
export function serviceBaseName(t: TaggedService): string {
  const s = t.service;
  const known = portName(s.udp, s.port);
  if (known !== undefined && known.protocol === t.protocol) return known.name;
  const short = t.protocol === 's7comm' ? 's7' : t.protocol;
  return `${short ?? (s.udp ? 'udp' : 'tcp')}-${s.port}`;
}

/** The protocol constraint a service's requests support, and what is unsure about it. */
export function constraintOf(
  t: TaggedService,
  generalize: boolean,
): { readonly constraint?: ProposedConstraint; readonly unsure: readonly string[] } {
  const l = t.service.learning;
  const unsure: string[] = [];
  const judged = t.protocol === 'modbus' || t.protocol === 's7comm' || t.protocol === 'dnp3';
  if (!judged || t.service.udp) return { unsure };
  const expected = t.protocol === 's7comm' ? 's7' : t.protocol;
  if (l === undefined || l.kind !== expected || l.messages === 0) {
    unsure.push(
      `no ${t.protocol} request decoded: functions are not judged until you add ${expected}: to this rule`,
    );
    return { unsure };
  }
  if (l.malformed > 0) {
    unsure.push(
      `${l.malformed} malformed ${t.protocol} message(s) (${l.malformedReason}); the node drops those`,
    );
  }
  if (l.kind === 'modbus') {
    if (l.functions.size === 0) return { unsure };
    if (l.spansCapped) unsure.push('more distinct address spans than kept: nearby spans were merged');
    const widen = (spans: typeof l.read) => {
      if (!generalize) return spans.map((x) => ({ ...x }));
      const wide = widenSpans(spans, GENERALIZE_GAP);
      if (wide.length < spans.length)
        unsure.push(`--generalize: ${spans.length} address spans joined into ${wide.length}`);
      return wide;
    };
    const functions = [...l.functions].sort((a, b) => a - b);
    const writes = functions.some((fc) => MODBUS_WRITE_FUNCTIONS.has(fc));
    return {
      constraint: {
        kind: 'modbus',
        functions,
        units: [...l.units].sort((a, b) => a - b),
        ...(l.read.length > 0 ? { read: widen(l.read) } : {}),
        ...(writes && l.write.length > 0 ? { write: widen(l.write) } : {}),
      },
      unsure,
    };
  }
  if (l.kind === 's7') {
    if (l.functions.size === 0) {
      unsure.push('only COTP connection frames seen: allowing the S7 setup only');
      return { constraint: { kind: 's7', allow: ['setup'] }, unsure };
    }
    return { constraint: { kind: 's7', allow: [...l.functions].sort() }, unsure };
  }
  if (l.functions.size === 0) {
    unsure.push('only DNP3 link frames seen: allowing confirm only');
    return { constraint: { kind: 'dnp3', functions: [0] }, unsure };
  }
  return { constraint: { kind: 'dnp3', functions: [...l.functions].sort((a, b) => a - b) }, unsure };
}

/** A stable text key of a constraint (rules and groups only merge services whose constraints are equal). */
export function constraintKey(c: ProposedConstraint | undefined): string {
  return c === undefined ? '' : JSON.stringify(c);
}

/** What is unsure about a service's traffic itself. */
export function trafficDoubts(t: TaggedService): string[] {
  const s = t.service;
  const out: string[] = [];
  if (t.protocol !== undefined && !t.byContent) out.push(`protocol ${t.protocol} from port ${s.port} only`);
  if (!s.directionKnown && !t.byContent)
    out.push('direction from the first packet seen (no connection setup seen)');
  if (!s.udp && s.replies === 0) out.push('no reply seen');
  return out;
}
