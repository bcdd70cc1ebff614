// Private identity servers for the portal's end-to-end tests and benchmark: a Debian slapd
// (ldap:// with StartTLS and ldaps://, a test CA made with openssl, a small
// dc=plant,dc=example directory loaded with slapadd) and a Debian freeradius
// (PAP users with Filter-Id / Class, one user answered with an
// Access-Challenge whose one-time code is fixed). Each runs from its own temp
// directory on free loopback ports (never the system's 389/636/1812) and is
// killed by stop(). slapd runs the ppolicy overlay (a locked user, and one
// locked after 3 wrong passwords). Needs root, slapd, slapadd, freeradius and
// openssl.
//
//   test process ──ldap://127.0.0.1:P1 (StartTLS)──▶ slapd  (temp dir, mdb)
//                ──ldaps://127.0.0.1:P2──────────▶ slapd
//                ──udp 127.0.0.1:P3──────────────▶ freeradius -X -f -d <temp>

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The test directory's people, their passwords and what they should map to. */
export const directory = {
  suffix: 'dc=plant,dc=example',
  userDn: 'uid={user},ou=people,dc=plant,dc=example',
  groupBase: 'ou=groups,dc=plant,dc=example',
  passwords: {
    alice: 'alice-pass', // groupOfNames vendor-siemens
    bob: 'bob-pass', // posixGroup maintenance (memberUid)
    carol: 'carol-pass', // no group
    'o,hara': 'ohara-pass', // a comma in the uid: groupOfNames vendor-siemens
    'b*': 'bstar-pass', // memberUid=b* would match bob's group if the filter were not escaped
    dora: 'dora-pass', // locked by the administrator (pwdAccountLockedTime), groupOfNames vendor-siemens
    frank: 'frank-pass', // strict password policy: locked after 3 wrong passwords, groupOfNames vendor-siemens
  },
} as const;

/** The RADIUS users (freeradius `files`), the shared secret, and the challenge user's second factor. */
export const radiusUsers = {
  secret: 'picket-test-shared-secret',
  passwords: { ann: 'ann-pass', ben: 'ben-pass', cid: 'cid-pass', dave: 'dave-pass' },
  /** dave gets an Access-Challenge after his password; this code completes the login. */
  daveCode: '246810',
  challengePrompt: 'Enter the code from your token',
} as const;

export interface Slapd {
  readonly url: string; // ldap:// (StartTLS available)
  readonly ldapsUrl: string;
  readonly caFile: string; // the CA that signed slapd's certificate
  readonly wrongCaFile: string; // a CA that did not
  stop(): Promise<void>;
}

export interface Freeradius {
  readonly host: string;
  readonly port: number;
  readonly secretFile: string;
  readonly wrongSecretFile: string;
  stop(): Promise<void>;
}

/** A TCP port free on loopback right now. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitFor(what: string, check: () => Promise<boolean>, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not come up within ${deadlineMs} ms`);
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Writes into `dir`: ca.crt, server.crt + server.key (127.0.0.1, signed by
 * ca.crt) and wrong-ca.crt (an unrelated CA).
 */
export async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const name of ['ca', 'wrong-ca']) {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=picket test ${name}`,
    ]);
  }
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    join(dir, 'server.key'),
    '-out',
    join(dir, 'server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, 'server.csr'),
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    join(dir, 'server.crt'),
    '-days',
    '2',
    '-extfile',
    join(dir, 'server.ext'),
  ]);
}

function person(uid: string, dnValue: string, password: string, extra: readonly string[] = []): string {
  return [
    `dn: uid=${dnValue},ou=people,dc=plant,dc=example`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${uid}`,
    'sn: test',
    `userPassword: ${password}`,
    ...extra,
    '',
  ].join('\n');
}

function directoryLdif(): string {
  const p = directory.passwords;
  return [
    'dn: dc=plant,dc=example\nobjectClass: dcObject\nobjectClass: organization\no: plant\ndc: plant\n',
    'dn: ou=people,dc=plant,dc=example\nobjectClass: organizationalUnit\nou: people\n',
    'dn: ou=groups,dc=plant,dc=example\nobjectClass: organizationalUnit\nou: groups\n',
    'dn: ou=policies,dc=plant,dc=example\nobjectClass: organizationalUnit\nou: policies\n',
    // The default policy only honours locks; the strict one locks after 3 failures.
    'dn: cn=default,ou=policies,dc=plant,dc=example\nobjectClass: device\nobjectClass: pwdPolicy\ncn: default',
    'pwdAttribute: userPassword\npwdLockout: TRUE\n',
    'dn: cn=strict,ou=policies,dc=plant,dc=example\nobjectClass: device\nobjectClass: pwdPolicy\ncn: strict',
    'pwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 3\n',
    person('alice', 'alice', p.alice),
    person('bob', 'bob', p.bob),
    person('carol', 'carol', p.carol),
    person('o,hara', 'o\\,hara', p['o,hara']),
    person('b*', 'b*', p['b*']),
    person('dora', 'dora', p.dora, ['pwdAccountLockedTime: 000001010000Z']),
    person('frank', 'frank', p.frank, ['pwdPolicySubentry: cn=strict,ou=policies,dc=plant,dc=example']),
    'dn: cn=vendor-siemens,ou=groups,dc=plant,dc=example\nobjectClass: groupOfNames\ncn: vendor-siemens',
    'member: uid=alice,ou=people,dc=plant,dc=example\nmember: uid=o\\,hara,ou=people,dc=plant,dc=example',
    'member: uid=dora,ou=people,dc=plant,dc=example\nmember: uid=frank,ou=people,dc=plant,dc=example\n',
    'dn: cn=maintenance,ou=groups,dc=plant,dc=example\nobjectClass: posixGroup\ncn: maintenance\ngidNumber: 2000',
    'memberUid: bob\n',
    'dn: cn=unmapped,ou=groups,dc=plant,dc=example\nobjectClass: groupOfNames\ncn: unmapped',
    'member: uid=carol,ou=people,dc=plant,dc=example\n',
  ].join('\n');
}

