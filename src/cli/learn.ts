// `picket learn <capture>… [--out policy.yaml] [--interface IF --duration 10m]
// [--site NAME] [--generalize] [--json]`: streams pcap/pcapng captures (any
// size, with a progress line) or a live interface for a while through the
// learner, reads the IEEE OUI registry for vendors, and writes the proposed
// policy (stdout without --out) and a summary (stderr; stdout with --json).
// The policy is parsed back before it is written: a proposal that `picket
// check` would refuse is reported, never silently handed over. Shell.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { emitPolicy } from '../learn/emit.js';
import { createLearner, type Learner } from '../learn/learner.js';
import { type OuiRegistry, parseOuiCsv } from '../learn/oui.js';
import type { Proposal } from '../learn/proposal.js';
import { parseDurationSeconds } from '../policy/clock.js';
import { renderDiagnostic } from '../policy/diagnostic.js';
import { parsePolicy } from '../policy/parse.js';
import { scanCaptureFile } from '../sense/capture-scan.js';
import { createPcapReader } from '../sense/pcap-reader.js';
import { PicketError, UsageError } from './errors.js';
import { createProgress } from './progress.js';

const usage =
  'usage: picket learn <capture.pcap>… [--out policy.yaml] [--site NAME] [--generalize] [--json]\n' +
  '       picket learn --interface eth0 --duration 10m [--out policy.yaml] …';

/** Where Debian's ieee-data package keeps the IEEE registries (MA-L, MA-M, MA-S). */
const IEEE_DIR = '/usr/share/ieee-data';
const IEEE_FILES = ['oui.csv', 'mam.csv', 'oui36.csv'];

interface LearnArgs {
  readonly captures: string[];
  out?: string;
  iface?: string;
  durationSeconds?: number;
  site?: string;
  generalize: boolean;
  json: boolean;
  ouiDir: string;
}

function parseArgs(argv: readonly string[]): LearnArgs {
  const args: LearnArgs = { captures: [], generalize: false, json: false, ouiDir: IEEE_DIR };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`, usage);
      return v;
    };
    if (a === '--out' || a === '-o') args.out = value();
    else if (a === '--interface' || a === '-i') args.iface = value();
    else if (a === '--duration') {
      const text = value();
      const seconds = parseDurationSeconds(text);
      if (seconds === undefined || seconds <= 0)
        throw new UsageError(`--duration "${text}" is not a duration`, 'write e.g. 30s, 10m or 1h');
      args.durationSeconds = seconds;
    } else if (a === '--site') args.site = value();
    else if (a === '--oui-dir') args.ouiDir = value();
    else if (a === '--generalize') args.generalize = true;
    else if (a === '--json') args.json = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option "${a}"`, usage);
    else args.captures.push(a);
  }
  if (args.site !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(args.site)) {
    throw new UsageError(`--site "${args.site}" is not a name`, 'letters, digits, "-", "_" and "." only');
  }
  if (args.iface === undefined && args.captures.length === 0) throw new UsageError('no capture given', usage);
  if (args.iface !== undefined && args.durationSeconds === undefined) {
    throw new UsageError('--interface needs --duration', 'e.g. picket learn --interface eth0 --duration 10m');
  }
  if (args.iface === undefined && args.durationSeconds !== undefined) {
    throw new UsageError('--duration is for live capture', 'give --interface too, or drop --duration');
  }
  return args;
}

/** The IEEE registry, or nothing (and a note why) when the files are missing. */
function loadRegistry(dir: string): { registry?: OuiRegistry; note: string } {
  const registry = new Map<string, string>();
  const read: string[] = [];
  for (const file of IEEE_FILES) {
    const path = `${dir}/${file}`;
    if (!existsSync(path)) continue;
    parseOuiCsv(readFileSync(path, 'utf8'), registry);
    read.push(file);
  }
  if (read.length === 0) {
    return { note: `no IEEE registry in ${dir} (install Debian's ieee-data): no vendors` };
  }
  return {
    registry,
    note: `IEEE registry (${registry.size} assignments) from ${dir}/{${read.join(',')}}, Debian ieee-data`,
  };
}

function learnFiles(learner: Learner, paths: readonly string[], quiet: boolean): void {
  for (const path of paths) {
    const progress = createProgress(`learn ${basename(path)}`, { quiet });
    try {
      scanCaptureFile(
        path,
        (bytes, start, end, timeMs, linktype) => learner.observe(timeMs, linktype, bytes, start, end),
        {
          onProgress: (p) => progress.update(p.bytesRead, p.totalBytes, `${p.frames} frames`),
        },
      );
    } finally {
      progress.finish();
    }
  }
}

