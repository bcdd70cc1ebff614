// CPU time the kernel's ksoftirqd threads have used: packet processing that
// overflowed the sender's own context lands there, and a per-packet CPU cost
// must count it. /proc → seconds. Shell.

import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every Linux architecture Picket runs on). */
const TICKS_PER_SECOND = 100;

/** utime + stime of one /proc/PID/stat line, in ticks (fields 14 and 15, counted after the `(comm)`). */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** Total CPU seconds of all ksoftirqd/N threads so far. */
export function ksoftirqdSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('ksoftirqd/')) continue;
      ticks += statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      // the process ended while we looked
    }
  }
  return ticks / TICKS_PER_SECOND;
}
