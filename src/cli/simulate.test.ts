// `picket simulate` in-process on a shared public capture: the human report,
// --json, exit 0 when nothing would be blocked and 1 when something would,
// a policy with errors rendered like `picket check` (exit 2), usage errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './errors.js';
import { main as simulate } from './simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'picket-simulate-'));
const capture = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps', 'modbus', 'ekin_Modbus.pcap');

function policy(rules: string): string {
  const file = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `version: 1
site: cli
zones:
  lan: { networks: [192.168.110.0/24] }
assets:
  hmi: { ip: 192.168.110.131, zone: lan }
  plc: { ip: 192.168.110.138, zone: lan }
services:
  modbus: { tcp: [502] }
  s7: { tcp: [102] }
rules:
${rules}enforcement:
  out-of-profile: quarantine
`,
  );
  return file;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const POLLS = '  - { name: hmi-polls-plc, from: hmi, to: plc, services: [modbus] }\n';

describe('picket simulate', () => {
  it('exits 0 and reports per rule and per source when nothing would be blocked', async () => {
    const file = policy(POLLS);
    const o = io();
    expect(await simulate([file, capture])).toBe(0);
    const text = o.out();
    expect(text).toContain(':12 hmi-polls-plc: 102 packets, 1 flow allowed');
    expect(text).toMatch(/192\.168\.110\.131: 51 allowed, 0 blocked/);
    expect(text).toMatch(
      /first allowed #1 2008-10-09 08:45:53\.927 192\.168\.110\.131:2074 → 192\.168\.110\.138:502 tcp/,
    );
    expect(text).toContain('verdict: nothing would be blocked');
  });

  it('exits 1 when the policy would quarantine a source, and says at which packet', async () => {
    const file = policy('  - { name: reads, from: hmi, to: plc, services: [s7] }\n');
    const o = io();
    expect(await simulate([file, capture])).toBe(1);
    expect(o.out()).toMatch(/192\.168\.110\.131: 0 allowed, 51 blocked\n {4}quarantined at #1 /);
    expect(o.out()).toContain('verdict: this policy would block traffic');
  });

  it('prints the same as data with --json', async () => {
    const file = policy(POLLS);
    const o = io();
    expect(await simulate([file, capture, '--json'])).toBe(0);
    const r = JSON.parse(o.out());
    expect(r.captures).toEqual([capture]);
    expect(r.totals).toMatchObject({ frames: 102, allowed: 102, dropped: 0 });
    expect(r.rules[0]).toMatchObject({ rule: 'hmi-polls-plc', packets: 102, flows: 1 });
    expect(r.sources.map((s: { address: string }) => s.address).sort()).toEqual([
      '192.168.110.131',
      '192.168.110.138',
    ]);
  });

  it('renders policy errors like picket check and exits 2', async () => {
    const file = policy('  - { name: reads, from: hmi, to: plcc, services: [modbus] }\n');
    const o = io();
    expect(await simulate([file, capture])).toBe(2);
    expect(o.err()).toMatch(/:12:35: error\[unknown-endpoint\]: rule "reads": to "plcc"/);
    expect(o.err()).toContain('did you mean asset "plc"?');
    expect(o.out()).toBe('');
  });

  it.each([[[]], [['policy.yaml']], [[join(dir, 'missing.yaml'), capture]], [['--bogus']]])(
    'is a usage error (exit 2) for %j',
    async (argv) => {
      await expect(simulate(argv)).rejects.toBeInstanceOf(UsageError);
    },
  );

  it('is a usage error for a file that is not a capture', async () => {
    const file = policy(POLLS);
    await expect(simulate([file, file])).rejects.toBeInstanceOf(UsageError);
  });
});
