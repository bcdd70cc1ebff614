// The portal's web server: HTTPS for the login pages, and a plain-HTTP
// listener that answers every redirected request with a 302 to the HTTPS
// login page on the address the client reached (the node's portal address),
// and, given the portal address, the DNS answerer (dns.ts). Sessions live in memory, signed cookies point at them, they are short and
// bound to the client address; every POST must carry the session's CSRF
// token and come from the portal's own origin. The login decisions are in
// logic/ (pure); permits are granted through the port the node passes in.
// Options → running listeners. Shell (node:http, node:https).

import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { Portal } from '../policy/types.js';
import type { AuthBackend } from './backend.js';
import { type PortalDns, startPortalDns } from './dns.js';
import {
  cookieValue,
  SESSION_COOKIE,
  sessionCookieHeader,
  signSession,
  verifySession,
} from './logic/session.js';
import { createLoginFlow, type LoginFlow, type PortalSession } from './login-flow.js';

/** A granted permit as the node reports it. */
export interface GrantedPermit {
  readonly id: string;
  readonly untilMs: number;
}

/** What the portal needs from the node to open and close access. */
export interface PermitPort {
  /** Opens `role` for `source` for `seconds` (kernel element with timeout + journal row); throws on failure. */
  grant(request: {
    readonly source: string;
    readonly user: string;
    readonly role: string;
    readonly backend: string;
    readonly seconds: number;
  }): GrantedPermit;
  /** The permit `source` holds now, if any. */
  active(source: string): (GrantedPermit & { readonly user: string; readonly role: string }) | undefined;
  /** Ends the permit `source` holds (logout); false when it held none. */
  logout(source: string): boolean;
}

/** Operator log; never given a password. */
export interface PortalLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** How to run the portal. */
export interface PortalServerOptions {
  readonly site: string;
  readonly portal: Portal;
  readonly backend: AuthBackend;
  readonly permits: PermitPort;
  readonly tls: { readonly cert: string; readonly key: string };
  /** Address to listen on (default all IPv4 addresses). */
  readonly host?: string;
  /** Ports to listen on; default the policy's (HTTPS) and the next one (HTTP). 0 picks a free port. */
  readonly httpsPort?: number;
  readonly httpPort?: number;
  /** The DNS answerer: every A question gets `address`; absent, none runs. Port default listen + 2. */
  readonly dns?: { readonly address: string; readonly port?: number };
  readonly log: PortalLog;
  readonly now: () => number;
  /** Called with each login attempt's result (metrics). */
  readonly onLogin?: (result: string) => void;
}

/** A running portal. */
export interface PortalServer {
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly dnsPort?: number;
  close(): Promise<void>;
}

/** Login sessions last this long; a granted permit outlives its session (logout needs only the device). */
export const SESSION_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;
const MAX_BODY_BYTES = 4096;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function readBody(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolve(undefined));
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts both listeners; rejects when a port cannot be bound. */
export async function startPortalServer(o: PortalServerOptions): Promise<PortalServer> {
  const key = randomBytes(32);
  const sessions = new Map<string, PortalSession>();
  const flow: LoginFlow = createLoginFlow(o);

  const sessionOf = (req: IncomingMessage, res: ServerResponse, source: string): PortalSession => {
    const nowMs = o.now();
    const id = verifySession(key, cookieValue(req.headers.cookie, SESSION_COOKIE), nowMs);
    const found = id === undefined ? undefined : sessions.get(id);
    if (found && found.source === source && found.expiresMs > nowMs) return found;
    // Sessions all last SESSION_MS, so insertion order is expiry order: drop from the front.
    for (const [k, s] of sessions) {
      if (s.expiresMs > nowMs && sessions.size < MAX_SESSIONS) break;
      sessions.delete(k);
    }
    const session: PortalSession = {
      id: randomBytes(18).toString('base64url'),
      csrf: randomBytes(18).toString('base64url'),
      source,
      expiresMs: nowMs + SESSION_MS,
    };
    sessions.set(session.id, session);
    res.setHeader(
      'set-cookie',
      sessionCookieHeader(signSession(key, session.id, session.expiresMs), SESSION_MS / 1000),
    );
    return session;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const source = clientAddress(req);
    const path = (req.url ?? '/').split('?')[0];
    const session = sessionOf(req, res, source);
    let reply: { status: number; html: string };
    if (req.method === 'POST' && (path === '/login' || path === '/otp' || path === '/logout')) {
      const form = await readBody(req);
      reply = await flow.post(path, session, form, {
        ...(req.headers.host === undefined ? {} : { host: req.headers.host }),
        ...(req.headers.origin === undefined ? {} : { origin: req.headers.origin }),
        ...(req.headers.referer === undefined ? {} : { referer: req.headers.referer }),
      });
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      reply = path === '/' ? flow.home(session) : { status: 302, html: '' };
      if (reply.status === 302) res.setHeader('location', '/');
    } else {
      reply = { status: 405, html: '' };
    }
    res.writeHead(reply.status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : reply.html);
  };

  const https = createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      o.log.error('portal request failed', { error: (error as Error).message, path: req.url ?? '' });
      if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS);
      res.end();
    });
  });
  // Plain HTTP arrives by redirect: send the browser to the login page on the address it reached.
  const http = createHttpServer((req, res) => {
    const local = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
    const host = local.includes(':') ? `[${local}]` : local;
    res.writeHead(302, { location: `https://${host}:${httpsPort}/`, 'cache-control': 'no-store' });
    res.end();
  });
  const host = o.host ?? '0.0.0.0';
  const httpsPort = await listen(https, o.httpsPort ?? o.portal.listenPort, host);
  let httpPort: number;
  let dns: PortalDns | undefined;
  try {
    httpPort = await listen(http, o.httpPort ?? o.portal.listenPort + 1, host);
    if (o.dns) dns = await startPortalDns(host, o.dns.port ?? o.portal.listenPort + 2, o.dns.address);
  } catch (error) {
    https.close();
    http.close();
    throw error;
  }
  return {
    httpsPort,
    httpPort,
    ...(dns ? { dnsPort: dns.port } : {}),
    close: async () => {
      https.closeAllConnections();
      http.closeAllConnections();
      await Promise.all([
        dns?.close(),
        new Promise((r) => https.close(() => r(undefined))),
        new Promise((r) => http.close(() => r(undefined))),
        o.backend.close(),
      ]);
    },
  };
}
