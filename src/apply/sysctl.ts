// br_netfilter switches of this network namespace: with them on, bridged IPv4
// and IPv6 traffic passes the inet family hooks where Picket's rules are;
// without them it bypasses Picket entirely. Decides nothing.
// Shell.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PicketError } from '../cli/errors.js';

const BRIDGE_DIR = '/proc/sys/net/bridge';
// filter-vlan-tagged: without it, 802.1Q-tagged IP frames skip the inet hooks,
// so a tagged packet would bypass the policy entirely.
const SWITCHES = [
  'bridge-nf-call-iptables',
  'bridge-nf-call-ip6tables',
  'bridge-nf-filter-vlan-tagged',
] as const;

/** Whether br_netfilter is loaded here and which switches had to be turned on. */
export interface BridgeNetfilter {
  readonly available: boolean;
  readonly enabled: readonly string[];
}

/** A br_netfilter switch could not be turned on. */
export class SysctlError extends PicketError {
  readonly key: string;
  constructor(key: string, cause: unknown) {
    super('sysctl', `cannot set ${key}=1`, {
      cause,
      hint: 'run as root in the network namespace of the bridge',
    });
    this.key = key;
  }
}

/** Turns on net.bridge.bridge-nf-call-iptables/ip6tables and filter-vlan-tagged in this netns when br_netfilter is loaded. */
export function ensureBridgeNetfilter(dir: string = BRIDGE_DIR): BridgeNetfilter {
  if (!existsSync(dir)) return { available: false, enabled: [] };
  const enabled: string[] = [];
  for (const name of SWITCHES) {
    const path = `${dir}/${name}`;
    const key = `net.bridge.${name}`;
    try {
      if (readFileSync(path, 'utf8').trim() === '1') continue;
      writeFileSync(path, '1\n');
      enabled.push(key);
    } catch (error) {
      throw new SysctlError(key, error);
    }
  }
  return { available: true, enabled };
}
