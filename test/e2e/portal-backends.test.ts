// End-to-end: the portal's identity backends against real servers.
//
//   this test ──ldap:// + StartTLS, ldaps://──▶ slapd       (Debian, private temp dir)
//             ──RADIUS/UDP (PAP, challenge)──▶ freeradius  (Debian, private temp dir)
//             ──HTTPS POST──────────────────▶ node:https  (in this process)
//
// All on 127.0.0.1, free ports. Servers start once for the file and are
// always stopped. Needs root (slapd, freeradius, openssl installed).

import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBackendConfig, LdapBackendConfig, RadiusBackendConfig } from '../../src/policy/types.js';
import { type AuthBackend, createBackend, createBackendChain } from '../../src/portal/backend.js';
import {
  directory,
  type Freeradius,
  freeTcpPort,
  freeUdpPort,
  makeCertificates,
  radiusUsers,
  type Slapd,
  startFreeradius,
  startSlapd,
} from './identity-servers.js';

const loc = { file: 'policy.yaml', line: 1, col: 1 };
const policyRoles = ['vendor-engineer', 'maintenance'];
const source = '10.20.0.99';

let slapd: Slapd;
let radius: Freeradius;

beforeAll(async () => {
  [slapd, radius] = await Promise.all([startSlapd(), startFreeradius()]);
});

afterAll(async () => {
  await Promise.all([slapd?.stop(), radius?.stop()]);
});

function ldapConfig(overrides: Partial<LdapBackendConfig> = {}): LdapBackendConfig {
  return {
    kind: 'ldap',
    name: 'corp-ldap',
    url: slapd.url,
    startTls: false,
    userDn: directory.userDn,
    groupBase: directory.groupBase,
    timeoutMs: 3000,
    roles: [
      { match: 'vendor-siemens', role: 'vendor-engineer' },
      { match: 'cn=maintenance,ou=groups,dc=plant,dc=example', role: 'maintenance' },
      { match: 'unmapped', role: 'role-not-in-policy' },
    ],
    loc,
    ...overrides,
  };
}

function radiusConfig(overrides: Partial<RadiusBackendConfig> = {}): RadiusBackendConfig {
  return {
    kind: 'radius',
    name: 'otp-radius',
    host: radius.host,
    port: radius.port,
    secretFile: radius.secretFile,
    timeoutMs: 1000,
    retries: 1,
    roles: [
      { match: 'vendor', role: 'vendor-engineer' },
      { match: 'maintenance', role: 'maintenance' },
    ],
    loc,
    ...overrides,
  };
}

/** One login; whatever the outcome, it never repeats the password or the RADIUS shared secret. */
async function login(backend: AuthBackend, user: string, password: string) {
  try {
    const outcome = await backend.authenticate({ user, password, source });
    const text = JSON.stringify(outcome);
    if (password.length >= 4) expect(text).not.toContain(password);
    expect(text).not.toContain(radiusUsers.secret);
    return outcome;
  } finally {
    await backend.close();
  }
}

