// A batch of decided actions → one nftables transaction of set element changes
// (quarantine adds, releases) plus what is only recorded or alerted. Never-list
// addresses are never quarantined (alerted instead); in sensor mode nothing
// reaches the kernel. Action[] → nft text + tallies. Pure.

import type { Action } from '../decide/decision.js';

/** What the batch does, and what it refused to do. */
export interface ActionBatch {
  /** One transaction's text; empty when nothing goes to the kernel. */
  readonly commands: string;
  readonly quarantined: readonly string[];
  readonly released: readonly string[];
  /** Quarantines refused because the address is on the never-list (alerted instead). */
  readonly spared: readonly string[];
  /** Actions the kernel cannot carry out here (sensor mode, no block-flow set), with why. */
  readonly skipped: readonly { readonly action: Action; readonly why: string }[];
}

/** What the batch may do: the never list, whether the kernel is ours to change, optional sets. */
export interface BatchLimits {
  readonly never: ReadonlySet<string>;
  readonly enforcing: boolean;
  /** Whether the ruleset declares `blockflow4`/`blockflow6` (address . address . proto . port sets). */
  readonly blockFlowSets: boolean;
}

const familyOf = (address: string) => (address.includes(':') ? 6 : 4);

/** Renders a batch; the last action about an address wins (quarantine then release → release). */
export function renderActionBatch(actions: readonly Action[], limits: BatchLimits): ActionBatch {
  const quarantine = new Map<string, number>();
  const release = new Set<string>();
  const spared: string[] = [];
  const skipped: { action: Action; why: string }[] = [];
  const flows: string[] = [];
  for (const action of actions) {
    switch (action.type) {
      case 'quarantine':
        if (limits.never.has(action.address)) {
          spared.push(action.address);
        } else if (!limits.enforcing) {
          skipped.push({ action, why: 'sensor mode: nothing is enforced' });
        } else {
          release.delete(action.address);
          quarantine.set(action.address, Math.max(1, Math.round(action.durationSeconds)));
        }
        break;
      case 'release':
        if (!limits.enforcing) skipped.push({ action, why: 'sensor mode: nothing is enforced' });
        else {
          quarantine.delete(action.address);
          release.add(action.address);
        }
        break;
      case 'block-flow':
        if (!limits.enforcing || !limits.blockFlowSets) {
          skipped.push({
            action,
            why: limits.enforcing ? 'the ruleset has no block-flow set' : 'sensor mode: nothing is enforced',
          });
        } else {
          const f = familyOf(action.source);
          flows.push(
            `add element inet picket blockflow${f} { ${action.source} . ${action.destination} . ${action.protocol} . ${action.port} timeout ${Math.max(1, Math.round(action.durationSeconds))}s }`,
          );
        }
        break;
      case 'record':
      case 'alert':
        break;
    }
  }
  const lines: string[] = [];
  for (const [address, seconds] of quarantine) {
    lines.push(`add element inet picket quarantine${familyOf(address)} { ${address} timeout ${seconds}s }`);
  }
  // `delete` of an absent element fails the whole transaction: adding it first
  // makes the release succeed whether or not the kernel's timeout beat us to it.
  for (const address of release) {
    const set = `inet picket quarantine${familyOf(address)}`;
    lines.push(`add element ${set} { ${address} }`, `delete element ${set} { ${address} }`);
  }
  lines.push(...flows);
  return {
    commands: lines.length === 0 ? '' : `${lines.join('\n')}\n`,
    quarantined: [...quarantine.keys()],
    released: [...release],
    spared,
    skipped,
  };
}
