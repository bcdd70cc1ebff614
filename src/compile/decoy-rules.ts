// The decoy rules and sets of both tables, present only when the policy has a
// `decoys:` section. inet forward chain, BEFORE the quarantine drop: a packet
// to a decoy address quarantines its source from the packet path (never-list
// sources are only logged), is logged `picket:decoy:` and accepted, so the
// decoy keeps talking to a quarantined attacker while its way to real assets
// stays shut; decoy replies pass; a NEW flow from a decoy address is someone
// else claiming it (`picket:decoy-claim:`). bridge forward chain: ARP requests
// for a decoy are logged for the node to quarantine the sender (the quarantine
// set lives in the inet table), ARP claiming a decoy address from another MAC
// (or probing for it) is logged as a claim, and every ARP sender is remembered
// in `seen4` so placement avoids live addresses. The node fills `decoys4`,
// `decoys6` and `decoyhw4`. Ruleset → rule and set lines. Pure.

import { comment } from './nft-syntax.js';
import { LOG_PREFIX, type Ruleset } from './ruleset.js';

/** Names of the decoy sets; the node fills them (and apply carries them over a re-apply). */
export const DECOY_SETS = {
  /** Decoy addresses (inet and bridge tables). */
  v4: 'decoys4',
  v6: 'decoys6',
  /** Decoy address . MAC pairs (bridge table): ARP from these is the decoy itself. */
  hw4: 'decoyhw4',
  /** Every ARP sender address heard on the bridge in the last hour (bridge table). */
  seen4: 'seen4',
  /** Real asset address → the decoy that answers quarantined sources in its place (inet table). */
  deceive4: 'deceive4',
} as const;

/** How long an ARP sender counts as live for placement. */
export const SEEN_TIMEOUT_SECONDS = 3600;

/** How the rules cite the policy and log (the forward chain's writer). */
export interface DecoyWriter {
  readonly r: Ruleset;
  /** A comment citing the decoys section. */
  at(what: string): string;
  /** A rate-limited NFLOG statement with the prefix. */
  log(prefix: string): string;
}

/** True when a touch quarantines its source in the kernel. */
function contains(r: Ruleset): boolean {
  return r.mode === 'enforce' && r.outOfProfile !== 'alert';
}

/** The inet forward-chain rules, to go first in the chain (empty without decoys). */
export function decoyForwardRules({ r, at, log }: DecoyWriter): string[] {
  if (!r.decoys) return [];
  const out: string[] = [];
  for (const [ip, family] of [
    ['ip', 4],
    ['ip6', 6],
  ] as const) {
    const to = `${ip} daddr @decoys${family}`;
    if (contains(r)) {
      out.push(
        `${to} ${ip} saddr != @never${family} add @quarantine${family} { ${ip} saddr } counter${at('decoy touched: quarantine the source')}`,
      );
    }
    out.push(`${to} ${log(LOG_PREFIX.decoy)}${at('decoy touched')}`);
    out.push(`${to} counter accept${at('decoy touched: let the decoy answer')}`);
    const from = `${ip} saddr @decoys${family}`;
    out.push(`${from} ct state established,related counter accept${at('decoy replies')}`);
    out.push(
      `${from} ${log(LOG_PREFIX.decoyClaim)}${at('a new flow from a decoy address: a real device claims it')}`,
    );
  }
  return out;
}

/** The inet table's decoy sets (and the deceive map and its nat chain with `deceive: true`). */
export function decoyInetSets(r: Ruleset): string[][] {
  if (!r.decoys) return [];
  const out = [
    [`set ${DECOY_SETS.v4} {`, '\ttype ipv4_addr', '}'],
    [`set ${DECOY_SETS.v6} {`, '\ttype ipv6_addr', '}'],
  ];
  if (r.decoys.deceive && contains(r)) {
    const at = comment(`${r.policyFile}:${r.decoys.line} decoys: deceive`);
    out.push([`map ${DECOY_SETS.deceive4} {`, '\ttype ipv4_addr : ipv4_addr', '}']);
    // A new connection from a quarantined source to a real asset goes to that
    // asset's decoy instead (br_netfilter hands bridged IPv4 to nat prerouting;
    // the node routes decoy addresses via the bridge so the bridged DNAT finds them).
    out.push([
      'chain deceive {',
      '\ttype nat hook prerouting priority dstnat; policy accept;',
      `\tip saddr @quarantine4 ip daddr != @${DECOY_SETS.v4} counter dnat ip to ip daddr map @${DECOY_SETS.deceive4}${at}`,
      '}',
    ]);
  }
  return out;
}

/** The bridge table's decoy sets. */
export function decoyBridgeSets(r: Ruleset): string[][] {
  if (!r.decoys) return [];
  return [
    [`set ${DECOY_SETS.v4} {`, '\ttype ipv4_addr', '}'],
    [`set ${DECOY_SETS.hw4} {`, '\ttype ipv4_addr . ether_addr', '}'],
    [
      `set ${DECOY_SETS.seen4} {`,
      '\ttype ipv4_addr',
      `\tflags dynamic, timeout`,
      `\ttimeout ${SEEN_TIMEOUT_SECONDS}s`,
      '\tsize 65536',
      '}',
    ],
  ];
}

/** The bridge forward-chain rules, to go first in the chain (empty without decoys). */
export function decoyBridgeRules({ r, at, log }: DecoyWriter): string[] {
  if (!r.decoys) return [];
  const notDecoy = 'arp saddr ip != @decoys4';
  return [
    `arp saddr ip != 0.0.0.0 ${notDecoy} update @seen4 { arp saddr ip }${at('live addresses, kept out of decoy placement')}`,
    `arp operation request arp daddr ip @decoys4 arp saddr ip != 0.0.0.0 ${notDecoy} ${log(LOG_PREFIX.decoy)}${at('ARP for a decoy: the node quarantines the sender')}`,
    `arp saddr ip @decoys4 arp saddr ip . arp saddr ether != @decoyhw4 ${log(LOG_PREFIX.decoyClaim)}${at('ARP claims a decoy address from another MAC: the decoy yields')}`,
    `arp operation request arp saddr ip 0.0.0.0 arp daddr ip @decoys4 ${log(LOG_PREFIX.decoyClaim)}${at('ARP probe for a decoy address: the decoy yields')}`,
  ];
}
