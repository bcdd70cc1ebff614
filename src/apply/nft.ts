// The kernel driver: runs nftables command text in the network namespace this
// process is in, through libnftables over FFI (koffi), or by spawning `nft -f -`
// when the library cannot be loaded. Decides nothing.
// Shell.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { PicketError } from '../cli/errors.js';
import type { ElementBatch, TableObject } from './nft-elements-codec.js';
import {
  commitBatches,
  listTableObjects,
  readChainRules,
  readTableComment,
  type TableComment,
} from './nft-netlink.js';
import type { KernelRule } from './nft-rules-codec.js';
import type { NftFamily } from './nft-table-codec.js';

/** The nftables commands Picket needs; everything acts on the current network namespace. */
export interface Nft {
  /** Runs command text as one atomic transaction; throws NftError if nft or the kernel rejects it. */
  run(commands: string): void;
  /** Runs command text through the parser and the kernel without committing (`nft -c`). */
  check(commands: string): void;
  /** Runs a `list …` command and returns nft's JSON document. */
  listJson(what: string): unknown;
  /** Runs a `list …` command and returns its text; `terse` leaves out set elements. */
  listText(what: string, options?: { terse?: boolean }): string;
  /** Reads one table's comment straight from the kernel, without fetching the ruleset (`nft-netlink.ts`). */
  tableComment(family: NftFamily, name: string): TableComment;
  /**
   * Reads one chain's rules (comment, counter, verdict) straight from the kernel
   * (`nft-netlink.ts`), without fetching the ruleset; undefined when the chain
   * does not exist. Absent where only nft text is understood (the fake).
   */
  readonly chainRules?: (family: NftFamily, table: string, chain: string) => KernelRule[] | undefined;
  /** Loads large sets over netlink (`nft-netlink.ts`); absent where only nft text is understood (the fake). */
  readonly bulk?: BulkLoader;
  /** Which way commands reach the kernel. */
  readonly backend: 'ffi' | 'spawn';
  /** Releases the libnftables context. */
  close(): void;
}

/** What a staged apply needs besides nft text: a table's objects, and element batches committed over netlink. */
export interface BulkLoader {
  /** The named chains, sets and maps of a table; undefined when it does not exist. */
  listTableObjects(family: NftFamily, table: string): TableObject[] | undefined;
  /** Commits element batches one by one; throws NftError at the first the kernel refuses. */
  commitBatches(batches: readonly ElementBatch[], what: string): void;
}

const NETLINK_BULK: BulkLoader = { listTableObjects, commitBatches };

/** nft or the kernel refused commands; `line`/`lineText` point at the offending command. */
export class NftError extends PicketError {
  readonly kernelMessage: string;
  /** The table, set or element named does not exist (ENOENT). */
  readonly notFound: boolean;
  /** The process lacks CAP_NET_ADMIN in this network namespace (EPERM). */
  readonly permissionDenied: boolean;
  readonly line?: number;
  readonly lineText?: string;
  constructor(kernelMessage: string, line?: number, lineText?: string) {
    const where = line === undefined ? '' : ` at line ${line}`;
    const denied = /Operation not permitted/.test(kernelMessage);
    const offending = lineText?.trim() ? lineText : undefined;
    super(
      denied ? 'nft-permission' : 'nft-rejected',
      `nftables refused the commands${where}: ${kernelMessage}`,
      {
        hint: denied
          ? 'run as root (CAP_NET_ADMIN) in the network namespace to be enforced, e.g. `ip netns exec <ns> picket …`'
          : offending === undefined
            ? 'run `picket compile` to see the generated ruleset'
            : `offending command: ${offending.trim()}`,
      },
    );
    this.kernelMessage = kernelMessage;
    this.notFound = /No such file or directory/.test(kernelMessage);
    this.permissionDenied = denied;
    if (line !== undefined) this.line = line;
    if (offending !== undefined) this.lineText = offending;
  }
}

