import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse.js';
import { compile } from './compile.js';
import { permitSetFor } from './portal.js';
import { renderNft } from './render.js';

function policy(enforcement: string, extraAssets = ''): string {
  return `version: 1
site: s
zones:
  cell: { networks: [10.0.1.0/24, "fd00:1::/64"] }
assets:
  plc-1: { ip: 10.0.1.10, zone: cell }
  plc-6: { ip: "fd00:1::10", zone: cell }
${extraAssets}services:
  modbus: { tcp: [502] }
  web: { tcp: [80, 8080-8090] }
enforcement: ${enforcement}
portal:
  backends:
    - { name: api, http: { url: "https://idp.example/a" } }
  roles:
    vendor-engineer: { to: [plc-1], services: [modbus] }
    Vendor_Engineer: { to: [cell, plc-6], services: [modbus, web], max: 2h }
`;
}

function compiled(enforcement: string) {
  const { policy: p, diagnostics } = parsePolicy(policy(enforcement), 'p.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return compile(p!, { nowMs: 0 });
}

describe('the portal in the ruleset', () => {
  it('redirects and drops unrecognized sources only in enforce mode with unrecognized: portal', () => {
    expect(compiled('{ mode: enforce, unrecognized: portal }').portal?.redirect).toBe(true);
    expect(compiled('{ mode: monitor, unrecognized: portal }').portal?.redirect).toBe(false);
    expect(compiled('{ mode: enforce, unrecognized: block }').portal?.redirect).toBe(false);
    const monitor = renderNft(compiled('{ mode: monitor, unrecognized: portal }'));
    expect(monitor).not.toContain('chain portal');
    expect(monitor).not.toContain('@known4');
    expect(monitor).toContain('set permit_vendor_engineer4');
  });

  it('gives roles distinct set names even when their names sanitize alike, per family they reach', () => {
    const r = compiled('{ mode: enforce, unrecognized: portal }');
    expect(r.portal?.roles.map((x) => [x.role, x.id])).toEqual([
      ['Vendor_Engineer', 'vendor_engineer'],
      ['vendor-engineer', 'vendor_engineer_2'],
    ]);
    expect(permitSetFor(r, 'vendor-engineer', 4)).toBe('permit_vendor_engineer_24');
    expect(permitSetFor(r, 'vendor-engineer', 6)).toBeUndefined();
    expect(permitSetFor(r, 'Vendor_Engineer', 6)).toBe('permit_vendor_engineer6');
    expect(permitSetFor(r, 'nobody', 4)).toBeUndefined();
  });

  it('cuts a role’s overlapping destinations into disjoint tuples (the kernel refuses overlaps)', () => {
    const r = compiled('{ mode: enforce, unrecognized: portal }');
    const wide = r.portal?.roles.find((x) => x.role === 'Vendor_Engineer');
    expect(wide?.entries.filter((e) => e.family === 4)).toEqual([
      { family: 4, destination: '10.0.1.0/24', transport: 'tcp', ports: '80' },
      { family: 4, destination: '10.0.1.0/24', transport: 'tcp', ports: '502' },
      { family: 4, destination: '10.0.1.0/24', transport: 'tcp', ports: '8080-8090' },
    ]);
  });

  it('puts permits before the out-of-profile tail and the unrecognized drop before quarantine', () => {
    const text = renderNft(compiled('{ mode: enforce, unrecognized: portal }'));
    const at = (needle: string) => text.indexOf(needle);
    expect(at('@permit_vendor_engineer_24 ip daddr')).toBeGreaterThan(at('@allow4 counter accept'));
    expect(at('ip saddr != @known4 counter drop')).toBeGreaterThan(at('@permit_vendor_engineer_24 ip daddr'));
    expect(at('add @quarantine4')).toBeGreaterThan(at('ip saddr != @known4 counter drop'));
    expect(text).toContain('tcp dport 80 counter redirect to :8444');
    expect(text).toContain('tcp dport 443 counter redirect to :8443');
  });
});
