import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from './health.js';
import { type NodeHttpServer, startHttpServer } from './http-server.js';
import { createLogger } from './log.js';

const health = (status: Health['status']): Health => ({
  status,
  reasons: status === 'ok' ? [] : ['the last policy was refused; the last good one is in force'],
  node: 'n',
  mode: 'bridge',
  policyHash: 'abc',
  lastApply: null,
  lastError: null,
  intake: null,
  lastReconcile: null,
  uptimeSeconds: 1,
});

let server: NodeHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the node HTTP server (loopback, port 0)', () => {
  it('serves /metrics as Prometheus text and /health as JSON, 503 when degraded', async () => {
    let status: Health['status'] = 'ok';
    server = await startHttpServer('127.0.0.1', 0, {
      metrics: () => 'picket_up 1\n',
      health: () => health(status),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await m.text()).toBe('picket_up 1\n');
    const ok = await fetch(`${base}/health`);
    expect([ok.status, ((await ok.json()) as Health).status]).toEqual([200, 'ok']);
    status = 'degraded';
    const bad = await fetch(`${base}/health`);
    expect([bad.status, ((await bad.json()) as Health).status]).toEqual([503, 'degraded']);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects when the port is taken', async () => {
    server = await startHttpServer('127.0.0.1', 0, { metrics: () => '', health: () => health('ok') });
    await expect(
      startHttpServer('127.0.0.1', server.port, { metrics: () => '', health: () => health('ok') }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('createLogger', () => {
  it('writes JSON lines at or above its level, errors as name, message and code', () => {
    const lines: string[] = [];
    const log = createLogger(
      'info',
      (l) => lines.push(l),
      () => Date.UTC(2026, 0, 1),
    );
    log.debug('hidden');
    log.warn('kernel refused', { error: Object.assign(new Error('busy'), { code: 'nft-rejected' }), n: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'kernel refused',
      error: { name: 'Error', message: 'busy', code: 'nft-rejected' },
      n: 2,
    });
  });
});
