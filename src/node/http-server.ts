// The node's HTTP listener (node:http): GET /metrics (Prometheus text) and
// GET /health (JSON; 200 when ok, 503 when degraded). Rendering is the
// caller's; this only serves. Requests → responses. Shell.

import { createServer, type Server } from 'node:http';
import type { Health } from './health.js';

/** What the server serves; both are computed from in-memory state, never from the kernel. */
export interface HttpSources {
  metrics(): string;
  health(): Health;
}

/** A listening server. */
export interface NodeHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts listening on host:port; resolves once bound (rejects if the port is taken). */
export function startHttpServer(host: string, port: number, sources: HttpSources): Promise<NodeHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : sources.metrics());
      } else if (path === '/health') {
        const health = sources.health();
        res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(health)}\n`);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics or /health\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  });
  // A slow or idle client must not hold sockets open forever.
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 1_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
