// The baseline for `npm run bench -- decoy-server`: the least a Modbus/TCP
// server in Node can do — frame MBAP by its length and answer each request
// with a fixed reply (10 holding registers for FC3, a server id for FC17) —
// with no personality, no register map, no notes and no events. Run as
// `node modbus-responder.js <ip> <port>` inside the bench namespace (not on
// 502: the decoy server holds 0.0.0.0:502 there). Shell.

import { createServer } from 'node:net';

const FC3_REPLY = Buffer.from([0, 0, 0, 0, 0, 23, 1, 3, 20, ...new Array<number>(20).fill(7)]);
const FC17_REPLY = Buffer.from([0, 0, 0, 0, 0, 6, 1, 0x11, 3, 1, 0xff, 0x41]);

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      const size = 6 + buffered.readUInt16BE(4);
      if (buffered.length < size) break;
      const reply = Buffer.from(buffered[7] === 0x11 ? FC17_REPLY : FC3_REPLY);
      reply[0] = buffered[0] ?? 0;
      reply[1] = buffered[1] ?? 0;
      socket.write(reply);
      buffered = buffered.subarray(size);
    }
  });
});
server.listen({ host: process.argv[2] ?? '127.0.0.1', port: Number(process.argv[3] ?? 5020) }, () =>
  process.stdout.write('listening\n'),
);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