describe('LDAP backend (slapd)', () => {
  const p = directory.passwords;

  it.each([
    ['alice', p.alice, 'vendor-engineer'],
    ['bob', p.bob, 'maintenance'],
    ['o,hara', p['o,hara'], 'vendor-engineer'],
  ])('%s with the right password is accepted as %s', async (user, password, role) => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), user, password);
    expect(outcome).toEqual({ kind: 'accept', backend: 'corp-ldap', user, role });
  });

  it('a wrong password is bad-credentials, with the generic message', async () => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'alice', 'alice-wrong');
    expect(outcome).toMatchObject({
      kind: 'reject',
      reason: 'bad-credentials',
      message: 'wrong user name or password',
    });
    expect(JSON.stringify(outcome)).not.toContain('alice-wrong');
  });

  it('an empty password never binds (it would be an unauthenticated bind)', async () => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'alice', '');
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'bad-credentials' });
  });

  it('an unknown user is unknown-user', async () => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'mallory', 'whatever');
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'unknown-user' });
  });

  it('a user whose groups map to no policy role is no-role', async () => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'carol', p.carol);
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'no-role' });
  });

  it.each([
    ['*', 'x'],
    ['*', p.alice],
    ['admin)(|(uid=*', p.alice],
    ['alice)(uid=*', p.alice],
    ['x,ou=people', p.alice],
    ['alice,ou=people', p.alice],
    ['alice\0', p.alice],
  ])('injection attempt %j never authenticates', async (user, password) => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), user, password);
    expect(outcome.kind).toBe('reject');
  });

  it('a user name with filter characters cannot widen the group search (b* is not bob)', async () => {
    // Unescaped, (memberUid=b*) would match bob's maintenance group.
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'b*', p['b*']);
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'no-role' });
  });

  it('an account locked by the administrator is locked (ppolicy), even with the right password', async () => {
    const outcome = await login(createBackend(ldapConfig(), policyRoles), 'dora', p.dora);
    expect(outcome).toMatchObject({
      kind: 'reject',
      reason: 'locked',
      message: 'wrong user name or password',
    });
  });

  it('three wrong passwords lock an account under a strict policy; then the right one is locked too', async () => {
    const backend = createBackend(ldapConfig(), policyRoles);
    for (let i = 0; i < 3; i++) {
      expect(await login(backend, 'frank', `wrong-${i}`)).toMatchObject({
        kind: 'reject',
        reason: 'bad-credentials',
      });
    }
    expect(await login(backend, 'frank', p.frank)).toMatchObject({ kind: 'reject', reason: 'locked' });
  });

  it('ldaps:// with the right CA accepts', async () => {
    const config = ldapConfig({ url: slapd.ldapsUrl, caFile: slapd.caFile });
    expect(await login(createBackend(config, policyRoles), 'alice', p.alice)).toMatchObject({
      kind: 'accept',
    });
  });

  it('ldap:// + StartTLS with the right CA accepts', async () => {
    const config = ldapConfig({ startTls: true, caFile: slapd.caFile });
    expect(await login(createBackend(config, policyRoles), 'bob', p.bob)).toMatchObject({
      kind: 'accept',
      role: 'maintenance',
    });
  });

  it.each([
    ['ldaps://', { url: '' }],
    ['StartTLS', { startTls: true }],
  ])('%s with a wrong CA is unavailable and says to set ca:', async (_name, overrides) => {
    const url = overrides.url === '' ? slapd.ldapsUrl : slapd.url;
    const config = ldapConfig({ ...overrides, url, caFile: slapd.wrongCaFile });
    const outcome = await login(createBackend(config, policyRoles), 'alice', p.alice);
    expect(outcome.kind).toBe('unavailable');
    expect(outcome.kind === 'unavailable' && outcome.message).toMatch(
      /TLS certificate not accepted.*set `ca:`/,
    );
  });

  it('a missing CA file is unavailable and names the file', async () => {
    const config = ldapConfig({ url: slapd.ldapsUrl, caFile: '/nonexistent/ca.pem' });
    const outcome = await login(createBackend(config, policyRoles), 'alice', p.alice);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('/nonexistent/ca.pem'),
    });
  });

  it('a server that accepts but never answers is unavailable after the timeout', async () => {
    const held: TcpSocket[] = [];
    const mute = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const address = mute.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      const config = ldapConfig({ url: `ldap://127.0.0.1:${address.port}`, timeoutMs: 400 });
      const started = performance.now();
      const outcome = await login(createBackend(config, policyRoles), 'alice', p.alice);
      expect(outcome).toMatchObject({
        kind: 'unavailable',
        message: expect.stringMatching(/no answer|timed out/),
      });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(held.length).toBe(1);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  it('a url that is not ldap:// or ldaps:// is unavailable and says so', async () => {
    const outcome = await login(
      createBackend(ldapConfig({ url: 'http://127.0.0.1:1' }), policyRoles),
      'alice',
      'x',
    );
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('not an ldap://'),
    });
  });

  it('a server that is down is unavailable at once', async () => {
    const config = ldapConfig({ url: `ldap://127.0.0.1:${await freeTcpPort()}` });
    const outcome = await login(createBackend(config, policyRoles), 'alice', p.alice);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('connection refused'),
    });
  });
});

