// The last good ruleset on disk, per network namespace: what is enforced now
// (current.json/.nft), what was before (previous.json/.nft, for rollback) and a
// pending confirm-or-rollback (pending.json). Every file is written atomically
// (temp file, fsync, rename, fsync of the directory). Decides nothing.
// Shell.

import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PicketError } from '../cli/errors.js';
import type { Ruleset } from '../compile/ruleset.js';

/** A ruleset as it was applied: the Ruleset, its nft text and when. */
export interface StoredRuleset {
  readonly ruleset: Ruleset;
  /** The rendered transaction, without carried-over quarantine elements. */
  readonly nft: string;
  readonly appliedAtMs: number;
}

/** An apply waiting for `picket apply --confirm`, else rolled back at the deadline. */
export interface Pending {
  readonly token: string;
  readonly deadlineMs: number;
  /** Hash of the ruleset that is on trial. */
  readonly hash: string;
  /** Path of the ruleset to go back to; absent when there was none (rollback deletes the tables). */
  readonly previousPath?: string;
  /** Pid of the detached rollback timer. */
  readonly timerPid?: number;
}

/** Reads and writes Picket's on-disk state for one network namespace. */
export interface StateStore {
  readonly dir: string;
  /** The ruleset Picket last applied, if any. */
  readCurrent(): StoredRuleset | undefined;
  /** The ruleset before that, if any. */
  readPrevious(): StoredRuleset | undefined;
  /** Records a newly applied ruleset: current moves to previous. */
  saveApplied(applied: StoredRuleset): void;
  /** Records a rollback: previous becomes current again, or, when the tables were deleted, current goes. */
  saveRolledBack(to: 'previous' | 'nothing'): void;
  readPending(): Pending | undefined;
  writePending(pending: Pending): void;
  /**
   * Takes the state lock so two commands never interleave their writes to the
   * kernel and this directory; returns its release. Throws StateLockedError while
   * a live process holds it; a dead holder's lock is taken over.
   */
  lock(): () => void;
  /** Atomically takes the pending record away (confirm or rollback, whichever is first); undefined if none. */
  claimPending(): Pending | undefined;
  close(): void;
}

/** The state directory cannot be read or written. */
export class StateStoreError extends PicketError {
  readonly path: string;
  constructor(message: string, path: string, cause: unknown) {
    super('state-store', `${message}: ${path}`, {
      cause,
      hint: 'run as root, or point PICKET_STATE_DIR at a writable directory',
    });
    this.path = path;
  }
}

/** Another Picket command is changing this namespace right now. */
export class StateLockedError extends PicketError {
  readonly holderPid: number;
  constructor(holderPid: number) {
    super('state-locked', `another picket command (pid ${holderPid}) is changing this network namespace`, {
      hint: 'wait for it to finish and try again',
    });
    this.holderPid = holderPid;
  }
}

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state directory of the network namespace this process is in:
 * $PICKET_STATE_DIR, else /var/lib/picket/ns-<inode of /proc/self/ns/net>.
 */
export function defaultStateDir(): string {
  const override = process.env.PICKET_STATE_DIR;
  if (override) return override;
  return `/var/lib/picket/ns-${statSync('/proc/self/ns/net').ino}`;
}

function writeAtomic(dir: string, name: string, text: string): void {
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateStoreError('cannot read state', path, error);
  }
}

/** Opens (creating if needed) the state directory `dir`, by default this namespace's. */
export function createStateStore(dir: string = defaultStateDir()): StateStore {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StateStoreError('cannot create state directory', dir, error);
  }

  const readStored = (base: string): StoredRuleset | undefined => {
    const json = readOptional(join(dir, `${base}.json`));
    const nft = readOptional(join(dir, `${base}.nft`));
    if (json === undefined || nft === undefined) return undefined;
    try {
      const parsed = JSON.parse(json) as { ruleset: Ruleset; appliedAtMs: number };
      return { ruleset: parsed.ruleset, appliedAtMs: parsed.appliedAtMs, nft };
    } catch (error) {
      throw new StateStoreError('corrupt state file', join(dir, `${base}.json`), error);
    }
  };

  const write = (base: string, stored: StoredRuleset): void => {
    // .nft first: a .json is only trusted when its .nft is there too.
    writeAtomic(dir, `${base}.nft`, stored.nft);
    writeAtomic(
      dir,
      `${base}.json`,
      `${JSON.stringify({ appliedAtMs: stored.appliedAtMs, ruleset: stored.ruleset })}\n`,
    );
  };

  // The current files become the previous ones by hard link, not by reading and rewriting
  // them (at 100k pairs that was a 10 MB parse and two more fsynced writes per apply).
  // The old previous goes first, .nft before .json, so no moment has a trusted mixed pair.
  const keepAsPrevious = (): void => {
    remove('previous');
    if (!existsSync(join(dir, 'current.json'))) return;
    for (const ext of ['nft', 'json']) {
      try {
        linkSync(join(dir, `current.${ext}`), join(dir, `previous.${ext}`));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return;
      }
    }
  };

  const remove = (base: string): void => {
    rmSync(join(dir, `${base}.json`), { force: true });
    rmSync(join(dir, `${base}.nft`), { force: true });
  };

  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      throw new StateStoreError(`cannot ${what}`, dir, error);
    }
  };

  return {
    dir,
    readCurrent: () => readStored('current'),
    readPrevious: () => readStored('previous'),
    saveApplied: (applied) =>
      guard('save the applied ruleset', () => {
        keepAsPrevious();
        write('current', applied);
      }),
    saveRolledBack: (to) =>
      guard('record the rollback', () => {
        const previous = to === 'previous' ? readStored('previous') : undefined;
        if (previous) {
          write('current', previous);
          remove('previous');
        } else remove('current');
      }),
    readPending: () => {
      const text = readOptional(join(dir, 'pending.json'));
      return text === undefined ? undefined : (JSON.parse(text) as Pending);
    },
    writePending: (pending) =>
      guard('save the pending confirmation', () =>
        writeAtomic(dir, 'pending.json', `${JSON.stringify(pending)}\n`),
      ),
    lock: () => {
      const path = join(dir, 'lock');
      for (let attempt = 0; ; attempt++) {
        try {
          const fd = openSync(path, 'wx', 0o600);
          writeSync(fd, `${process.pid}\n`);
          closeSync(fd);
          return () => rmSync(path, { force: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
            throw new StateStoreError('cannot lock', path, error);
          const holder = Number(readOptional(path)?.trim());
          if (attempt > 0 || (Number.isInteger(holder) && holder > 0 && processAlive(holder))) {
            throw new StateLockedError(holder);
          }
          rmSync(path, { force: true });
        }
      }
    },
    claimPending: () => {
      // rename is atomic: of a confirm and a rollback racing, exactly one wins.
      const claimed = join(dir, `.pending.${process.pid}.claimed`);
      try {
        renameSync(join(dir, 'pending.json'), claimed);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StateStoreError('cannot claim the pending confirmation', dir, error);
      }
      const text = readFileSync(claimed, 'utf8');
      rmSync(claimed, { force: true });
      return JSON.parse(text) as Pending;
    },
    close: () => {},
  };
}
