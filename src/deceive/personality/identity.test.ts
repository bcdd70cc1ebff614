// Identities: deterministic per (site, profile, index), different across sites,
// MACs under the vendor's real IEEE OUI and unique within a site, every
// profile's services, and values that look like the real thing.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drawIdentity, PROFILES, plantNameOf, servicesOf } from './index.js';
import { PROFILE_TABLES } from './profiles.js';

describe('identities', () => {
  it('are the same for the same seed and index, and differ across sites', () => {
    for (const profile of PROFILES) {
      expect(drawIdentity(profile, 'site-a', 3)).toEqual(drawIdentity(profile, 'site-a', 3));
      const a = drawIdentity(profile, 'site-a', 0);
      const b = drawIdentity(profile, 'site-b', 0);
      expect(a.serial === b.serial && a.mac === b.mac && a.hostname === b.hostname).toBe(false);
    }
  });

  it('give every decoy of a site a distinct MAC', () => {
    const macs = PROFILES.flatMap((p) =>
      Array.from({ length: 200 }, (_, i) => drawIdentity(p, 'plant-7', i).mac),
    );
    expect(new Set(macs).size).toBe(macs.length);
    for (const mac of macs) expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  });

  it('use OUIs the IEEE registry assigns to the vendor named', () => {
    const registry = new Map(
      readFileSync('/usr/share/ieee-data/oui.csv', 'utf8')
        .split('\n')
        .map((line) => line.split(','))
        .map(([, oui = '', ...org]) => [oui, org.join(',').toLowerCase()] as const),
    );
    const words: Record<string, string> = {
      Siemens: 'siemens',
      'Schneider Electric': 'schneider|telemecanique',
      'Rockwell Automation/Allen-Bradley': 'rockwell',
      'Johnson Controls, Inc.': 'johnson controls',
      'Delta Controls': 'delta controls',
      'Siemens Building Technologies': 'siemens',
      Trane: 'trane',
      ABB: 'abb',
      GE: 'general electric',
      'Dell Inc.': 'dell',
      'Hewlett Packard': 'hewlett packard',
    };
    for (const table of Object.values(PROFILE_TABLES)) {
      for (const variant of table.variants) {
        for (const oui of variant.ouis) {
          expect(registry.get(oui), `${variant.vendor} ${oui}`).toMatch(
            new RegExp(words[variant.vendor] ?? '^$'),
          );
        }
      }
    }
  });

  it('carry one plant name per site', () => {
    const names = new Set(PROFILES.map((p, i) => drawIdentity(p, 'north', i).plantName));
    expect([...names]).toEqual([plantNameOf('north')]);
    expect(plantNameOf('north')).not.toBe(plantNameOf('south'));
  });

  it('look like the real devices', () => {
    const s7 = drawIdentity('s7-300', 'x', 0);
    expect(s7.serial).toMatch(/^S C-[A-Z]\d[A-Z0-9]{2}\d{8,9}$/);
    expect(s7.firmware).toMatch(/^V3\.\d\.\d+$/);
    expect(String(s7.fields.orderNumber)).toMatch(/^6ES7 31\d-\d[A-Z]{2}\d\d-0AB0$/);
    expect(drawIdentity('controllogix', 'x', 0).serial).toMatch(/^[0-9A-F]{8}$/);
    expect(drawIdentity('engineering-workstation', 'x', 0).hostname).toMatch(/^(EWS|ENG-WS|ES-)/);
  });

  it('offer the services of their profile', () => {
    const ports = (p: (typeof PROFILES)[number]) =>
      servicesOf(drawIdentity(p, 'x', 0)).map((s) => `${s.transport}/${s.port}/${s.protocol}`);
    expect(ports('s7-300')).toEqual(['tcp/102/s7comm']);
    expect(ports('modicon-m340')).toEqual(['tcp/502/modbus', 'tcp/80/http']);
    expect(ports('controllogix')).toEqual(['tcp/44818/enip', 'udp/44818/enip']);
    expect(ports('bacnet-controller')).toEqual(['udp/47808/bacnet']);
    expect(ports('iec104-rtu')).toEqual(['tcp/2404/iec104']);
    expect(ports('dnp3-outstation')).toEqual(['tcp/20000/dnp3']);
    expect(ports('engineering-workstation')).toEqual(['tcp/22/ssh', 'tcp/5900/vnc', 'tcp/80/http']);
  });
});
