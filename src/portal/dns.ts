// The portal's DNS answerer: a UDP listener (the nat chain redirects an
// unrecognized device's port-53 questions to it) that answers every A
// question with the portal address (logic/dns-answer.ts). Address + port →
// running socket. Shell (node:dgram).

import { createSocket } from 'node:dgram';
import { dnsAnswer } from './logic/dns-answer.js';

/** A running DNS answerer. */
export interface PortalDns {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the answerer on `host:port` (0 picks a port); every A question gets `address`. */
export function startPortalDns(host: string, port: number, address: string): Promise<PortalDns> {
  const octets = address.split('.').map(Number) as unknown as [number, number, number, number];
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const reply = dnsAnswer(msg, octets);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  // A bad datagram or a full send buffer must never take the node down.
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve({
        port: socket.address().port,
        close: () => new Promise((r) => socket.close(() => r())),
      });
    });
  });
}