/** libnftables cannot be used here and neither can the `nft` binary. */
export class NftUnavailableError extends PicketError {
  constructor(cause: unknown) {
    super('nft-unavailable', 'cannot reach nftables (libnftables.so.1 nor the nft binary)', {
      cause,
      hint: 'install nftables (Debian: apt-get install nftables) and run as root',
    });
  }
}

// libnftables output flags (nftables/libnftables.h).
const OUTPUT_JSON = 1 << 4;
const OUTPUT_TERSE = 1 << 11;

/** Parses nft's error text (`[file:L:C-C: ]Error: msg\n<line>\n<caret>`) into an NftError. */
export function parseNftError(errorText: string, commands: string): NftError {
  const lines = errorText.split('\n');
  const at = lines.findIndex((l) => /(^|: )Error: /.test(l));
  const head = lines[at] ?? errorText;
  const message = head.replace(/^.*?Error: /, '').trim() || errorText.trim() || 'unknown error';
  const located = /^[^:]*:(\d+):\d+(?:-\d+)?: Error: /.exec(head);
  if (located?.[1] !== undefined) {
    const line = Number(located[1]);
    return new NftError(message, line, commands.split('\n')[line - 1] ?? lines[at + 1]);
  }
  return new NftError(message, undefined, at >= 0 ? lines[at + 1] : undefined);
}

/**
 * nft turns `meta hour`/`meta day` strings into UTC with the process's local time
 * zone (DESIGN.md: TZ=America/Chicago stores 02:00 as 08:00). The compiler
 * already speaks UTC, so the process must be UTC. Node's TZ setter calls setenv
 * and tzset, and glibc's localtime() — what nft uses for the offset — rereads TZ.
 */
function forceUtc(): void {
  if (process.env.TZ !== 'UTC') process.env.TZ = 'UTC';
}

type Lib = {
  ctxNew: (flags: number) => unknown;
  ctxFree: (ctx: unknown) => void;
  bufferOutput: (ctx: unknown) => number;
  bufferError: (ctx: unknown) => number;
  runBuffer: (ctx: unknown, buf: string) => number;
  runFile: (ctx: unknown, file: string) => number;
  output: (ctx: unknown) => string | null;
  error: (ctx: unknown) => string | null;
  setFlags: (ctx: unknown, flags: number) => void;
  setDryRun: (ctx: unknown, dry: boolean) => void;
  localUtcOffsetSeconds: (epochSeconds: number) => number;
};

function loadLib(): Lib {
  const lib = koffi.load('libnftables.so.1');
  const libc = koffi.load('libc.so.6');
  // Registers the type named in localtime_r's signature below.
  koffi.struct('picket_tm', {
    tm_sec: 'int',
    tm_min: 'int',
    tm_hour: 'int',
    tm_mday: 'int',
    tm_mon: 'int',
    tm_year: 'int',
    tm_wday: 'int',
    tm_yday: 'int',
    tm_isdst: 'int',
    tm_gmtoff: 'long',
    tm_zone: 'const char *',
  });
  const localtime = libc.func('void *localtime_r(const int64_t *t, _Out_ picket_tm *out)');
  return {
    ctxNew: lib.func('void *nft_ctx_new(uint32_t flags)'),
    ctxFree: lib.func('void nft_ctx_free(void *ctx)'),
    bufferOutput: lib.func('int nft_ctx_buffer_output(void *ctx)'),
    bufferError: lib.func('int nft_ctx_buffer_error(void *ctx)'),
    runBuffer: lib.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
    runFile: lib.func('int nft_run_cmd_from_filename(void *ctx, const char *filename)'),
    output: lib.func('const char *nft_ctx_get_output_buffer(void *ctx)'),
    error: lib.func('const char *nft_ctx_get_error_buffer(void *ctx)'),
    setFlags: lib.func('void nft_ctx_output_set_flags(void *ctx, uint32_t flags)'),
    setDryRun: lib.func('void nft_ctx_set_dry_run(void *ctx, bool dry)'),
    localUtcOffsetSeconds: (epochSeconds) => {
      const out: { tm_gmtoff?: number } = {};
      localtime([epochSeconds], out);
      return Number(out.tm_gmtoff ?? Number.NaN);
    },
  };
}

