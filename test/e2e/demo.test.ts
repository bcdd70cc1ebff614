// `picket demo`, the README's first command, run as a user runs it: the story
// must hold (exit 0) and say what the node saw as it happened: the attacker's
// sweep finds the decoys, touching one quarantines it, the real PLCs see
// nothing. Needs root.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { picketBin, requireBuild } from './plant.js';

const run = promisify(execFile);

describe('picket demo', () => {
  it('tells the story with the node running: decoys believed and tripped, scan blocked, attacker quarantined, detections live, production untouched', async () => {
    requireBuild();
    const { stdout } = await run(process.execPath, [picketBin, 'demo'], {
      timeout: 240_000,
      maxBuffer: 8 * 1024 * 1024,
    });
    expect(stdout).toMatch(/probes that reached a PLC \(tcpdump on plc-a1, plc-a2\): 0, 0/);
    expect(stdout).toMatch(/the attacker's map: 5 devices \(.*\), 3 of them decoys/);
    expect(stdout).toMatch(/\+\d+\.\d+ s\s+critical\s+decoy-touch\s+quarantined\s+ARP who-has/);
    expect(stdout).toMatch(/S7 read SZL 0x0011/);
    expect(stdout).toMatch(/serial S C-\S+ — a decoy/);
    expect(stdout).toMatch(/already quarantined, by its first touch of a decoy/);
    expect(stdout).toMatch(/attacker → plc-a1:502: still dropped/);
    expect(stdout).toMatch(/HMI's polls: \d+ answered, 0 failed/);
    expect(stdout).toMatch(/What Picket did/);
  }, 260_000);
});