describe('RADIUS backend (freeradius)', () => {
  const p = radiusUsers.passwords;

  it('PAP with the right password is accepted with the Filter-Id role', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'ann', p.ann);
    expect(outcome).toEqual({ kind: 'accept', backend: 'otp-radius', user: 'ann', role: 'vendor-engineer' });
  });

  it('the Class attribute maps too', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'ben', p.ben);
    expect(outcome).toMatchObject({ kind: 'accept', role: 'maintenance' });
  });

  it('a wrong password is rejected', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'ann', 'ann-wrong');
    expect(outcome).toMatchObject({
      kind: 'reject',
      reason: 'bad-credentials',
      message: 'wrong user name or password',
    });
  });

  it('an unknown user is rejected (RADIUS cannot tell unknown from wrong)', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'nobody', 'x');
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'bad-credentials' });
  });

  it('an accept whose Filter-Id maps to no role is no-role', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'cid', p.cid);
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'no-role' });
  });

  it('a challenge, then the one-time code with State, is accepted', async () => {
    const backend = createBackend(radiusConfig(), policyRoles);
    const first = await backend.authenticate({ user: 'dave', password: p.dave, source });
    expect(first).toMatchObject({
      kind: 'challenge',
      backend: 'otp-radius',
      prompt: radiusUsers.challengePrompt,
    });
    if (first.kind !== 'challenge') return;
    const wrong = await backend.authenticate({
      user: 'dave',
      password: '000000',
      source,
      challenge: { backend: first.backend, state: first.state },
    });
    expect(wrong).toMatchObject({ kind: 'reject', reason: 'bad-credentials' });
    const second = await backend.authenticate({
      user: 'dave',
      password: radiusUsers.daveCode,
      source,
      challenge: { backend: first.backend, state: first.state },
    });
    expect(second).toMatchObject({ kind: 'accept', role: 'vendor-engineer' });
  });

  it('the code without the State is not enough', async () => {
    const outcome = await login(createBackend(radiusConfig(), policyRoles), 'dave', radiusUsers.daveCode);
    expect(outcome.kind).toBe('reject');
  });

  it('a wrong shared secret is unavailable (the server drops the request), never accept', async () => {
    const config = radiusConfig({ secretFile: radius.wrongSecretFile, timeoutMs: 500, retries: 0 });
    const outcome = await login(createBackend(config, policyRoles), 'ann', p.ann);
    expect(outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('shared secret') });
  });

  it('an answer altered on the way fails the Response Authenticator: unavailable, never accept', async () => {
    // A relay between the backend and freeradius that flips one bit of each answer's last octet.
    const relay = createSocket('udp4');
    const upstream = createSocket('udp4');
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
    let client: { port: number } | undefined;
    relay.on('message', (bytes, from) => {
      client = from;
      upstream.send(bytes, radius.port, radius.host);
    });
    let relayed = 0;
    upstream.on('message', (bytes) => {
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      relayed++;
      if (client) relay.send(bytes, client.port, '127.0.0.1');
    });
    try {
      const config = radiusConfig({ port: relay.address().port, timeoutMs: 500, retries: 0 });
      const outcome = await login(createBackend(config, policyRoles), 'ann', p.ann);
      expect(relayed).toBe(1);
      expect(outcome).toMatchObject({
        kind: 'unavailable',
        message: expect.stringContaining('response-authenticator-mismatch'),
      });
    } finally {
      relay.close();
      upstream.close();
    }
  });

  it('a server that never answers is unavailable after timeout × attempts', async () => {
    const silent: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    let received = 0;
    silent.on('message', () => received++);
    try {
      const config = radiusConfig({ port: silent.address().port, timeoutMs: 300, retries: 2 });
      const started = performance.now();
      const outcome = await login(createBackend(config, policyRoles), 'ann', p.ann);
      expect(outcome).toMatchObject({
        kind: 'unavailable',
        message: expect.stringContaining('no answer after 3'),
      });
      expect(received).toBe(3);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('a closed port is unavailable', async () => {
    const config = radiusConfig({ port: await freeUdpPort(), timeoutMs: 500, retries: 1 });
    const outcome = await login(createBackend(config, policyRoles), 'ann', p.ann);
    expect(outcome.kind).toBe('unavailable');
  });

  it('a missing secret file is unavailable and names the file', async () => {
    const config = radiusConfig({ secretFile: '/nonexistent/radius.secret' });
    const outcome = await login(createBackend(config, policyRoles), 'ann', p.ann);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('/nonexistent/radius.secret'),
    });
  });
});

