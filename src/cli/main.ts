// The `picket` command: parses the subcommand and hands the rest of argv to its
// module. The CLI is the only place where real drivers are created and wired.
// Shell.

import { exitCodeFor, formatError } from './errors.js';

type CommandMain = (argv: readonly string[]) => Promise<number>;

interface Command {
  readonly summary: string;
  readonly load: () => Promise<CommandMain>;
}

const commands: Readonly<Record<string, Command>> = {
  check: {
    summary: 'check <policy.yaml>          report every problem in a policy',
    load: async () => (await import('./check.js')).main,
  },
  schema: {
    summary: 'schema                       print the policy JSON Schema',
    load: async () => (await import('./schema.js')).main,
  },
  compile: {
    summary: 'compile <policy.yaml>        print the nftables ruleset',
    load: async () => (await import('./compile.js')).main,
  },
  plan: {
    summary: 'plan <policy.yaml>           show what apply would change',
    load: async () => (await import('./plan.js')).main,
  },
  apply: {
    summary: 'apply <policy.yaml> [--confirm-within 60s] | --confirm',
    load: async () => (await import('./apply.js')).main,
  },
  status: {
    summary: 'status                       show what is enforced',
    load: async () => (await import('./status.js')).main,
  },
  quarantine: {
    summary: 'quarantine list | add <ip> [--for 1h] | release <ip>',
    load: async () => (await import('./quarantine.js')).main,
  },
  node: {
    summary: 'node --config <node.yaml>    run the enforcement node (signals: HUP reload, TERM stop)',
    load: async () => (await import('./node.js')).main,
  },
  permits: {
    summary: 'permits [list] [--all] [--json] | revoke <ip|id>',
    load: async () => (await import('./permits.js')).main,
  },
  detections: {
    summary: 'detections [--follow] [--json] [--since 10m] [--kind scan] [--journal path]',
    load: async () => (await import('./detections.js')).main,
  },
  learn: {
    summary: 'learn <capture>… [--out policy.yaml] [--interface IF --duration 10m] [--generalize]',
    load: async () => (await import('./learn.js')).main,
  },
  simulate: {
    summary:
      'simulate <policy.yaml> <capture>… [--json] [--quiet] [--without-node]  what the policy would do',
    load: async () => (await import('./simulate.js')).main,
  },
  lab: {
    summary: 'lab up <lab.yaml> | down | exec <host> <cmd…>',
    load: async () => (await import('./lab.js')).main,
  },
  demo: {
    summary: 'demo                         build a lab plant, enforce, attack, explain',
    load: async () => (await import('./demo.js')).main,
  },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  picket ${c.summary}`);
  return `usage: picket <command> [args]\n\n${lines.join('\n')}\n`;
}

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`picket: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load())(rest);
}

// The one top-level handler: every error becomes a message and an exit code.
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
