// ModbusClient against fake Modbus/TCP servers on 127.0.0.1 (no root).

import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusClient } from './modbus-client.js';

type Behaviour = (socket: Socket, request: Buffer) => void;

const answer: Behaviour = (socket, req) => {
  const reply = Buffer.from([req[0] ?? 0, req[1] ?? 0, 0, 0, 0, 7, 1, 3, 4, 0, 42, 0, 7]);
  socket.write(reply);
};
const exception: Behaviour = (socket, req) =>
  socket.write(Buffer.from([req[0] ?? 0, req[1] ?? 0, 0, 0, 0, 3, 1, 0x83, 2]));
const silent: Behaviour = () => {};
const hangUp: Behaviour = (socket) => socket.destroy();
/** Answers in two TCP segments, to check reassembly. */
const split: Behaviour = (socket, req) => {
  socket.write(Buffer.from([req[0] ?? 0, req[1] ?? 0, 0, 0]));
  setTimeout(() => socket.write(Buffer.from([0, 7, 1, 3, 4, 0, 42, 0, 7])), 10);
};

let server: Server | null = null;
let connections = 0;

async function listen(behaviour: Behaviour): Promise<number> {
  connections = 0;
  server = createServer((socket) => {
    connections++;
    socket.on('data', (data) => behaviour(socket, data));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function stop(): Promise<void> {
  const s = server;
  server = null;
  if (s) await new Promise((resolve) => s.close(resolve));
}

afterEach(stop);

const request = { unitId: 1, address: 0, quantity: 2 };

describe('ModbusClient', () => {
  it.each([
    ['registers', answer, { ok: true, registers: [42, 7] }],
    ['registers split over two segments', split, { ok: true, registers: [42, 7] }],
    ['an exception', exception, { ok: false, error: 'modbus exception 2' }],
    ['no answer', silent, { ok: false, error: 'timeout 100 ms' }],
    ['a hang-up', hangUp, { ok: false, error: 'connection closed' }],
  ])('reports %s', async (_name, behaviour, expected) => {
    const client = new ModbusClient('127.0.0.1', await listen(behaviour), false, request);
    expect(await client.poll(100)).toEqual(expected);
    client.close();
  });

  it('opens a new connection per poll unless persistent', async () => {
    const port = await listen(answer);
    const fresh = new ModbusClient('127.0.0.1', port, false, request);
    for (let i = 0; i < 3; i++) expect((await fresh.poll(500)).ok).toBe(true);
    expect(connections).toBe(3);
    const kept = new ModbusClient('127.0.0.1', port, true, request);
    for (let i = 0; i < 3; i++) expect((await kept.poll(500)).ok).toBe(true);
    kept.close();
    expect(connections).toBe(4);
  });

  it('reports a refused connection', async () => {
    const port = await listen(answer);
    await stop();
    expect(await new ModbusClient('127.0.0.1', port, false, request).poll(500)).toEqual({
      ok: false,
      error: 'ECONNREFUSED',
    });
  });
});
