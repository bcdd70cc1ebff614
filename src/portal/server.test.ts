// The portal app in process: real HTTPS and HTTP listeners on loopback, a
// fake backend and a fake permit port, so the flow (CSRF, origin, challenge,
// rate limit, grant, logout, redirect) is tested without a lab.

import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Portal } from '../policy/types.js';
import type { AuthBackend, AuthOutcome, AuthRequest } from './backend.js';
import { portalCertificate } from './certificate.js';
import { type PermitPort, type PortalServer, startPortalServer } from './server.js';

const loc = { file: 'p.yaml', line: 1, col: 1 };
const portal: Portal = {
  listenPort: 0,
  grantDefaultSeconds: 3600,
  grantMaxSeconds: 8 * 3600,
  backends: [],
  roles: [
    { name: 'vendor', to: [{ kind: 'asset', name: 'plc-1' }], services: ['modbus'], maxSeconds: 7200, loc },
  ],
  loc,
};

const asked: AuthRequest[] = [];
const backend: AuthBackend = {
  name: 'fake',
  async authenticate(r): Promise<AuthOutcome> {
    asked.push(r);
    if (r.challenge) {
      return r.password === '123456'
        ? { kind: 'accept', backend: 'fake', user: r.user, role: 'vendor' }
        : { kind: 'reject', backend: 'fake', reason: 'bad-credentials', message: 'x' };
    }
    if (r.user === 'otp' && r.password === 'pw')
      return { kind: 'challenge', backend: 'fake', state: 's1', prompt: 'Code?' };
    if (r.user === 'down') return { kind: 'unavailable', backend: 'fake', message: 'connect ECONNREFUSED' };
    if (r.password === 'right') return { kind: 'accept', backend: 'fake', user: r.user, role: 'vendor' };
    return { kind: 'reject', backend: 'fake', reason: 'bad-credentials', message: 'x' };
  },
  close: async () => {},
};

const grants: { source: string; user: string; role: string; seconds: number }[] = [];
let holder: { id: string; untilMs: number; user: string; role: string } | undefined;
const permits: PermitPort = {
  grant(g) {
    grants.push(g);
    holder = { id: `p-${grants.length}`, untilMs: Date.now() + g.seconds * 1000, user: g.user, role: g.role };
    return holder;
  },
  active: () => holder,
  logout() {
    const had = holder !== undefined;
    holder = undefined;
    return had;
  },
};

const quiet = { info() {}, warn() {}, error() {} };
let server: PortalServer;
let origin: string;
let cookie = '';

function call(path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const req = request(
        `${origin}${path}`,
        {
          method: form ? 'POST' : 'GET',
          rejectUnauthorized: false,
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => {
            const set = res.headers['set-cookie']?.[0];
            if (set) cookie = set.split(';')[0] ?? '';
            resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

async function post(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = { origin },
) {
  const page = await call('/');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return call(path, { csrf, ...fields }, headers);
}

beforeAll(async () => {
  const tls = portalCertificate(undefined, mkdtempSync(join(tmpdir(), 'picket-portal-cert-')), '127.0.0.1');
  server = await startPortalServer({
    site: 'test-site',
    portal,
    backend,
    permits,
    tls,
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    dns: { address: '10.20.0.2', port: 0 },
    log: quiet,
    now: Date.now,
  });
  origin = `https://127.0.0.1:${server.httpsPort}`;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  cookie = '';
  holder = undefined;
});

describe('the portal app', () => {
  it('serves the login form with a signed, Secure, HttpOnly, SameSite=Strict session cookie', async () => {
    const r = await call('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<form method="post" action="/login">');
    expect(String((r.headers['set-cookie'] as string[])[0])).toMatch(
      /^__Host-picket-portal=.+; Secure; HttpOnly; SameSite=Strict$/,
    );
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a POST from another origin or without the session token, before asking any backend', async () => {
    const before = asked.length;
    expect(
      (await post('/login', { user: 'a', password: 'right' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await call('/login', { csrf: 'forged', user: 'a', password: 'right' }, { origin })).status).toBe(
      403,
    );
    expect(asked.length).toBe(before);
    expect(grants.length).toBe(0);
  });

  it('grants the role for the asked duration cut to the role max, and logs out', async () => {
    const r = await post('/login', { user: 'alice', password: 'right', duration: String(8 * 3600) });
    expect(r.body).toContain('Signed in as alice (role vendor) for 2h');
    expect(grants.at(-1)).toEqual({
      source: '127.0.0.1',
      user: 'alice',
      role: 'vendor',
      backend: 'fake',
      seconds: 7200,
    });
    expect((await call('/')).body).toContain('Access granted');
    expect((await post('/logout', {})).body).toContain('Signed out');
    expect(holder).toBeUndefined();
  });

  it('asks for the one-time code of a RADIUS challenge and continues it', async () => {
    const first = await post('/login', { user: 'otp', password: 'pw' });
    expect(first.body).toContain('Code?');
    const csrf = /name="csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
    const done = await call('/otp', { csrf, code: '123456' }, { origin });
    expect(asked.at(-1)).toMatchObject({
      user: 'otp',
      password: '123456',
      challenge: { backend: 'fake', state: 's1' },
    });
    expect(done.body).toContain('Signed in as otp');
  });

  it('says when the backend is unreachable, and locks a user after repeated failures', async () => {
    const down = await post('/login', { user: 'down', password: 'x' });
    expect(down.status).toBe(503);
    expect(down.body).toContain('cannot be reached');
    for (let i = 0; i < 5; i++)
      expect((await post('/login', { user: 'eve', password: `no${i}` })).status).toBe(401);
    const locked = await post('/login', { user: 'eve', password: 'right' });
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Too many failed sign-ins');
    expect(holder).toBeUndefined();
  });

  it('answers plain HTTP with a redirect to the HTTPS page on the address it was reached on', async () => {
    const location = await new Promise<string | undefined>((resolve, reject) => {
      httpRequest(`http://127.0.0.1:${server.httpPort}/anything`, (res) => {
        res.resume();
        resolve(res.headers.location);
      })
        .on('error', reject)
        .end();
    });
    expect(location).toBe(`https://127.0.0.1:${server.httpsPort}/`);
  });

  it('answers every name with the portal address on its DNS port', async () => {
    const query = Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x70, 0x6c, 0x63, 0, 0, 1, 0, 1]);
    const socket = createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      socket.once('message', resolve);
      socket.send(query, server.dnsPort ?? 0, '127.0.0.1');
    });
    socket.close();
    expect([...reply.subarray(0, 2)]).toEqual([0xab, 0xcd]);
    expect([...reply.subarray(-4)]).toEqual([10, 20, 0, 2]);
  });
});
