// An in-memory stand-in for the nft driver, for unit tests: it keeps Picket's
// tables as the last transaction text, their comment and the quarantine sets,
// and is atomic like the kernel (a rejected transaction changes nothing).
// Shell (test double).

import { type Nft, NftError } from './nft.js';

/** What a test can see and steer in the fake kernel. */
export interface FakeNft extends Nft {
  /** Text of the last committed transaction that created Picket's tables, if they exist. */
  readonly tables: () => string | undefined;
  /** Quarantined addresses → { timeout, expires } in seconds, per family set. */
  readonly quarantine: Map<string, { timeoutSeconds: number; expiresSeconds: number }>;
  /** Every command text that was committed, in order. */
  readonly committed: string[];
  /** When set, transactions containing this text are rejected like the kernel would. */
  rejectContaining?: string;
}

const ELEMENT = /([0-9a-fA-F:.]+)(?:\s+timeout\s+(\d+)s)?(?:\s+expires\s+(\d+)s)?/g;

/** Creates a fake nft whose kernel starts empty (or with `tables` committed). */
export function createFakeNft(initial?: { tables?: string }): FakeNft {
  let tables = initial?.tables;
  const quarantine = new Map<string, { timeoutSeconds: number; expiresSeconds: number }>();
  const committed: string[] = [];

  // `define`: the `elements = { … }` of a quarantine set declared in a table definition.
  const elementsIn = (commands: string, verb: 'add' | 'delete' | 'define') => {
    const re =
      verb === 'define'
        ? /set quarantine[46] \{[^}]*?elements = \{([^}]*)\}/g
        : new RegExp(`${verb} element inet picket quarantine[46] \\{([^}]*)\\}`, 'g');
    const found: [string, number, number][] = [];
    for (const m of commands.matchAll(re)) {
      for (const e of (m[1] ?? '').matchAll(ELEMENT)) {
        if (!e[1] || !/[.:]/.test(e[1])) continue;
        found.push([e[1], Number(e[2] ?? 3600), Number(e[3] ?? e[2] ?? 3600)]);
      }
    }
    return found;
  };

  const fake: FakeNft = {
    backend: 'ffi',
    tables: () => tables,
    quarantine,
    committed,
    run(commands) {
      fake.check(commands);
      committed.push(commands);
      if (/table inet picket\s*\{/.test(commands)) {
        tables = commands;
        quarantine.clear();
        for (const [address, timeoutSeconds, expiresSeconds] of elementsIn(commands, 'define')) {
          quarantine.set(address, { timeoutSeconds, expiresSeconds });
        }
      } else if (/delete table inet picket/.test(commands)) {
        tables = undefined;
        quarantine.clear();
      }
      for (const [address] of elementsIn(commands, 'delete')) {
        if (!quarantine.delete(address))
          throw new NftError('Could not process rule: No such file or directory');
      }
      for (const [address, timeoutSeconds, expiresSeconds] of elementsIn(commands, 'add')) {
        quarantine.set(address, { timeoutSeconds, expiresSeconds });
      }
    },
    check(commands) {
      if (fake.rejectContaining !== undefined && commands.includes(fake.rejectContaining)) {
        const lines = commands.split('\n');
        const index = lines.findIndex((l) => l.includes(fake.rejectContaining ?? ''));
        throw new NftError('Could not process rule: Operation not supported', index + 1, lines[index]);
      }
      const hasTable = tables !== undefined || /table inet picket\s*\{/.test(commands);
      if (/element inet picket/.test(commands) && !hasTable) {
        throw new NftError('No such file or directory');
      }
    },
    listJson(what) {
      const meta = { metainfo: { version: 'fake', json_schema_version: 1 } };
      if (what === 'list tables') {
        const list = tables === undefined ? [] : [{ table: { family: 'inet', name: 'picket', handle: 1 } }];
        return { nftables: [meta, ...list] };
      }
      const set = /^list set inet picket (quarantine[46])$/.exec(what);
      if (set && tables !== undefined) {
        const v6 = set[1] === 'quarantine6';
        const elem = [...quarantine]
          .filter(([address]) => address.includes(':') === v6)
          .map(([val, q]) => ({ elem: { val, timeout: q.timeoutSeconds, expires: q.expiresSeconds } }));
        return { nftables: [meta, { set: { family: 'inet', name: set[1], table: 'picket', elem } }] };
      }
      throw new NftError('No such file or directory');
    },
    tableComment(family, name) {
      const at = tables?.indexOf(`table ${family} ${name} {`) ?? -1;
      if (tables === undefined || at === -1) return { present: false };
      const comment = /comment "([^"]*)"/.exec(tables.slice(at))?.[1];
      return comment === undefined ? { present: true } : { present: true, comment };
    },
    listText(what) {
      if (what === 'list table inet picket' && tables !== undefined) {
        const comment = /comment "([^"]*)"/.exec(tables)?.[1];
        return `table inet picket {\n${comment === undefined ? '' : `\tcomment "${comment}"\n`}}\n`;
      }
      throw new NftError('No such file or directory');
    },
    close() {},
  };
  return fake;
}
