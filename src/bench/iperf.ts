// iperf3 driver: a server in the receiver's namespace, and bounded client runs
// from the sender's: a one-flow UDP stream of small datagrams and a TCP stream.
// Lab + hosts → packets/s or Gbit/s received. Shell.

import type { Lab, LabProcess } from '../lab/lab.js';
import { NICE } from './hping.js';

/** iperf3 UDP payload for the one-flow stream: a 106-byte frame. */
export const IPERF_UDP_PAYLOAD_BYTES = 64;

/** The port iperf3 uses for control, TCP data and UDP data. */
export const IPERF_PORT = 5201;

/** iperf3 said the run failed. */
export class IperfError extends Error {
  constructor(message: string) {
    super(`iperf3: ${message}`);
  }
}

/** Starts `iperf3 -s` on `host` and waits (≤ 5 s) until it listens. */
export async function startIperfServer(lab: Lab, host: string): Promise<LabProcess> {
  const server = lab.spawn(host, [...NICE, 'iperf3', '-s', '-p', String(IPERF_PORT)], `${host}-iperf3`);
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    const { stdout } = await lab.exec(host, ['ss', '-Hltn', `sport = :${IPERF_PORT}`], { check: false });
    if (stdout.trim() !== '') return server;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await server.stop();
  throw new IperfError(`server on ${host} did not listen within 5 s`);
}

interface IperfJson {
  error?: string;
  end?: {
    sum?: { packets?: number; lost_packets?: number; seconds?: number };
    sum_received?: { bits_per_second?: number };
  };
}

async function client(lab: Lab, from: string, argv: readonly string[], seconds: number): Promise<IperfJson> {
  // The server takes a moment to be ready after the previous test ("server is busy"): retry once.
  for (let attempt = 0; ; attempt++) {
    const { stdout } = await lab.exec(from, [...NICE, 'iperf3', '-J', '--connect-timeout', '3000', ...argv], {
      check: false,
      timeoutMs: seconds * 1000 + 15_000,
    });
    const json = JSON.parse(stdout || '{}') as IperfJson;
    if (json.error === undefined) return json;
    if (attempt >= 1) throw new IperfError(json.error);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** One UDP flow of small datagrams, unthrottled, for `seconds`: datagrams/s the server received. */
export async function oneFlowUdpRate(lab: Lab, from: string, toIp: string, seconds: number): Promise<number> {
  const argv = ['-c', toIp, '-p', String(IPERF_PORT), '-u', '-b', '0', '-l', String(IPERF_UDP_PAYLOAD_BYTES)];
  const json = await client(lab, from, [...argv, '-t', String(seconds)], seconds);
  const sum = json.end?.sum;
  if (sum?.packets === undefined || sum.seconds === undefined) throw new IperfError('no UDP summary');
  return (sum.packets - (sum.lost_packets ?? 0)) / sum.seconds;
}

/** One TCP stream for `seconds`: Gbit/s the server received. */
export async function tcpGbps(lab: Lab, from: string, toIp: string, seconds: number): Promise<number> {
  const json = await client(
    lab,
    from,
    ['-c', toIp, '-p', String(IPERF_PORT), '-t', String(seconds)],
    seconds,
  );
  const bps = json.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new IperfError('no TCP summary');
  return bps / 1e9;
}
