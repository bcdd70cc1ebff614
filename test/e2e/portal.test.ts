// End-to-end: the identity portal. An unknown laptop (the lab's attacker host)
// is redirected to the portal, logs in through a real slapd (LDAP) and a real
// freeradius (RADIUS, with a one-time code), reaches exactly what its role
// allows, and loses it on logout, revoke and expiry — the last with the node
// killed, so the kernel alone ends the permit.
//
//   attacker 10.20.0.66 ("laptop")                plc-a1 10.20.1.10  (vendor-engineer: modbus)
//   hmi-a 10.20.0.50 …                            plc-a2 10.20.1.11  (maintenance: modbus, 3 s)
//        └──[sw-upstream]──up0─[ node: br0 10.20.0.2/16 ]─cell0──[sw-cell]──┘
//                                     │  picket node: nat redirect 80/443 → portal :8444/:8443
//                                     │  permit sets with kernel timeouts, journal `permits`
//                                     └─ 127.0.0.1:P ldap, :Q radius ──relay (UNIX socket)──┐
//   test process (root namespace): slapd 127.0.0.1:P, freeradius 127.0.0.1:Q  ◀────────────┘
//
// Needs root, `npm run build`, slapd and freeradius. Synchronises on conditions
// with deadlines; the lab, the servers and the relays are always torn down.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../../src/lab/lab.js';
import {
  directory,
  type Freeradius,
  radiusUsers,
  type Slapd,
  startFreeradius,
  startSlapd,
} from './identity-servers.js';
import { eventually, picket, quarantined, requireBuild, root, tcpProbe } from './plant.js';
import { type Relay, startRelay } from './relay.js';

const labName = `e2e-portal-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-portal-'));
const stateDir = join(work, 'state');
const policyPath = join(work, 'policy.yaml');
const configPath = join(work, 'node.yaml');
const env = { PICKET_STATE_DIR: stateDir, PICKET_JOURNAL: join(stateDir, 'journal.db') };
const PORTAL = 'https://10.20.0.2:8443';
const LAPTOP = 'attacker';
let lab: Lab;
let node: LabProcess | undefined;
let slapd: Slapd;
let radius: Freeradius;
const relays: Relay[] = [];

function policy(ldapPort: number, radiusPort: number, secretFile: string, caFile: string): string {
  return `version: 1
site: riverside-water
zones:
  cell-a: { networks: [10.20.1.0/24] }
  scada: { networks: [10.20.0.0/24] }
assets:
  plc-a1: { ip: 10.20.1.10, zone: cell-a, role: plc }
  plc-a2: { ip: 10.20.1.11, zone: cell-a, role: plc }
  hmi-a: { ip: 10.20.0.50, zone: scada, role: hmi }
services:
  modbus: { tcp: [502], protocol: modbus }
  s7: { tcp: [102] }
rules:
  - name: hmi-reads-plcs
    from: hmi-a
    to: plc-a1
    services: [modbus]
enforcement:
  mode: enforce
  unrecognized: portal
  out-of-profile: quarantine
portal:
  grant: { default: 1h, max: 8h }
  backends:
    - name: corp-ldap
      ldap:
        url: ldap://127.0.0.1:${ldapPort}
        starttls: true
        ca: ${caFile}
        user-dn: "${directory.userDn}"
        group-base: "${directory.groupBase}"
        timeout: 2s
        roles: { vendor-siemens: vendor-engineer, maintenance: maintenance }
    - name: otp-radius
      radius:
        server: 127.0.0.1:${radiusPort}
        secret-file: ${secretFile}
        timeout: 1s
        retries: 0
        roles: { vendor: vendor-engineer }
  roles:
    vendor-engineer: { to: [plc-a1], services: [modbus], max: 4h }
    maintenance: { to: [plc-a2], services: [modbus], max: 3s }
