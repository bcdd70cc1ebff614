// nf_tables over a raw netlink socket, synchronously (libc over FFI, like
// libnftables itself), in the network namespace this process is in: a table's
// comment, a table's chains and sets, a chain's rules with their counters, and
// committing batches of set elements. nft 1.0.6 fetches every set element for
// any table or chain listing (seconds at 100k tuples); these ask the kernel for
// exactly what they need. Apply is synchronous, and the kernel answers at once;
// a receive timeout bounds the wait anyway. Decides nothing.
// Shell.

import koffi from 'koffi';
import { NftError } from './nft.js';
import { buildDump, type ElementBatch, parseReply, type TableObject } from './nft-elements-codec.js';
import { buildGetChain, buildRuleDump, type KernelRule, parseRuleReply } from './nft-rules-codec.js';
import { buildGetTable, NETLINK_NETFILTER, type NftFamily, parseTableReply } from './nft-table-codec.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const ENOENT = 2;
const EPERM = 1;
const SO_SNDBUFFORCE = 32;
const RECEIVE_TIMEOUT_SECONDS = 5;
const SEND_BUFFER_BYTES = 8 << 20;
const RECEIVE_BUFFER_BYTES = 1 << 16;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buffer: Uint8Array, length: number, flags: number): number;
  recv(fd: number, buffer: Uint8Array, length: number, flags: number): number;
  setsockopt(
    fd: number,
    level: number,
    name: number,
    value: BigInt64Array | Int32Array,
    length: number,
  ): number;
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

let nextSeq = (Date.now() & 0x3fffffff) >>> 0;

/** Runs `work` with a fresh netfilter netlink socket of this namespace, bounded receive time and a large send buffer. */
function withSocket<T>(work: (fd: number, c: Libc) => T): T {
  const c = load();
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) throw new NftError(`cannot open a netfilter netlink socket (errno ${koffi.errno()})`);
  try {
    c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new BigInt64Array([BigInt(RECEIVE_TIMEOUT_SECONDS), 0n]), 16);
    // Batches of element messages run to a few hundred KiB; FORCE needs CAP_NET_ADMIN, which writing needs anyway.
    c.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, new Int32Array([SEND_BUFFER_BYTES]), 4);
    return work(fd, c);
  } finally {
    c.close(fd);
  }
}

function send(c: Libc, fd: number, bytes: Uint8Array, what: string): void {
  if (c.send(fd, bytes, bytes.length, 0) !== bytes.length) {
    throw new NftError(`cannot send ${what} to nf_tables (errno ${koffi.errno()})`);
  }
}

/** Receives datagrams, handing each to `take` until it says the reply is complete. */
function receive(c: Libc, fd: number, what: string, take: (datagram: Uint8Array) => boolean): void {
  const buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
  for (;;) {
    const n = c.recv(fd, buffer, buffer.length, 0);
    if (n < 0) throw new NftError(`no answer from nf_tables for ${what} (errno ${koffi.errno()})`);
    if (take(buffer.subarray(0, n))) return;
  }
}

function errnoError(errno: number, what: string): NftError {
  if (errno === EPERM) return new NftError('Operation not permitted');
  if (errno === ENOENT) return new NftError(`${what}: No such file or directory`);
  return new NftError(`nf_tables refused ${what} (errno ${errno})`);
}

/** Reads table `family`/`name`'s comment from the kernel; throws NftError on anything but "no such table". */
export function readTableComment(family: NftFamily, name: string): TableComment {
  return withSocket((fd, c) => {
    const seq = nextSeq++;
    const what = `table ${family} ${name}`;
    send(c, fd, buildGetTable(family, name, seq), what);
    let result: TableComment = { present: false };
    receive(c, fd, what, (datagram) => {
      for (const part of parseTableReply(datagram, seq)) {
        if (part.kind === 'table') {
          result = part.comment === undefined ? { present: true } : { present: true, comment: part.comment };
        } else if (part.kind === 'done') return true;
        else if (part.kind === 'malformed') throw new NftError(`nf_tables reply for ${what}: ${part.reason}`);
        else if (part.errno === ENOENT) return true;
        else throw errnoError(part.errno, `reading ${what}`);
      }
      return false;
    });
    return result;
  });
}

/** The named chains, sets and maps of a table; undefined when the table does not exist. */
export function listTableObjects(family: NftFamily, table: string): TableObject[] | undefined {
  return withSocket((fd, c) => {
    const objects: TableObject[] = [];
    for (const what of ['chains', 'sets'] as const) {
      const seq = nextSeq++;
      const label = `the ${what} of table ${family} ${table}`;
      send(c, fd, buildDump(what, family, table, seq), label);
      let absent = false;
      receive(c, fd, label, (datagram) => {
        const part = parseReply(datagram, seq);
        objects.push(...part.objects);
        if (part.malformed !== undefined)
          throw new NftError(`nf_tables reply for ${label}: ${part.malformed}`);
        if (part.errno === ENOENT) absent = true;
        else if (part.errno !== undefined) throw errnoError(part.errno, `listing ${label}`);
        return part.done;
      });
      if (absent) return undefined;
    }
    return objects;
  });
}

/** Commits `batches` one after the other; throws NftError at the first the kernel refuses (that one adds nothing). */
export function commitBatches(batches: readonly ElementBatch[], what: string): void {
  withSocket((fd, c) => {
    for (const batch of batches) {
      send(c, fd, batch.bytes, what);
      receive(c, fd, what, (datagram) => {
        const part = parseReply(datagram, batch.ackSeq);
        if (part.malformed !== undefined)
          throw new NftError(`nf_tables reply for ${what}: ${part.malformed}`);
        if (part.errno !== undefined) throw errnoError(part.errno, what);
        return part.done;
      });
    }
  });
}

/** The rules of chain `family`/`table`/`chain`, in chain order; undefined when the table or chain does not exist. */
export function readChainRules(family: NftFamily, table: string, chain: string): KernelRule[] | undefined {
  return withSocket((fd, c) => {
    const ask = (bytes: Uint8Array, seq: number, label: string): KernelRule[] | undefined => {
      send(c, fd, bytes, label);
      const rules: KernelRule[] = [];
      let absent = false;
      receive(c, fd, label, (datagram) => {
        const part = parseRuleReply(datagram, seq);
        rules.push(...part.rules);
        if (part.malformed !== undefined)
          throw new NftError(`nf_tables reply for ${label}: ${part.malformed}`);
        if (part.errno === ENOENT) absent = true;
        else if (part.errno !== undefined) throw errnoError(part.errno, `reading ${label}`);
        return part.done;
      });
      return absent ? undefined : rules;
    };
    const what = `chain ${family} ${table} ${chain}`;
    let seq = nextSeq++;
    const rules = ask(buildRuleDump(family, table, chain, seq), seq, `the rules of ${what}`);
    if (rules === undefined || rules.length > 0) return rules;
    // A filtered dump of a missing chain is empty, not ENOENT: ask for the chain itself.
    seq = nextSeq++;
    return ask(buildGetChain(family, table, chain, seq), seq, what);
  });
}
