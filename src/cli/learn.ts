// `picket learn <capture>…`: proposes a policy from captured traffic. Shell.
// (Being built; see issue 5.)

import { PicketError } from './errors.js';

/** Runs `picket learn`; returns the exit code. */
export async function main(_argv: readonly string[]): Promise<number> {
  throw new PicketError('not-ready', 'picket learn is being built', { hint: 'try again later' });
}
