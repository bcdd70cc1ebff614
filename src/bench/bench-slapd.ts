// A throwaway slapd for the portal benchmark: plain ldap:// on 127.0.0.1 of a
// lab namespace (the node's), one user `bench` (password bench-pass) in group
// cn=vendor-siemens, loaded with slapadd into a temp directory. Shell.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabProcess } from '../lab/lab.js';
import { tcpProbe } from '../lab/observe.js';

export const BENCH_LDAP = {
  suffix: 'dc=plant,dc=example',
  userDn: 'uid={user},ou=people,dc=plant,dc=example',
  groupBase: 'ou=groups,dc=plant,dc=example',
  user: 'bench',
  password: 'bench-pass',
} as const;

const LDIF = `dn: dc=plant,dc=example
objectClass: dcObject
objectClass: organization
o: plant
dc: plant

dn: ou=people,dc=plant,dc=example
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=plant,dc=example
objectClass: organizationalUnit
ou: groups

dn: uid=bench,ou=people,dc=plant,dc=example
objectClass: inetOrgPerson
uid: bench
cn: Bench
sn: Bench
userPassword: bench-pass

dn: cn=vendor-siemens,ou=groups,dc=plant,dc=example
objectClass: groupOfNames
cn: vendor-siemens
member: uid=bench,ou=people,dc=plant,dc=example
`;

/** Starts slapd in the node's namespace on 127.0.0.1:`port`; resolves once it accepts connections. */
export async function startBenchSlapd(lab: Lab, dir: string, port: number): Promise<LabProcess> {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const config = join(dir, 'slapd.conf');
  writeFileSync(
    config,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'database mdb',
      `suffix "${BENCH_LDAP.suffix}"`,
      `rootdn "cn=admin,${BENCH_LDAP.suffix}"`,
      `directory ${join(dir, 'db')}`,
      'maxsize 104857600',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'data.ldif'), LDIF);
  execFileSync('slapadd', ['-f', config, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
  const node = lab.spec.node.name;
  const slapd = lab.spawn(
    node,
    ['slapd', '-f', config, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'],
    'bench-slapd',
  );
  for (let i = 0; i < 100; i++) {
    if ((await tcpProbe(lab, node, '127.0.0.1', port)) === 'open') return slapd;
    await new Promise((r) => setTimeout(r, 100));
  }
  await slapd.stop();
  throw new Error('slapd did not start within 10 s');
}