`;
}

const nodeLogs: string[] = [];

function startNode(): LabProcess {
  node = lab.spawn(
    lab.spec.node.name,
    [process.execPath, join(root, 'bin', 'picket.js'), 'node', '--config', configPath],
    `node-${Date.now()}`,
  );
  nodeLogs.push(node.logFile);
  return node;
}

/** Kills the node with SIGKILL (no cleanup at all) and waits until it is gone. */
async function killNode(): Promise<void> {
  process.kill(node!.pid, 'SIGKILL');
  await node!.stop(1000);
  node = undefined;
}

/** Starts the node again and waits until its portal answers. */
async function restartNode(): Promise<void> {
  startNode();
  await eventually(
    'the portal to answer again',
    // A device holding a permit gets the granted page, others the sign-in form.
    async () => (await curl([`${PORTAL}/`])).out.includes('</main>'),
    20_000,
    200,
  );
}

/** curl on the laptop; `jar` keeps the portal's session cookie between calls. */
async function curl(args: readonly string[]): Promise<{ code: number; out: string }> {
  const r = await lab.exec(LAPTOP, ['curl', '-sk', '--max-time', '8', ...args], {
    check: false,
    timeoutMs: 15_000,
  });
  return { code: r.code, out: r.stdout };
}

const jar = join(work, 'cookies.txt');

/** The portal's home page (login form or granted page), with a fresh CSRF token scraped from it. */
async function home(): Promise<{ html: string; csrf: string }> {
  const { out } = await curl(['-c', jar, '-b', jar, `${PORTAL}/`]);
  const csrf = /name="csrf" value="([^"]+)"/.exec(out)?.[1];
  if (!csrf) throw new Error(`no CSRF token on the portal page:\n${out}`);
  return { html: out, csrf };
}

/** POSTs a portal form as a browser would (same Origin, the session's token); returns the page. */
async function submit(path: string, fields: Record<string, string>, origin = PORTAL): Promise<string> {
  const { csrf } = await home();
  const data = Object.entries({ csrf, ...fields }).flatMap(([k, v]) => ['--data-urlencode', `${k}=${v}`]);
  const { out } = await curl(['-c', jar, '-b', jar, '-H', `Origin: ${origin}`, ...data, `${PORTAL}${path}`]);
  return out;
}

const login = (user: string, password: string) => submit('/login', { user, password, duration: '3600' });

interface PermitJson {
  id: string;
  address: string;
  user: string;
  role: string;
  endReason?: string;
}

async function permits(all = false): Promise<PermitJson[]> {
  const r = await picket(lab, ['permits', 'list', '--json', ...(all ? ['--all'] : [])], env);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PermitJson);
}

const probe = (plc: string, port = 502) => tcpProbe(lab, LAPTOP, lab.ip(plc), port);

beforeAll(async () => {
  requireBuild();
  [slapd, radius] = await Promise.all([startSlapd(), startFreeradius()]);
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  const hosts = spec.hosts.map((h) => (h.name === 'hmi-a' ? { ...h, services: [] } : h));
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
  const ldapPort = Number(new URL(slapd.url).port);
  relays.push(await startRelay(lab, 'tcp', ldapPort, join(work, 'ldap.sock')));
  relays.push(await startRelay(lab, 'udp', radius.port, join(work, 'radius.sock')));
  writeFileSync(policyPath, policy(ldapPort, radius.port, radius.secretFile, slapd.caFile));
  writeFileSync(
    configPath,
    lab.nodeConfig('lab-node', {
      policy: 'policy.yaml',
      'state-dir': stateDir,
      'reconcile-interval': '1s',
      'portal-address': '10.20.0.2/16',
    }),
  );
  startNode();
  await eventually(
    'the portal to answer',
    async () => (await curl([`${PORTAL}/`])).out.includes('Sign in'),
    20_000,
    200,
  );
}, 90_000);

afterEach(async (context) => {
  if (node && context.task.result?.state === 'fail') {
    console.log(readFileSync(node.logFile, 'utf8').split('\n').slice(-40).join('\n'));
  }
});

afterAll(async () => {
  await node?.stop(3000);
  for (const r of relays) await r.stop();
  await destroyLab(labName);
  await Promise.all([slapd?.stop(), radius?.stop()]);
});

describe('the identity portal in the lab', () => {
  it('answers an unknown laptop’s web traffic and drops the rest, without quarantining it', async () => {
    const redirect = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      `http://${lab.ip('plc-a1')}/`,
    ]);
    expect(redirect.out).toBe(`302 ${PORTAL}/`);
    expect((await curl(['-L', `http://${lab.ip('plc-a1')}/`])).out).toContain('Sign in');
    expect((await curl([`https://${lab.ip('plc-a2')}/`])).out).toContain('Sign in');
    // A name lookup sent anywhere across the bridge is answered with the portal's address.
    const ask = [
      'import socket',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)',
      "q = bytes([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]) + b'\\x03plc\\x05plant\\x07example\\x00' + bytes([0, 1, 0, 1])",
      `s.sendto(q, ('${lab.ip('plc-a2')}', 53))`,
      "print('.'.join(str(b) for b in s.recv(512)[-4:]))",
    ].join('\n');
    const dns = await lab.exec(LAPTOP, ['/usr/bin/python3', '-c', ask], { check: false });
    expect(dns.stdout.trim(), dns.stderr).toBe('10.20.0.2');
    expect(await probe('plc-a1')).toBe('timeout');
    expect(await quarantined(lab)).not.toContain(lab.ip(LAPTOP));
    await eventually('the laptop journaled as an unknown device', async () => {
      const r = await picket(lab, ['detections', '--json', '--kind', 'unknown-device'], env);
      return r.stdout.includes(`"source":"${lab.ip(LAPTOP)}"`);
    });
    expect(
      (
        await lab.exec('hmi-a', ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${lab.ip('plc-a1')}/502`], {
          check: false,
        })
      ).code,
    ).toBe(0);
  });

  it('refuses a form from another origin and opens nothing', async () => {
    const page = await submit(
      '/login',
      { user: 'alice', password: directory.passwords.alice },
      'https://evil.example',
    );
    expect(page).toContain('did not come from this page');
    expect(await probe('plc-a1')).toBe('timeout');
  });

  it('LDAP login opens exactly the role (plc-a1 Modbus), logout closes it', async () => {
    const page = await login('alice', directory.passwords.alice);
    expect(page).toContain('Signed in as alice (role vendor-engineer)');
    expect(await probe('plc-a1')).toBe('open');
    expect(await probe('plc-a2')).toBe('timeout');
    expect(await probe('plc-a1', 102)).toBe('timeout');
    const active = await permits();
    expect(active).toMatchObject([{ address: lab.ip(LAPTOP), user: 'alice', role: 'vendor-engineer' }]);
    const metrics = await lab.exec(lab.spec.node.name, ['curl', '-s', 'http://127.0.0.1:9641/metrics']);
    expect(metrics.stdout).toContain('picket_portal_permits_active{node="lab-node"} 1');
    expect(metrics.stdout).toMatch(/picket_portal_logins_total\{node="lab-node",outcome="accepted"\} 1/);
    expect(await submit('/logout', {})).toContain('Signed out');
    expect(await probe('plc-a1')).toBe('timeout');
    expect((await permits(true)).find((p) => p.id === active[0]?.id)?.endReason).toBe('logout');
  });

  it('RADIUS with a one-time code opens the role; a restart restores it from the journal; revoke cuts it at once, node down too', async () => {
    const challenge = await login('dave', radiusUsers.passwords.dave);
    expect(challenge).toContain(radiusUsers.challengePrompt);
    const csrf = /name="csrf" value="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const data = ['--data-urlencode', `csrf=${csrf}`, '--data-urlencode', `code=${radiusUsers.daveCode}`];
    const granted = await curl(['-c', jar, '-b', jar, '-H', `Origin: ${PORTAL}`, ...data, `${PORTAL}/otp`]);
    expect(granted.out).toContain('Signed in as dave (role vendor-engineer)');
    expect(await probe('plc-a1')).toBe('open');

    // What a reboot does to the kernel's sets: the journal must bring the permit back.
    await killNode();
    await lab.exec(lab.spec.node.name, ['nft', 'flush', 'set', 'inet', 'picket', 'permit_vendor_engineer4']);
    expect(await probe('plc-a1')).toBe('timeout');
    await restartNode();
    await eventually('the permit restored', async () => (await probe('plc-a1')) === 'open', 5_000, 100);

    await killNode();
    const r = await picket(lab, ['permits', 'revoke', lab.ip(LAPTOP)], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('revoked');
    expect(await probe('plc-a1')).toBe('timeout');
    await restartNode();
    expect(await probe('plc-a1')).toBe('timeout');
    expect((await permits(true)).find((p) => p.user === 'dave')?.endReason).toBe('revoked');
  });

  it('a 3 s permit ends in the kernel with the node killed; the restarted node records it expired', async () => {
    const loggedInAt = Date.now();
    expect(await login('bob', directory.passwords.bob)).toContain(
      'Signed in as bob (role maintenance) for 3s',
    );
    expect(await probe('plc-a2')).toBe('open');
    const permit = (await permits())[0];
    await killNode();
    if (Date.now() - loggedInAt < 2_500) expect(await probe('plc-a2')).toBe('open');
    await eventually(
      'the kernel to end the permit',
      async () => (await probe('plc-a2')) === 'timeout',
      8_000,
      200,
    );
    expect(Date.now() - loggedInAt).toBeGreaterThanOrEqual(2_900);
    await restartNode();
    expect((await permits(true)).find((p) => p.id === permit?.id)?.endReason).toBe('expired');
    expect(await probe('plc-a2')).toBe('timeout');
  });

  it('wrong password, no role and too many attempts get clear messages and open nothing', async () => {
    expect(await login('alice', 'not-her-password')).toContain('Wrong user name or password');
    expect(await login('carol', directory.passwords.carol)).toContain('no access role');
    for (let i = 0; i < 5; i++) await login('carol', `guess-${i}`);
    expect(await login('carol', directory.passwords.carol)).toContain('Too many failed sign-ins');
    expect(await probe('plc-a1')).toBe('timeout');
    expect(await probe('plc-a2')).toBe('timeout');
    expect(await permits()).toEqual([]);
  });

  it('with every backend unreachable the person is told so and nothing opens', async () => {
    for (const r of relays.splice(0)) await r.stop();
    expect(await login('alice', directory.passwords.alice)).toContain('cannot be reached');
    expect(await probe('plc-a1')).toBe('timeout');
    expect(await permits()).toEqual([]);
  });

  it('never writes a password or one-time code to the node log', () => {
    const logs = nodeLogs.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logs).toContain('portal: permit granted');
    for (const secret of [
      directory.passwords.alice,
      directory.passwords.bob,
      radiusUsers.passwords.dave,
      radiusUsers.daveCode,
      'not-her-password',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
