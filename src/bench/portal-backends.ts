// `npm run bench -- portal-backends [--seconds S] [--rounds R] [--concurrency C]`:
// authentications/s of the portal's LDAP and RADIUS backends against a
// private slapd and freeradius on loopback (src/lab/identity-servers.ts),
// each beside a bare baseline measured in the same run against the same
// server: a bare ldapts bind + unbind on a new connection (what a login
// cannot do with less), one `ldapwhoami` process per bind, and `radclient`
// sending the same Access-Requests in parallel. Writes its section of
// docs/BENCHMARKS.md. Shell.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';
import { UsageError } from '../cli/errors.js';
import { directory, radiusUsers, startFreeradius, startSlapd } from '../lab/identity-servers.js';
import type { LdapBackendConfig, RadiusBackendConfig } from '../policy/types.js';
import { type AuthBackend, createBackend } from '../portal/backend.js';
import { replaceSection } from './doc-section.js';
import { ratio, spread } from './report.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const loc = { file: 'bench', line: 1, col: 1 };

interface Options {
  readonly seconds: number;
  readonly rounds: number;
  readonly concurrency: number;
}

function parseOptions(args: readonly string[]): Options {
  const options = { seconds: 3, rounds: 3, concurrency: 8 };
  const keys: Readonly<Record<string, keyof Options>> = {
    '--seconds': 'seconds',
    '--rounds': 'rounds',
    '--concurrency': 'concurrency',
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = keys[args[i] ?? ''];
    const value = Number(args[i + 1]);
    if (key === undefined || !Number.isInteger(value) || value <= 0) {
      throw new UsageError(
        `unexpected argument "${args[i]}"`,
        'npm run bench -- portal-backends [--seconds S] [--rounds R] [--concurrency C]',
      );
    }
    options[key] = value;
  }
  return options;
}

/** Runs `once` from `concurrency` workers for `seconds`; operations/s. Throws if any fails. */
async function rate(seconds: number, concurrency: number, once: () => Promise<boolean>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      if (!(await once())) throw new Error('an operation failed during the benchmark');
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - t0) / 1000);
}

