// End-to-end: a policy time window opens and closes in the kernel, with no
// Picket process running, in a time zone that is not the kernel's (UTC).
//
//   hist-1 10.20.0.5 ──[sw-upstream]──up0─[ node: br0 + picket ]─cell0──[sw-cell]── plc-a2 10.20.1.11
//
// The test writes a one-minute window starting at the next full minute of
// America/Chicago wall time, applies it once, and probes hist-1 → plc-a2:502
// with a new TCP connection every ~0.5 s until the window has closed.
// Needs root; takes up to ~2.5 minutes of real time (the kernel's clock is real).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, loadLabSpec } from '../../src/lab/lab.js';
import { type ProbeResult, picket, requireBuild, root, tcpProbe } from './plant.js';

const labName = `e2e-window-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-window-'));
const zone = 'America/Chicago';
let lab: Lab;

/** Wall-clock parts of `ms` in `zone`. */
function local(ms: number): { day: string; hhmm: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { day: get('weekday').toLowerCase(), hhmm: `${get('hour')}:${get('minute')}` };
}

beforeAll(async () => {
  requireBuild();
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  const hosts = spec.hosts.map((h) => ({ ...h, services: h.name === 'hmi-a' ? [] : h.services }));
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
});

afterAll(async () => {
  await destroyLab(labName);
});

it('opens and closes a time window in the kernel with no Picket process running', async () => {
  // Leave at least 15 s before the window opens, to see it closed first.
  const openAt = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
  const closeAt = openAt + 60_000;
  const from = local(openAt);
  const to = local(closeAt);
  const policy = readFileSync(join(root, 'examples', 'policy.yaml'), 'utf8')
    .replace(
      /maintenance: \{[^}]*\}/,
      `maintenance: { days: [${from.day}], from: "${from.hhmm}", to: "${to.hhmm}", timezone: ${zone} }`,
    )
    .replace(
      '  - name: engineering-maintains-plcs\n    from: eng-ws',
      '  - name: engineering-maintains-plcs\n    from: hist-1',
    )
    .replace('services: [s7, modbus]\n    when: maintenance', 'services: [s7]\n    when: maintenance')
    .replace('out-of-profile: quarantine', 'out-of-profile: block');
  const file = join(work, 'window.yaml');
  writeFileSync(file, policy);
  const applied = await picket(lab, ['apply', file], { PICKET_STATE_DIR: join(work, 'state'), TZ: zone });
  expect(applied.code, applied.stderr).toBe(0);
  // Nothing of Picket runs from here on: only the kernel decides.
  const running = await lab.exec(lab.spec.node.name, ['pgrep', '-f', 'bin/picket.js'], { check: false });
  expect(running.stdout.trim()).toBe('');

  const timeline: { at: number; result: ProbeResult }[] = [];
  while (Date.now() < closeAt + 8_000) {
    const at = Date.now();
    // s7 (102) is only allowed in the window; the PLC does not listen there, so "open"
    // shows up as a refused connection (RST from the PLC) and "closed" as a timeout.
    timeline.push({ at, result: await tcpProbe(lab, 'hist-1', lab.ip('plc-a2'), 102, 0.5) });
    const spent = Date.now() - at;
    if (spent < 500) await new Promise((r) => setTimeout(r, 500 - spent));
  }
  const render = timeline.map((p) => `${new Date(p.at).toISOString()} ${p.result}`).join('\n');
  const before = timeline.filter((p) => p.at < openAt - 1000);
  const inside = timeline.filter((p) => p.at > openAt + 1000 && p.at < closeAt - 1500);
  const after = timeline.filter((p) => p.at > closeAt + 1000);
  expect(before.length, render).toBeGreaterThan(3);
  expect(
    before.every((p) => p.result === 'timeout'),
    render,
  ).toBe(true);
  expect(inside.length, render).toBeGreaterThan(20);
  expect(
    inside.every((p) => p.result === 'refused'),
    render,
  ).toBe(true);
  expect(after.length, render).toBeGreaterThan(3);
  expect(
    after.every((p) => p.result === 'timeout'),
    render,
  ).toBe(true);
}, 200_000);
