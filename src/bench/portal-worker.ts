// The portal benchmark's processes, each run inside a lab namespace:
//   api-peer <port>                      a fast HTTP API identity peer (allow, role vendor-engineer)
//   latency <portal> <plc:port> <n> <user> <password>
//                                        n logins; per login the ms from sending the POST to the
//                                        first TCP connection to plc:port that gets through
//                                        (attempts every 1 ms while the login runs), then logout
//   logins <portal> <seconds> <concurrency> <user> <password>
//                                        full logins (GET form, POST) per second
//   https <portal> <seconds> <concurrency>
//                                        bare HTTPS GETs of the portal's page per second (baseline)
//   bind <url> <dn> <password> <seconds> <concurrency>
//                                        bare LDAP binds per second (baseline), with ldapts
// Prints one JSON line. Shell.

import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import { connect } from 'node:net';
import { Client } from 'ldapts';

const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly cookie?: string;
}

function fetchPortal(url: string, options: { body?: string; cookie?: string } = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: u.origin };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = request(
      url,
      { method: options.body === undefined ? 'GET' : 'POST', agent, headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: res.statusCode ?? 0, body, ...(set === undefined ? {} : { cookie: set }) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One login: the form (session cookie, CSRF token), then the POST; resolves with the granted page. */
async function login(
  portal: string,
  user: string,
  password: string,
  beforePost?: () => void,
): Promise<Answer> {
  const form = await fetchPortal(`${portal}/`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const body = new URLSearchParams({ csrf, user, password, duration: '3600' }).toString();
  beforePost?.();
  const answer = await fetchPortal(`${portal}/login`, {
    body,
    ...(form.cookie ? { cookie: form.cookie } : {}),
  });
  if (!answer.body.includes('Signed in as')) throw new Error(`login refused (${answer.status})`);
  return { ...answer, ...(form.cookie ? { cookie: form.cookie } : {}) };
}

async function logout(portal: string): Promise<void> {
  const form = await fetchPortal(`${portal}/`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  await fetchPortal(`${portal}/logout`, {
    body: new URLSearchParams({ csrf }).toString(),
    ...(form.cookie ? { cookie: form.cookie } : {}),
  });
}

/** Tries a TCP connection every 1 ms (each given 200 ms) until one is established; resolves with its time. */
function firstConnection(
  host: string,
  port: number,
  deadlineMs: number,
): { done: Promise<number>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<number>((resolve, reject) => {
    const attempt = () => {
      if (stopped) return;
      if (performance.now() > deadlineMs) return reject(new Error('no connection got through'));
      const socket = connect(port, host);
      socket.setTimeout(200, () => socket.destroy());
      socket.once('connect', () => {
        const at = performance.now();
        socket.destroy();
        if (!stopped) {
          stopped = true;
          resolve(at);
        }
      });
      socket.once('error', () => socket.destroy());
      timer = setTimeout(attempt, 1);
    };
    attempt();
  });
  return {
    done,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function latency(portal: string, target: string, n: number, user: string, password: string) {
  const [host = '', port = '502'] = target.split(':');
  const samples: number[] = [];
  const responded: number[] = [];
  for (let i = 0; i < n; i++) {
    let sentAt = 0;
    let probe: ReturnType<typeof firstConnection> | undefined;
    const answer = login(portal, user, password, () => {
      sentAt = performance.now();
      probe = firstConnection(host, Number(port), sentAt + 5_000);
    });
    await answer;
    responded.push(performance.now() - sentAt);
    const passedAt = await (probe as ReturnType<typeof firstConnection>).done;
    samples.push(passedAt - sentAt);
    await logout(portal);
  }
  return { loginToPacketMs: samples, loginResponseMs: responded };
}

async function forSeconds(seconds: number, concurrency: number, one: (lane: number) => Promise<unknown>) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (performance.now() < end) {
        try {
          await one(lane);
          done++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { perSecond: done / ((performance.now() - started) / 1000), done, failed };
}

async function binds(url: string, dn: string, password: string, seconds: number, concurrency: number) {
  // One connection per lane: binds on one LDAP connection must not overlap.
  const clients = Array.from(
    { length: concurrency },
    () => new Client({ url, timeout: 3000, connectTimeout: 3000 }),
  );
  const result = await forSeconds(seconds, concurrency, (lane) =>
    (clients[lane] as Client).bind(dn, password),
  );
  await Promise.all(
    clients.map((c) =>
      Promise.race([c.unbind().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]),
    ),
  );
  return result;
}

function apiPeer(port: number): void {
  createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const { password } = JSON.parse(body || '{}') as { password?: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          password === 'bench-pass' ? { allow: true, role: 'vendor-engineer' } : { allow: false },
        ),
      );
    });
  }).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

async function main(argv: readonly string[]): Promise<void> {
  const [mode, ...a] = argv;
  const out = (value: unknown): void => {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  };
  switch (mode) {
    case 'api-peer':
      return apiPeer(Number(a[0]));
    case 'latency':
      return out(await latency(a[0] ?? '', a[1] ?? '', Number(a[2]), a[3] ?? '', a[4] ?? ''));
    case 'logins':
      return out(
        await forSeconds(Number(a[1]), Number(a[2]), () => login(a[0] ?? '', a[3] ?? '', a[4] ?? '')),
      );
    case 'https':
      return out(await forSeconds(Number(a[1]), Number(a[2]), () => fetchPortal(`${a[0]}/`)));
    case 'bind':
      return out(await binds(a[0] ?? '', a[1] ?? '', a[2] ?? '', Number(a[3]), Number(a[4])));
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

main(process.argv.slice(2)).then(
  () => {
    if (process.argv[2] !== 'api-peer') {
      agent.destroy();
      process.exit(0);
    }
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
