import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse.js';

const head = `version: 1
site: s
zones:
  cell: { networks: [10.0.1.0/24] }
assets:
  plc-1: { ip: 10.0.1.10, zone: cell }
services:
  modbus: { tcp: [502] }
enforcement: { unrecognized: portal }
`;

function read(portal: string) {
  const { policy, diagnostics } = parsePolicy(`${head}portal:\n${portal}`, 'p.yaml');
  return { portal: policy?.portal, codes: diagnostics.map((d) => `${d.severity}:${d.code}`) };
}

describe('the portal section', () => {
  it('fills the defaults: port 8443, grant 1h of at most 8h, 3 s timeouts, 2 RADIUS retries', () => {
    const { portal, codes } = read(`  backends:
    - name: d
      ldap: { url: "ldap://10.0.0.5", user-dn: "uid={user},dc=x" }
    - name: r
      radius: { server: 10.0.0.6, secret-file: /s }
  roles:
    v: { to: [plc-1], services: [modbus] }
`);
    expect(codes).toEqual([]);
    expect(portal).toMatchObject({ listenPort: 8443, grantDefaultSeconds: 3600, grantMaxSeconds: 28800 });
    expect(portal?.certificate).toBeUndefined();
    expect(portal?.backends).toMatchObject([
      { kind: 'ldap', name: 'd', startTls: false, timeoutMs: 3000, roles: [] },
      { kind: 'radius', name: 'r', host: '10.0.0.6', port: 1812, timeoutMs: 3000, retries: 2 },
    ]);
    expect(portal?.roles).toMatchObject([
      { name: 'v', to: [{ kind: 'asset', name: 'plc-1' }], services: ['modbus'] },
    ]);
  });

  it('reads every key of the agreed shape', () => {
    const { portal, codes } = read(`  listen: 9443
  certificate: { cert: /c.pem, key: /k.pem }
  grant: { default: 30m, max: 2h }
  backends:
    - name: corp-ldap
      ldap:
        url: ldaps://10.0.0.5:636
        ca: /ca.pem
        user-dn: "uid={user},ou=people,dc=plant,dc=example"
        group-base: "ou=groups,dc=plant,dc=example"
        group-filter: "(member={dn})"
        timeout: 5s
        roles: { "cn=Vendors,ou=groups,dc=plant,dc=example": v }
    - name: r
      radius: { server: "[fd00::6]:1645", secret-file: /s, timeout: 1s, retries: 0, roles: { vendor: v } }
    - name: api
      http: { url: "https://idp.example/authorize", token-file: /t, ca: /ca2.pem, timeout: 2s }
  roles:
    v: { to: [cell], services: [modbus], max: 1h }
`);
    expect(codes).toEqual([]);
    expect(portal).toMatchObject({
      listenPort: 9443,
      certificate: { cert: '/c.pem', key: '/k.pem' },
      grantDefaultSeconds: 1800,
      grantMaxSeconds: 7200,
      roles: [{ name: 'v', to: [{ kind: 'zone', name: 'cell' }], maxSeconds: 3600 }],
    });
    expect(portal?.backends).toMatchObject([
      {
        kind: 'ldap',
        caFile: '/ca.pem',
        groupFilter: '(member={dn})',
        timeoutMs: 5000,
        roles: [{ match: 'cn=Vendors,ou=groups,dc=plant,dc=example', role: 'v' }],
      },
      {
        kind: 'radius',
        host: 'fd00::6',
        port: 1645,
        timeoutMs: 1000,
        retries: 0,
        roles: [{ match: 'vendor', role: 'v' }],
      },
      {
        kind: 'http',
        url: 'https://idp.example/authorize',
        tokenFile: '/t',
        caFile: '/ca2.pem',
        timeoutMs: 2000,
      },
    ]);
  });

  it.each([
    ['a grant default above its max', '  grant: { default: 9h }\n', 'error:grant-default-above-max'],
    ['an unknown key', '  listn: 8443\n', 'error:unknown-key'],
    ['a backend of no kind', '  backends: [{ name: x }]\n', 'error:missing-key'],
  ])('reports %s', (_name, extra, code) => {
    const base =
      '  backends: [{ name: a, http: { url: "https://i/a" } }]\n  roles: { v: { to: [plc-1], services: [modbus] } }\n';
    expect(
      read(
        extra.includes('backends')
          ? `${extra}  roles: { v: { to: [plc-1], services: [modbus] } }\n`
          : `${base}${extra}`,
      ).codes,
    ).toContain(code);
  });
});
