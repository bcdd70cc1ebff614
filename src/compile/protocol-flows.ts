// Protocol-aware rules → what the kernel queues and what the judge checks: the
// TCP boxes of every rule with `modbus:`, `s7:` or `dnp3:`, with the fail mode of
// the destination's zone (`protocol-failure`, closed unless the zone says open),
// as disjoint nft set elements per fail mode, and as numeric regions with the
// rule's constraint for the userspace judge. A tuple that a protocol rule
// covers is queued even if another rule allows it without constraint: the
// narrower rule is taken as the operator's intent, and the judge passes a
// message that any protocol rule of the tuple allows.
// Policy → QueueEntry[] / ProtocolFlow[]. Pure.

import { parsePrefix, prefixBounds } from '../net/prefix.js';
import type { Policy, ProtocolConstraint, QueueFailure } from '../policy/types.js';
import { type AddressBox, type AddressRange, portText, rangeText, ruleBoxes } from './boxes.js';
import { disjointBoxes } from './disjoint.js';
import type { QueueEntry } from './ruleset.js';

/** One region of a protocol rule, for the judge (`createProtocolJudge` in decide). */
export interface ProtocolFlow {
  readonly family: 4 | 6;
  readonly source: AddressRange;
  readonly destination: AddressRange;
  readonly fromPort: number;
  readonly toPort: number;
  readonly constraint: ProtocolConstraint;
  /** `policy.yaml:31 hmi-reads-plc`. */
  readonly producer: string;
  readonly failure: QueueFailure;
}

function zoneFailure(policy: Policy, destination: AddressRange): QueueFailure {
  for (const zone of policy.zones) {
    for (const n of zone.networks) {
      const parsed = parsePrefix(`${n.address}/${n.length}`);
      if (parsed === undefined || parsed.prefix.family !== destination.family) continue;
      const { first, last } = prefixBounds(parsed.prefix);
      if (first <= destination.first && destination.last <= last) return zone.protocolFailure ?? 'closed';
    }
  }
  return 'closed';
}

function tcpBoxes(
  policy: Policy,
): { box: AddressBox; constraint: ProtocolConstraint; failure: QueueFailure }[] {
  return policy.rules.flatMap((rule) => {
    const constraint = rule.protocol;
    if (constraint === undefined) return [];
    return ruleBoxes(policy, rule)
      .filter((b) => b.transport === 'tcp')
      .map((box) => ({ box, constraint, failure: zoneFailure(policy, box.destination) }));
  });
}

/** The judge's regions for every protocol rule (schedules are the kernel's business: it queues only what it allows). */
export function protocolFlows(policy: Policy): ProtocolFlow[] {
  const file = policy.file.split(/[\\/]/).pop() || policy.file;
  return tcpBoxes(policy).map(({ box, constraint, failure }) => ({
    family: box.family,
    source: box.source,
    destination: box.destination,
    fromPort: box.fromPort,
    toPort: box.toPort,
    constraint,
    producer: `${file}:${box.line} ${box.rule}`,
    failure,
  }));
}

/** The kernel's queue set elements: disjoint per fail mode (a tuple in both is queued fail-closed). */
export function queueEntries(policy: Policy): QueueEntry[] {
  const all = tcpBoxes(policy);
  return (['closed', 'open'] as const).flatMap((failure) =>
    disjointBoxes(
      all.filter((x) => x.failure === failure).map((x) => ({ ...x.box, schedule: undefined })),
    ).map((b) => ({
      family: b.family,
      source: rangeText(b.source),
      destination: rangeText(b.destination),
      ports: portText(b.fromPort, b.toPort),
      rule: b.rule,
      line: b.line,
      failure,
    })),
  );
}