/** True when libc's local time is UTC both in January and July (so no DST either). */
function libcIsUtc(lib: Lib): boolean {
  return lib.localUtcOffsetSeconds(1_768_435_200) === 0 && lib.localUtcOffsetSeconds(1_784_073_600) === 0;
}

function createFfiNft(lib: Lib): Nft {
  const ctx = lib.ctxNew(0);
  if (!ctx) throw new NftUnavailableError(new Error('nft_ctx_new returned NULL'));
  lib.bufferOutput(ctx);
  lib.bufferError(ctx);
  let open = true;

  const exec = (commands: string, flags: number, dryRun: boolean): string => {
    if (!open) throw new Error('nft driver used after close()');
    lib.setFlags(ctx, flags);
    lib.setDryRun(ctx, dryRun);
    const rc = lib.runBuffer(ctx, commands);
    const out = lib.output(ctx) ?? '';
    const err = lib.error(ctx) ?? '';
    if (rc === 0) return out;
    throw locate(commands, err);
  };

  // For buffers libnftables 1.0.6 always quotes the buffer's first line in its
  // error text; run from a file (dry-run, nothing committed) to learn the real line.
  const locate = (commands: string, err: string): NftError => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-nft-'));
    try {
      const file = join(dir, 'ruleset.nft');
      writeFileSync(file, commands);
      lib.setFlags(ctx, 0);
      lib.setDryRun(ctx, true);
      const rc = lib.runFile(ctx, file);
      lib.output(ctx);
      const fileErr = lib.error(ctx) ?? '';
      return parseNftError(rc === 0 ? err : fileErr, commands);
    } finally {
      lib.setDryRun(ctx, false);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  return {
    backend: 'ffi',
    run: (commands) => void exec(commands, 0, false),
    check: (commands) => void exec(commands, 0, true),
    listJson: (what) => JSON.parse(exec(what, OUTPUT_JSON, false)),
    listText: (what, options) => exec(what, options?.terse ? OUTPUT_TERSE : 0, false),
    tableComment: readTableComment,
    chainRules: readChainRules,
    bulk: NETLINK_BULK,
    close: () => {
      if (open) lib.ctxFree(ctx);
      open = false;
    },
  };
}

function createSpawnNft(): Nft {
  // Commands go in on stdin (`-f -`); list commands as arguments, as nft cannot read an empty stdin.
  const exec = (args: readonly string[], input: string, asArgs = false): string => {
    const argv = asArgs ? [...args, ...input.trim().split(/\s+/)] : [...args, '-f', '-'];
    const result = spawnSync('nft', argv, {
      ...(asArgs ? {} : { input }),
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
      maxBuffer: 1 << 30,
    });
    if (result.error) throw new NftUnavailableError(result.error);
    if (result.status === 0) return result.stdout;
    throw parseNftError(result.stderr, input);
  };
  return {
    backend: 'spawn',
    run: (commands) => void exec([], commands),
    check: (commands) => void exec(['-c'], commands),
    listJson: (what) => JSON.parse(exec(['-j'], what, true)),
    listText: (what, options) => exec(options?.terse ? ['-t'] : [], what, true),
    tableComment: readTableComment,
    chainRules: readChainRules,
    bulk: NETLINK_BULK,
    close: () => {},
  };
}

/**
 * Opens nftables for this network namespace: libnftables via FFI when it loads
 * and the process can be put in UTC, else the `nft` binary with TZ=UTC.
 */
export function createNft(options?: { backend?: 'ffi' | 'spawn' }): Nft {
  forceUtc();
  if (options?.backend === 'spawn') return createSpawnNft();
  let lib: Lib;
  try {
    lib = loadLib();
  } catch (error) {
    if (options?.backend === 'ffi') throw new NftUnavailableError(error);
    return createSpawnNft();
  }
  if (!libcIsUtc(lib)) {
    if (options?.backend === 'ffi') {
      throw new NftUnavailableError(new Error('could not put the process in UTC for meta hour/day'));
    }
    return createSpawnNft();
  }
  return createFfiNft(lib);
}
