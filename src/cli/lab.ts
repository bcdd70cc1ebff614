// `picket lab up <lab.yaml> | down [name] | exec [--lab name] <host> -- <cmd…> | status`:
// builds, enters and removes lab plants in network namespaces. argv → exit code. Shell.

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createLab, destroyLab, type Lab, loadLabSpec, openLab } from '../lab/lab.js';
import { isAlive, listNamespaces } from '../lab/netns.js';
import { readPollerStats } from '../lab/services.js';
import { DEFAULT_LABS_DIR, listLabStates } from '../lab/state.js';
import { UsageError } from './errors.js';

const USAGE =
  'usage: picket lab up <lab.yaml> [--replace] | down [name] | exec [--lab name] <host> -- <cmd…> | status';

/** Runs `picket lab …`. */
export async function main(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'up':
      return up(rest);
    case 'down':
      return down(rest);
    case 'exec':
      return exec(rest);
    case 'status':
      return status(rest);
    default:
      throw new UsageError(
        sub === undefined ? 'missing lab subcommand' : `unknown lab subcommand "${sub}"`,
        USAGE,
      );
  }
}

async function up(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { replace: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('lab up takes one lab.yaml', USAGE);
  const spec = loadLabSpec(file);
  const lab = await createLab(spec, { specFile: file, replace: values.replace === true });
  process.stdout.write(describe(lab));
  return 0;
}

function describe(lab: Lab): string {
  const rows = [
    ['host', 'segment', 'ipv4', 'ipv6', 'netns', 'services'],
    ...lab.spec.hosts.map((h) => [
      h.name,
      h.segment,
      h.ipv4,
      h.ipv6 ?? '-',
      lab.ns(h.name),
      h.services
        .map((s) => (s.kind === 'hmi-poller' ? `hmi-poller→${s.target}@${s.hz}Hz` : `modbus:${s.port}`))
        .join(' ') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  const table = rows
    .map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd())
    .join('\n');
  const node = lab.spec.node;
  const ports = node.ports.map((p) => `${p.name}→${p.segment}`).join(', ');
  const first = lab.spec.hosts[0]?.name ?? node.name;
  return [
    `lab "${lab.name}" is up (id ${lab.id}, namespaces ${lab.id && `pk-${lab.id}-*`})`,
    '',
    table,
    '',
    `  node ${node.name}: netns ${lab.nodeNs}, bridge ${node.bridge} (${ports}), bridge-nf-call-iptables=1`,
    lab.spec.wiring === 'direct'
      ? '  wiring: direct (each host cabled straight into its node port, no switches)'
      : `  switches: ${lab.spec.segments.map((s) => `${s} (netns ${lab.ns(`sw-${s}`)})`).join(', ')}`,
    `  logs and poller stats: ${lab.runDir}`,
    '',
    `run a command:  picket lab exec ${first} -- ip addr`,
    `           or:  ip netns exec ${lab.ns(first)} <cmd>`,
    `tear down:      picket lab down ${lab.name}`,
    '',
  ].join('\n');
}

function pickLab(name: string | undefined): string {
  if (name !== undefined) return name;
  const labs = listLabStates(DEFAULT_LABS_DIR);
  if (labs.length === 1 && labs[0] !== undefined) return labs[0];
  throw new UsageError(
    labs.length === 0 ? 'no lab is up' : `several labs are up (${labs.join(', ')}); name one`,
    labs.length === 0 ? 'run: picket lab up examples/lab.yaml' : USAGE,
  );
}

async function down(argv: readonly string[]): Promise<number> {
  if (argv.length > 1) throw new UsageError('lab down takes at most one lab name', USAGE);
  const labs = listLabStates(DEFAULT_LABS_DIR);
  if (argv[0] === undefined && labs.length === 0) {
    process.stdout.write('no lab is up\n');
    return 0;
  }
  const name = pickLab(argv[0]);
  const removed = await destroyLab(name);
  process.stdout.write(removed ? `lab "${name}" is down\n` : `no lab named "${name}" (nothing to do)\n`);
  return 0;
}

async function exec(argv: readonly string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const head = dash === -1 ? argv.slice(0, 1) : argv.slice(0, dash);
  const command = dash === -1 ? argv.slice(1) : argv.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: [...head],
    allowPositionals: true,
    options: { lab: { type: 'string' } },
  });
  const [host] = positionals;
  if (dash === -1 && argv[0] === '--lab')
    throw new UsageError('with --lab, put -- before the command', USAGE);
  if (!host || positionals.length > 1 || command.length === 0)
    throw new UsageError('lab exec needs a host and a command', USAGE);
  const lab = openLab(pickLab(values.lab));
  const ns = lab.ns(host);
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function status(argv: readonly string[]): Promise<number> {
  const names = argv.length > 0 ? [...argv] : listLabStates(DEFAULT_LABS_DIR);
  if (names.length === 0) process.stdout.write('no lab is up\n');
  const live = new Set(await listNamespaces());
  for (const name of names) {
    const lab = openLab(name);
    const present = lab.namespaces.filter((ns) => live.has(ns)).length;
    process.stdout.write(
      `lab "${name}" id ${lab.id}: ${present}/${lab.namespaces.length} namespaces present\n`,
    );
    for (const s of lab.services) {
      const stats = s.statsFile ? readPollerStats(s.statsFile) : null;
      const detail = stats
        ? ` ok=${stats.ok} fail=${stats.fail} longestGapMs=${stats.longestGapMs} lastError=${stats.lastError}`
        : '';
      process.stdout.write(
        `  ${s.host} ${s.kind} pid ${s.pid} ${isAlive(s.pid) ? 'running' : 'exited'}${detail}\n`,
      );
    }
  }
  return 0;
}