function exitOf(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

/** radclient sending `count` Access-Requests, `concurrency` in flight; requests/s. */
async function radclientRate(
  work: string,
  port: number,
  count: number,
  concurrency: number,
): Promise<number> {
  const file = join(work, 'requests.txt');
  const request = `User-Name = "ann"\nUser-Password = "${radiusUsers.passwords.ann}"\nMessage-Authenticator = 0x00\n`;
  writeFileSync(file, Array.from({ length: count }, () => request).join('\n'));
  const t0 = performance.now();
  const code = await exitOf('radclient', [
    '-q',
    '-p',
    String(concurrency),
    '-f',
    file,
    `127.0.0.1:${port}`,
    'auth',
    radiusUsers.secret,
  ]);
  if (code !== 0) throw new Error(`radclient exited with ${code}`);
  return count / ((performance.now() - t0) / 1000);
}

interface Row {
  readonly label: string;
  readonly rates: number[];
}

/** Runs the benchmark. */
export async function runPortalBackends(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  const work = mkdtempSync(join(tmpdir(), 'picket-bench-portal-backends-'));
  const [slapd, radius] = await Promise.all([startSlapd(), startFreeradius({ debug: false })]);
  const backends: AuthBackend[] = [];
  try {
    const roles = ['vendor-engineer', 'maintenance'];
    const ldapConfig: LdapBackendConfig = {
      kind: 'ldap',
      name: 'ldap',
      url: slapd.url,
      startTls: false,
      userDn: directory.userDn,
      groupBase: directory.groupBase,
      timeoutMs: 5000,
      roles: [{ match: 'vendor-siemens', role: 'vendor-engineer' }],
      loc,
    };
    const radiusConfig: RadiusBackendConfig = {
      kind: 'radius',
      name: 'radius',
      host: radius.host,
      port: radius.port,
      secretFile: radius.secretFile,
      timeoutMs: 3000,
      retries: 0,
      roles: [{ match: 'vendor', role: 'vendor-engineer' }],
      loc,
    };
    const ldap = createBackend(ldapConfig, roles);
    const ldaps = createBackend({ ...ldapConfig, url: slapd.ldapsUrl, caFile: slapd.caFile }, roles);
    const rad = createBackend(radiusConfig, roles);
    backends.push(ldap, ldaps, rad);
    const source = '10.20.0.99';
    const aliceDn = 'uid=alice,ou=people,dc=plant,dc=example';
    const { seconds, concurrency } = options;
    const accepted = (b: AuthBackend, user: string, password: string) => async () =>
      (await b.authenticate({ user, password, source })).kind === 'accept';
    const rows: Row[] = [
      { label: 'LDAP backend: bind as the user + group search + role (ldap://)', rates: [] },
      { label: 'baseline: bare ldapts bind + unbind, new connection each (ldap://)', rates: [] },
      { label: 'LDAP backend over ldaps:// (TLS handshake per login)', rates: [] },
      { label: 'baseline: `ldapwhoami`, one process per bind (ldap://)', rates: [] },
      { label: 'RADIUS backend: PAP Access-Request → Access-Accept + role', rates: [] },
      { label: 'baseline: `radclient -p C`, the same Access-Requests', rates: [] },
    ];
    const measures: (() => Promise<number>)[] = [
      () => rate(seconds, concurrency, accepted(ldap, 'alice', directory.passwords.alice)),
      () =>
        rate(seconds, concurrency, async () => {
          const client = new Client({ url: slapd.url });
          await client.bind(aliceDn, directory.passwords.alice);
          await client.unbind();
          return true;
        }),
      () => rate(seconds, concurrency, accepted(ldaps, 'alice', directory.passwords.alice)),
      () =>
        rate(seconds, concurrency, async () => {
          const argv = ['-x', '-H', slapd.url, '-D', aliceDn, '-w', directory.passwords.alice];
          return (await exitOf('ldapwhoami', argv)) === 0;
        }),
      () => rate(seconds, concurrency, accepted(rad, 'ann', radiusUsers.passwords.ann)),
      () => radclientRate(work, radius.port, 2000, concurrency),
    ];
    for (let round = 1; round <= options.rounds; round++) {
      for (const [i, measure] of measures.entries()) {
        const value = await measure();
        rows[i]?.rates.push(value);
        process.stdout.write(`round ${round}: ${rows[i]?.label}: ${Math.round(value)}/s\n`);
      }
    }
    writeReport(options, rows);
  } finally {
    await Promise.all(backends.map((b) => b.close()));
    await Promise.all([slapd.stop(), radius.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

function writeReport(options: Options, rows: readonly Row[]): void {
  const rates = (i: number): readonly number[] => rows[i]?.rates ?? [];
  const command = `npm run bench -- portal-backends --seconds ${options.seconds} --rounds ${options.rounds} --concurrency ${options.concurrency}`;
  const body = [
    '## Portal backends: authentications/s against slapd and freeradius',
    '',
    `\`${command}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(1)} at the end, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `A private Debian slapd (mdb, ppolicy overlay) and freeradius (threaded, \`files\` + \`pap\`) on loopback, started by \`src/lab/identity-servers.ts\`. ${options.concurrency} logins in flight; each row runs ${options.seconds} s per round (radclient: 2,000 requests), ${options.rounds} rounds, rows interleaved; median (min–max). Every measured login was accepted. Client and servers share the same ${cpus().length} CPUs, so these are rates of the whole exchange on one machine.`,
    '',
    '| what | per second | vs baseline |',
    '|---|---|---|',
    `| ${rows[0]?.label} | ${spread(rates(0))} | ${ratio(rates(0), rates(1))} |`,
    `| ${rows[1]?.label} | ${spread(rates(1))} | 1× |`,
    `| ${rows[2]?.label} | ${spread(rates(2))} | ${ratio(rates(2), rates(1))} |`,
    `| ${rows[3]?.label} | ${spread(rates(3))} | ${ratio(rates(3), rates(1))} |`,
    `| ${rows[4]?.label} | ${spread(rates(4))} | ${ratio(rates(4), rates(5))} |`,
    `| ${rows[5]?.label} | ${spread(rates(5))} | 1× |`,
    '',
    'An LDAP login costs a connection, a bind with the password policy control, and a subtree search for the groups, so it is expected below a bare bind; RADIUS is one datagram each way plus MD5/HMAC-MD5 on both sides.',
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  const docFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
  const current = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
  writeFileSync(docFile, replaceSection(current, 'portal-backends', body));
}
