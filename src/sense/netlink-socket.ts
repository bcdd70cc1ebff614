// Opens a raw netlink socket (the `netlink` package) that survives the
// kernel dropping messages for it. When a netlink socket's buffer overflows
// the kernel sets ENOBUFS as the socket error, epoll reports EPOLLERR, libuv
// turns that into UV_EBADF and stops polling (src/unix/poll.c), and the
// package's native poll handler then throws from C++ and aborts the process
// ("Error in native callback": it builds the error with a NULL syscall
// name). So every socket gets NETLINK_NO_ENOBUFS (linux/netlink.h), set
// through libc over FFI because the package does not expose its descriptor;
// losses are then counted from NFLOG sequence numbers instead.
// Protocol → socket. Shell.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import koffi from 'koffi';
import { RawNetlinkSocket } from 'netlink';
import { PicketError } from '../cli/errors.js';

const SOL_NETLINK = 270;
const NETLINK_NO_ENOBUFS = 5;
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;

/** The socket could not be opened or made safe. */
export class NetlinkSocketError extends PicketError {
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super('netlink-socket', `netlink socket: ${message}`, options);
  }
}

let setsockopt:
  | ((fd: number, level: number, name: number, value: Int32Array, length: number) => number)
  | undefined;

/** The descriptor of our socket: its inode from /proc/self/net/netlink (by protocol and port), then /proc/self/fd. */
function descriptorOf(protocol: number, port: number): number {
  const inode = readFileSync('/proc/self/net/netlink', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((f) => f[1] === String(protocol) && f[2] === String(port >>> 0))?.[9];
  if (inode === undefined) throw new NetlinkSocketError(`port ${port} not in /proc/self/net/netlink`);
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === `socket:[${inode}]`) return Number(name);
    } catch {
      // A descriptor closed while we looked (readdir's own, for one).
    }
  }
  throw new NetlinkSocketError(`no descriptor for socket inode ${inode}`);
}

/** Opens a netlink socket of `protocol` with NETLINK_NO_ENOBUFS and a receive buffer of `recvBufferBytes` (doubled by the kernel). */
export function openNetlinkSocket(protocol: number, recvBufferBytes: number): RawNetlinkSocket {
  const socket = new RawNetlinkSocket(protocol, { recvBufferSize: recvBufferBytes, sendBufferSize: 65536 });
  try {
    setsockopt ??= koffi
      .load('libc.so.6')
      .func('int setsockopt(int, int, int, const void *, uint32_t)') as unknown as typeof setsockopt;
    const fd = descriptorOf(protocol, socket.address().port);
    if (setsockopt!(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, new Int32Array([1]), 4) !== 0) {
      throw new NetlinkSocketError('setsockopt(NETLINK_NO_ENOBUFS) failed');
    }
    // SO_RCVBUF is capped at net.core.rmem_max (often 208 KiB–4 MiB); with CAP_NET_ADMIN the
    // FORCE variant is not, and a burst is absorbed without touching the host-wide sysctl.
    // Without the capability this fails and the capped SO_RCVBUF from the constructor stands.
    setsockopt!(fd, SOL_SOCKET, SO_RCVBUFFORCE, new Int32Array([recvBufferBytes]), 4);
  } catch (error) {
    socket.close();
    throw error instanceof NetlinkSocketError
      ? error
      : new NetlinkSocketError('cannot set NETLINK_NO_ENOBUFS', { cause: error });
  }
  return socket;
}
