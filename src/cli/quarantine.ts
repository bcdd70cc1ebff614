// `picket quarantine list [--json] | add <ip> [--for 1h] | release <ip>`: the
// quarantine sets in this network namespace's kernel, by hand.
// Shell.

import { parseArgs } from 'node:util';
import { readEnforced, readNeverList, readQuarantine } from '../apply/apply.js';
import { parseDurationSeconds } from '../apply/duration.js';
import { createNft, type Nft } from '../apply/nft.js';
import { formatSeconds } from '../apply/plan.js';
import { createStateStore } from '../apply/state-store.js';
import { formatAddress, parseAddress } from '../net/address.js';
import { PicketError, UsageError } from './errors.js';

const USAGE = 'usage: picket quarantine list [--json] | add <ip> [--for 1h] | release <ip>';

/** The address given is not in quarantine. */
export class NotQuarantinedError extends PicketError {
  readonly address: string;
  constructor(address: string) {
    super('not-quarantined', `${address} is not quarantined`, {
      hint: '`picket quarantine list` shows who is',
    });
    this.address = address;
  }
}

/** The address is on the policy's never-list: alerted on, never cut off. */
export class NeverQuarantineError extends PicketError {
  readonly address: string;
  constructor(address: string) {
    super('never-quarantine', `${address} is on the never-list of the enforced policy`, {
      hint: 'safety-critical assets are alerted on, never cut off; change enforcement.quarantine.never to allow it',
    });
    this.address = address;
  }
}

/** No Picket ruleset is enforced here, so there is no quarantine set. */
export class NotEnforcingError extends PicketError {
  constructor() {
    super('not-enforcing', 'Picket enforces nothing in this network namespace', {
      hint: 'run `picket apply <policy.yaml>` first',
    });
  }
}

/** Canonical text of an IP address (as nft prints it), or a usage error. */
function canonicalIp(text: string | undefined): { address: string; family: 4 | 6 } {
  const parsed = text === undefined ? undefined : parseAddress(text);
  if (!parsed) {
    throw new UsageError(
      `"${text ?? ''}" is not an IP address`,
      'give one address, e.g. 10.20.0.99 or fd00::99',
    );
  }
  return { address: formatAddress(parsed), family: parsed.family };
}

function list(nft: Nft, json: boolean): number {
  const elements = readQuarantine(nft);
  if (json) {
    process.stdout.write(`${JSON.stringify(elements, null, 2)}\n`);
    return 0;
  }
  if (elements.length === 0) {
    process.stdout.write('nobody is quarantined\n');
    return 0;
  }
  const width = Math.max(7, ...elements.map((e) => e.address.length));
  let out = `${'address'.padEnd(width)}  expires in\n`;
  for (const e of elements) out += `${e.address.padEnd(width)}  ${formatSeconds(e.expiresSeconds)}\n`;
  process.stdout.write(out);
  return 0;
}

/** `picket quarantine`: exit 0 done, 1 refused, 2 usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: 'boolean' }, for: { type: 'string' } },
  });
  const [verb, ip, ...extra] = positionals;
  if (extra.length > 0 || verb === undefined) throw new UsageError(USAGE);
  const nft = createNft();
  try {
    if (verb === 'list' && ip === undefined) return list(nft, values.json === true);
    if (verb !== 'add' && verb !== 'release') throw new UsageError(USAGE);
    const { address, family } = canonicalIp(ip);
    if (!readEnforced(nft).present) throw new NotEnforcingError();
    const set = `inet picket quarantine${family}`;
    const present = readQuarantine(nft).some((e) => e.address === address);
    if (verb === 'release') {
      if (!present) throw new NotQuarantinedError(address);
      nft.run(`delete element ${set} { ${address} }\n`);
      process.stdout.write(`released ${address} from quarantine\n`);
      return 0;
    }
    const current = createStateStore().readCurrent()?.ruleset;
    // The kernel's never sets are what is enforced; the stored ruleset backs them up.
    const never = readNeverList(nft) ?? current?.never ?? [];
    if (never.includes(address) || current?.never.includes(address)) throw new NeverQuarantineError(address);
    const seconds =
      values.for === undefined
        ? (current?.quarantineTimeoutSeconds ?? 3600)
        : parseDurationSeconds(values.for);
    if (seconds === undefined)
      throw new UsageError(`--for: "${values.for}" is not a duration`, 'write it like 30m or 1h');
    // add leaves an existing element's timer alone; delete+add in one transaction restarts it.
    nft.run(
      `${present ? `delete element ${set} { ${address} }\n` : ''}add element ${set} { ${address} timeout ${seconds}s }\n`,
    );
    process.stdout.write(`quarantined ${address} for ${formatSeconds(seconds)}\n`);
    return 0;
  } finally {
    nft.close();
  }
}
