// A relay between the loopback of two network namespaces through a UNIX
// socket (a file, which no network namespace owns): the `in` half runs in a
// lab namespace and listens on 127.0.0.1:<port> there; the `out` half runs in
// the test's namespace and connects each relayed stream to 127.0.0.1:<port>.
// So a node in the lab reaches identity servers the tests started on their
// own loopback — all traffic stays on loopback. TCP streams one UNIX
// connection each; UDP datagrams (RADIUS) are framed with a 2-byte length
// over one UNIX connection and answered to the last sender.
// Run: node loopback-relay.js in|out tcp|udp <port> <socket path>. Shell.

import { createSocket, type RemoteInfo } from 'node:dgram';
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
}

/** Reads 2-byte-length frames from a stream. */
function frames(stream: Socket, onFrame: (frame: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) break;
      onFrame(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
    }
  });
}

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(payload.length);
  return Buffer.concat([head, payload]);
}

/** The half in the lab namespace: loopback listener → UNIX socket. */
function inside(kind: string, port: number, path: string): void {
  if (kind === 'tcp') {
    createServer((client) => pipeBoth(client, connect(path))).listen(port, '127.0.0.1', () => {
      process.stdout.write('ready\n');
    });
    return;
  }
  const udp = createSocket('udp4');
  const upstream = connect(path);
  let last: RemoteInfo | undefined;
  udp.on('message', (msg, rinfo) => {
    last = rinfo;
    upstream.write(frame(msg));
  });
  frames(upstream, (reply) => {
    if (last) udp.send(reply, last.port, last.address);
  });
  udp.bind(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

/** The half in the test's namespace: UNIX socket → loopback service. */
function outside(kind: string, port: number, path: string): void {
  rmSync(path, { force: true });
  const server = createServer((relayed) => {
    if (kind === 'tcp') {
      pipeBoth(relayed, connect(port, '127.0.0.1'));
      return;
    }
    const udp = createSocket('udp4');
    udp.on('message', (reply) => relayed.write(frame(reply)));
    frames(relayed, (msg) => udp.send(msg, port, '127.0.0.1'));
    relayed.on('close', () => udp.close());
    relayed.on('error', () => udp.close());
  });
  server.listen(path, () => process.stdout.write('ready\n'));
}

const [side, kind, portText, path] = process.argv.slice(2);
const port = Number(portText);
if ((side !== 'in' && side !== 'out') || (kind !== 'tcp' && kind !== 'udp') || !port || !path) {
  process.stderr.write('usage: node loopback-relay.js in|out tcp|udp <port> <socket path>\n');
  process.exit(2);
}
if (side === 'in') inside(kind, port, path);
else outside(kind, port, path);
