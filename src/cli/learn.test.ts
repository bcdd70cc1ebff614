// `picket learn` as a user runs it: the built binary on a public capture,
// writing a policy that `picket check` accepts, and clear errors for files
// that are not captures. Needs `npm run build` first (as `npm test` does).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');
const picket = join(repoRoot, 'bin', 'picket.js');
const capture = join(repoRoot, '..', 'shared', 'pcaps', 'modbus', 'ekin_Modbus.pcap');
const dir = mkdtempSync(join(tmpdir(), 'picket-learn-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync(process.execPath, [picket, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('picket learn (built binary)', () => {
  it('learns a capture into a policy that picket check accepts, with a summary', () => {
    const out = join(dir, 'learned.yaml');
    const r = run('learn', capture, '--out', out, '--site', 'ekin-lab');
    expect(r.stderr).toContain('proposed: 1 zone, 2 assets (1 hmi, 1 plc)');
    expect(r.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('site: ekin-lab');
    expect(text).toContain('modbus: { functions: [read-holding-registers]');
    expect(text).toContain('# Vendors: IEEE registry');
    // 00:1c:c0 is Intel's in the IEEE MA-L registry (Debian ieee-data).
    expect(text).toMatch(
      /plc-192-168-110-138: \{ ip: 192\.168\.110\.138, mac: "00:1c:c0:5f:49:0a", .*# Intel Corporate/,
    );
    const check = execFileSync(process.execPath, [picket, 'check', out], { encoding: 'utf8', stdio: 'pipe' });
    expect(check).toBe('');
  });

  it('prints the policy to stdout without --out, and a JSON summary with --json', () => {
    const plain = run('learn', capture);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^# Proposed by `picket learn` from ekin_Modbus\.pcap/);
    const json = run('learn', capture, '--json');
    expect(json.status).toBe(0);
    const body = JSON.parse(json.stdout) as { valid: boolean; assets: unknown[]; policy: string };
    expect(body.valid).toBe(true);
    expect(body.assets).toHaveLength(2);
    expect(body.policy).toContain('mode: monitor');
  });

  it('refuses a file that is not a capture, and a missing one, with what to do', () => {
    const notPcap = join(dir, 'notes.txt');
    writeFileSync(notPcap, 'not a capture at all\n');
    const r = run('learn', notPcap);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[capture-file]: ${notPcap}: is not a pcap or pcapng capture`);
    expect(r.stderr).toContain('hint: give a .pcap or .pcapng file');
    const missing = run('learn', join(dir, 'nope.pcap'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot open the capture');
  });

  it('exits 2 on a wrong command line', () => {
    expect(run('learn').status).toBe(2);
    expect(run('learn', '--interface', 'eth0').stderr).toContain('--interface needs --duration');
  });
});
