// The protocol benchmark's enforcer, run inside the benchmark namespace: binds
// NFQUEUE 0-1, judges every packet with the real protocol judge (a Modbus rule
// allowing read-holding-registers from argv[2] to argv[3]:502, IPv4), and
// answers each line on stdin with a JSON line of its counters.
// argv, stdin lines → stats JSON lines on stdout. Shell.

import { createInterface } from 'node:readline';
import { createProtocolJudge, judgePacket } from '../decide/protocol-judge.js';
import { createQueueEnforcer } from '../sense/nfqueue.js';

/** What the worker reports. */
export interface ProtocolWorkerStats {
  readonly received: number;
  readonly accepted: number;
  readonly dropped: number;
  readonly findings: number;
  readonly verdictBatches: number;
  readonly overruns: number;
  readonly cpuMs: number;
  /** Of which in the kernel (verdicts re-inject packets, which then run the stack in this process). */
  readonly systemMs: number;
}

function ipv4(text: string | undefined): { first: bigint; last: bigint } {
  const value = (text ?? '127.0.0.1').split('.').reduce((v, octet) => (v << 8n) | BigInt(Number(octet)), 0n);
  return { first: value, last: value };
}

const judge = createProtocolJudge([
  {
    family: 4,
    source: ipv4(process.argv[2]),
    destination: ipv4(process.argv[3]),
    fromPort: 502,
    toPort: 502,
    constraint: { kind: 'modbus', functions: [3], loc: { file: 'bench', line: 1, col: 1 } },
    producer: 'bench:1 reads',
  },
]);
let findings = 0;
const enforcer = await createQueueEnforcer({
  queues: [0, 1],
  judge: (p) => {
    const j = judgePacket(judge, p.payload);
    findings += j.findings.length;
    return j.verdict;
  },
  maxLength: 8192,
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
createInterface({ input: process.stdin })
  .on('line', () => {
    const s = enforcer.stats();
    const cpu = process.cpuUsage();
    const out: ProtocolWorkerStats = {
      received: s.received,
      accepted: s.accepted,
      dropped: s.dropped,
      findings,
      verdictBatches: s.verdictBatches,
      overruns: s.overruns,
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemMs: cpu.system / 1000,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  })
  .on('close', () => {
    enforcer.close().then(() => process.exit(0));
  });