/** Starts a private slapd with the test directory; resolves once both ports accept connections. */
export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'picket-slapd-'));
  await makeCertificates(dir);
  const config = join(dir, 'slapd.conf');
  writeFileSync(
    config,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload ppolicy',
      `pidfile ${join(dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${join(dir, 'ca.crt')}`,
      `TLSCertificateFile ${join(dir, 'server.crt')}`,
      `TLSCertificateKeyFile ${join(dir, 'server.key')}`,
      'database mdb',
      'suffix "dc=plant,dc=example"',
      'rootdn "cn=admin,dc=plant,dc=example"',
      `directory ${dir}`,
      'maxsize 10485760',
      'overlay ppolicy',
      'ppolicy_default "cn=default,ou=policies,dc=plant,dc=example"',
      'ppolicy_use_lockout',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'data.ldif'), directoryLdif());
  await run('slapadd', ['-f', config, '-l', join(dir, 'data.ldif')]);
  const [ldapPort, ldapsPort] = [await freeTcpPort(), await freeTcpPort()];
  const urls = `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`;
  // -d 0 keeps slapd in the foreground so the test owns the process.
  const child = spawn('slapd', ['-f', config, '-h', urls, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'slapd',
      async () => {
        if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
        return (await tcpOpen(ldapPort)) && (await tcpOpen(ldapsPort));
      },
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `ldap://127.0.0.1:${ldapPort}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    caFile: join(dir, 'ca.crt'),
    wrongCaFile: join(dir, 'wrong-ca.crt'),
    stop,
  };
}

function radiusConfig(dir: string, port: number): string {
  const stateHex = `0x${Buffer.from('picket-otp-state').toString('hex')}`;
  return `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
raddbdir = ${dir}
confdir = ${dir}
logdir = ${dir}
run_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/radiusd.pid
name = freeradius
max_request_time = 5
cleanup_delay = 0
max_requests = 4096
hostname_lookups = no
log {
	destination = stdout
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
}
client picket {
	ipaddr = 127.0.0.1
	secret = ${radiusUsers.secret}
	require_message_authenticator = yes
}
modules {
	files {
		filename = ${dir}/users
	}
	pap {
	}
	always reject {
		rcode = reject
	}
	always handled {
		rcode = handled
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = ${port}
	}
	authorize {
		if (&User-Name == "dave") {
			if (&State) {
				if (&State == ${stateHex} && &User-Password == "${radiusUsers.daveCode}") {
					update reply {
						Filter-Id := "vendor"
					}
					update control {
						Auth-Type := Accept
					}
				}
				else {
					reject
				}
			}
			elsif (&User-Password == "${radiusUsers.passwords.dave}") {
				update reply {
					State := ${stateHex}
					Reply-Message := "${radiusUsers.challengePrompt}"
				}
				update control {
					Response-Packet-Type := Access-Challenge
				}
				handled
			}
			else {
				reject
			}
		}
		else {
			files
			pap
		}
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
}
`;
}

const radiusUsersFile = `ann	Cleartext-Password := "${radiusUsers.passwords.ann}"
	Filter-Id := "vendor"

ben	Cleartext-Password := "${radiusUsers.passwords.ben}"
	Class := "maintenance"

cid	Cleartext-Password := "${radiusUsers.passwords.cid}"
	Filter-Id := "unmapped"
`;

/** A UDP port free on loopback right now. */
export async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Starts a private freeradius; resolves once it says it is ready. `debug`
 * (the default, for tests) runs it single-threaded with -X; the benchmark
 * runs it threaded and quiet, as in production.
 */
export async function startFreeradius(options: { readonly debug?: boolean } = {}): Promise<Freeradius> {
  const dir = mkdtempSync(join(tmpdir(), 'picket-radius-'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'radiusd.conf'), radiusConfig(dir, port));
  writeFileSync(join(dir, 'users'), radiusUsersFile);
  writeFileSync(join(dir, 'secret'), `${radiusUsers.secret}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'wrong-secret'), 'not-the-shared-secret\n', { mode: 0o600 });
  const mode = options.debug === false ? [] : ['-X'];
  const child = spawn('freeradius', [...mode, '-f', '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'freeradius',
      async () => {
        if (child.exitCode !== null) throw new Error(`freeradius exited: ${output.slice(-2000)}`);
        return output.includes('Ready to process requests');
      },
      15_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  // -X prints every request; keep reading so the pipes never fill, but drop the text.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.off('data', collect);
    stream?.resume();
  }
  return {
    host: '127.0.0.1',
    port,
    secretFile: join(dir, 'secret'),
    wrongSecretFile: join(dir, 'wrong-secret'),
    stop,
  };
}