describe('HTTP API backend (node:https peer)', () => {
  const work = mkdtempSync(join(tmpdir(), 'picket-http-idp-'));
  const token = 'idp-token-123';
  let server: Server;
  let url: string;
  let seen: { authorization?: string; body: unknown }[] = [];

  beforeAll(async () => {
    await makeCertificates(work);
    writeFileSync(join(work, 'token'), `${token}\n`);
    server = createServer(
      { key: readFileSync(join(work, 'server.key')), cert: readFileSync(join(work, 'server.crt')) },
      (req, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        req.on('end', () => {
          const body = JSON.parse(text) as { user: string; password: string };
          seen.push({
            body,
            ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          });
          if (req.headers.authorization !== `Bearer ${token}`) return res.writeHead(401).end();
          const answers: Record<string, () => void> = {
            'eve:right': () => res.end(JSON.stringify({ allow: true, role: 'vendor-engineer' })),
            'eve:eve-wrong-9': () => res.end(JSON.stringify({ allow: false, message: 'bad password' })),
            'norole:right': () => res.end(JSON.stringify({ allow: true })),
            'oddrole:right': () => res.end(JSON.stringify({ allow: true, role: 'admin' })),
            'slow:right': () =>
              setTimeout(() => res.end(JSON.stringify({ allow: true, role: 'maintenance' })), 2000),
            'garbage:right': () => res.end('<html>not json</html>'),
            'broken:right': () => res.writeHead(500).end('{}'),
          };
          (answers[`${body.user}:${body.password}`] ?? (() => res.end(JSON.stringify({ allow: false }))))();
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `https://127.0.0.1:${address.port}/picket/authorize`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  function httpConfig(overrides: Partial<HttpBackendConfig> = {}): HttpBackendConfig {
    return {
      kind: 'http',
      name: 'idp-webhook',
      url,
      tokenFile: join(work, 'token'),
      caFile: join(work, 'ca.crt'),
      timeoutMs: 800,
      loc,
      ...overrides,
    };
  }

  it('allow with a policy role is accepted; the peer got user, password, source and the token', async () => {
    seen = [];
    const outcome = await login(createBackend(httpConfig(), policyRoles), 'eve', 'right');
    expect(outcome).toEqual({ kind: 'accept', backend: 'idp-webhook', user: 'eve', role: 'vendor-engineer' });
    expect(seen).toEqual([
      { authorization: `Bearer ${token}`, body: { user: 'eve', password: 'right', source } },
    ]);
  });

  it.each([
    [
      'eve',
      'eve-wrong-9',
      { kind: 'reject', reason: 'bad-credentials', message: 'wrong user name or password' },
    ],
    ['norole', 'right', { kind: 'reject', reason: 'no-role' }],
    ['oddrole', 'right', { kind: 'reject', reason: 'no-role' }],
    ['garbage', 'right', { kind: 'unavailable' }],
    ['broken', 'right', { kind: 'unavailable', message: expect.stringContaining('HTTP 500') }],
  ])('%s/%s → %o', async (user, password, expected) => {
    expect(await login(createBackend(httpConfig(), policyRoles), user, password)).toMatchObject(expected);
  });

  it('a slow peer is unavailable within the timeout', async () => {
    const started = performance.now();
    const outcome = await login(createBackend(httpConfig(), policyRoles), 'slow', 'right');
    expect(outcome).toMatchObject({ kind: 'unavailable' });
    expect(performance.now() - started).toBeLessThan(1900);
  });

  it('a wrong token is unavailable and says to check token-file', async () => {
    writeFileSync(join(work, 'other-token'), 'nope\n');
    const outcome = await login(
      createBackend(httpConfig({ tokenFile: join(work, 'other-token') }), policyRoles),
      'eve',
      'right',
    );
    expect(outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('token-file') });
  });

  it('a wrong CA is unavailable and says to set ca:', async () => {
    const outcome = await login(
      createBackend(httpConfig({ caFile: join(work, 'wrong-ca.crt') }), policyRoles),
      'eve',
      'right',
    );
    expect(outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('set `ca:`') });
  });
});

describe('backend chain', () => {
  it('skips a backend that does not know the user and an unavailable one; the next decides', async () => {
    const down = createBackend(
      radiusConfig({ name: 'down', port: await freeUdpPort(), timeoutMs: 200, retries: 0 }),
      policyRoles,
    );
    const chain = createBackendChain([
      createBackend(ldapConfig(), policyRoles),
      down,
      createBackend(radiusConfig(), policyRoles),
    ]);
    try {
      // ann is unknown to LDAP, "down" is unavailable, RADIUS accepts.
      expect(
        await chain.authenticate({ user: 'ann', password: radiusUsers.passwords.ann, source }),
      ).toMatchObject({
        kind: 'accept',
        backend: 'otp-radius',
      });
      // alice is known to LDAP: a wrong password ends the chain there.
      expect(await chain.authenticate({ user: 'alice', password: 'nope', source })).toMatchObject({
        kind: 'reject',
        backend: 'corp-ldap',
      });
      // A challenge continuation goes only to the backend that issued it.
      const challenge = await chain.authenticate({
        user: 'dave',
        password: radiusUsers.passwords.dave,
        source,
      });
      expect(challenge.kind).toBe('challenge');
      if (challenge.kind !== 'challenge') return;
      const done = await chain.authenticate({
        user: 'dave',
        password: radiusUsers.daveCode,
        source,
        challenge: { backend: challenge.backend, state: challenge.state },
      });
      expect(done).toMatchObject({ kind: 'accept', backend: 'otp-radius' });
    } finally {
      await chain.close();
    }
  });

  it('all unavailable → unavailable', async () => {
    const chain = createBackendChain([
      createBackend(ldapConfig({ url: `ldap://127.0.0.1:${await freeTcpPort()}` }), policyRoles),
    ]);
    expect(await chain.authenticate({ user: 'alice', password: 'x', source })).toMatchObject({
      kind: 'unavailable',
    });
  });
});