/** Captures live from `iface` through tcpdump (which never transmits) for `seconds`. */
function learnLive(learner: Learner, iface: string, seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tcpdump', ['-i', iface, '-U', '-w', '-', '-s', '262144', '-n'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const reader = createPcapReader();
    let stderr = '';
    let frames = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        frames++;
        learner.observe(f.timeMs, f.linktype, f.data);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const started = Date.now();
    const tick = setInterval(() => {
      process.stderr.write(
        `learn ${iface}: ${Math.round((Date.now() - started) / 1000)}/${seconds} s, ${frames} frames\n`,
      );
    }, 5_000);
    const stop = setTimeout(() => child.kill('SIGTERM'), seconds * 1000);
    child.on('error', (error) => {
      clearTimeout(stop);
      clearInterval(tick);
      reject(
        new PicketError('capture', `capture on ${iface}: ${error.message}`, { hint: 'install tcpdump' }),
      );
    });
    child.on('exit', (code, signal) => {
      clearTimeout(stop);
      clearInterval(tick);
      if (signal === 'SIGTERM' || code === 0) return resolve();
      reject(
        new PicketError('capture', `capture on ${iface}: tcpdump exited with ${code}: ${stderr.trim()}`, {
          hint: 'check the interface name (ip link) and run as root',
        }),
      );
    });
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The human summary of a proposal. */
export function summarize(p: Proposal): string {
  const roles = new Map<string, number>();
  for (const a of p.assets) roles.set(a.role, (roles.get(a.role) ?? 0) + 1);
  const unsure = p.rules.filter((r) => r.unsure.length > 0).length;
  const lines = [
    `learned from ${plural(p.stats.frames, 'frame')} (${p.stats.ipPackets} IP): ${plural(p.stats.hostsSeen, 'host')}, ${plural(p.stats.servicesSeen, 'conversation')} (client, server, port) seen`,
    `proposed: ${plural(p.zones.length, 'zone')}, ${plural(p.assets.length, 'asset')} (${
      [...roles]
        .sort()
        .map(([r, n]) => `${n} ${r}`)
        .join(', ') || 'none'
    }), ${plural(p.groups.length, 'group')}, ${plural(p.services.length, 'service')}, ${plural(p.schedules.length, 'schedule')}, ${plural(p.rules.length, 'rule')} (${unsure} marked unsure)`,
  ];
  if (p.recon.length > 0) {
    lines.push(`reconnaissance left out (${p.recon.length}):`);
    for (const f of p.recon) lines.push(`  ${f.source} ${f.kind}: ${f.detail}`);
  }
  for (const u of p.unexpressed) lines.push(`not expressible: ${u}`);
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `picket learn`; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  const { registry, note } = loadRegistry(args.ouiDir);
  const learner = createLearner();
  learnFiles(learner, args.captures, args.json);
  if (args.iface !== undefined) await learnLive(learner, args.iface, args.durationSeconds ?? 0);
  const sources = [
    ...args.captures.map((c) => basename(c)),
    ...(args.iface === undefined ? [] : [`live ${args.iface}`]),
  ];
  const proposal = learner.propose({
    ...(args.site === undefined ? {} : { site: args.site }),
    generalize: args.generalize,
    ...(registry === undefined ? {} : { registry }),
    registryNote: note,
    sources,
  });
  const text = emitPolicy(proposal);
  const file = args.out ?? 'learned.yaml';
  const { policy, diagnostics } = parsePolicy(text, file);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d, text)}\n`);
  if (args.out !== undefined) {
    const temp = `${args.out}.tmp-${process.pid}`;
    try {
      writeFileSync(temp, text);
      renameSync(temp, args.out);
    } catch (cause) {
      throw new PicketError('write', `cannot write ${args.out}`, {
        cause,
        hint: 'check the directory exists and is writable',
      });
    }
  }
  if (args.json) {
    const body = {
      ...proposal,
      ...(args.out === undefined ? { policy: text } : { out: args.out }),
      valid: policy !== undefined,
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    if (args.out === undefined) process.stdout.write(text);
    process.stderr.write(summarize(proposal));
    if (args.out !== undefined) process.stderr.write(`wrote ${args.out}; next: picket check ${args.out}\n`);
  }
  if (policy === undefined) {
    throw new PicketError('learn-invalid', 'the proposed policy does not pass picket check (a learn bug)', {
      hint: 'the diagnostics above say where; please report them with the capture',
    });
  }
  return 0;
}
