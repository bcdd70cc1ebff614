// Reads one nf_tables table's comment over a raw netlink socket, synchronously
// (libc over FFI, like libnftables itself), in the network namespace this
// process is in. Apply is synchronous, and the kernel answers a GETTABLE at
// once; a receive timeout bounds the wait anyway. Decides nothing.
// Shell.

import koffi from 'koffi';
import { NftError } from './nft.js';
import { buildGetTable, NETLINK_NETFILTER, type NftFamily, parseTableReply } from './nft-table-codec.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const ENOENT = 2;
const EPERM = 1;
const RECEIVE_TIMEOUT_SECONDS = 5;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buffer: Uint8Array, length: number, flags: number): number;
  recv(fd: number, buffer: Uint8Array, length: number, flags: number): number;
  setsockopt(fd: number, level: number, name: number, value: BigInt64Array, length: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    socket: lib.func('int socket(int, int, int)'),
    send: lib.func('long send(int, const void *, size_t, int)'),
    recv: lib.func('long recv(int, void *, size_t, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    close: lib.func('int close(int)'),
  } as unknown as Libc;
  return libc;
}

/** What the kernel holds for one table: whether it exists, and its comment if it has one. */
export interface TableComment {
  readonly present: boolean;
  readonly comment?: string;
}

/** Reads table `family`/`name`'s comment from the kernel; throws NftError on anything but "no such table". */
export function readTableComment(family: NftFamily, name: string): TableComment {
  const c = load();
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) throw new NftError(`cannot open a netfilter netlink socket (errno ${koffi.errno()})`);
  try {
    c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new BigInt64Array([BigInt(RECEIVE_TIMEOUT_SECONDS), 0n]), 16);
    const seq = (Date.now() & 0x7fffffff) >>> 0;
    const request = buildGetTable(family, name, seq);
    if (c.send(fd, request, request.length, 0) !== request.length) {
      throw new NftError(`cannot send to nf_tables (errno ${koffi.errno()})`);
    }
    const buffer = new Uint8Array(65536);
    let table: TableComment | undefined;
    for (;;) {
      const n = c.recv(fd, buffer, buffer.length, 0);
      if (n < 0)
        throw new NftError(`no answer from nf_tables for table ${family} ${name} (errno ${koffi.errno()})`);
      for (const part of parseTableReply(buffer.subarray(0, n), seq)) {
        if (part.kind === 'table')
          table = part.comment === undefined ? { present: true } : { present: true, comment: part.comment };
        else if (part.kind === 'done') return table ?? { present: false };
        else if (part.kind === 'malformed')
          throw new NftError(`nf_tables reply for table ${family} ${name}: ${part.reason}`);
        else if (part.errno === ENOENT) return { present: false };
        else if (part.errno === EPERM) throw new NftError('Operation not permitted');
        else throw new NftError(`nf_tables refused to read table ${family} ${name} (errno ${part.errno})`);
      }
    }
  } finally {
    c.close(fd);
  }
}
