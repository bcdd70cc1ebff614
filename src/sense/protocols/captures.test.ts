// The codecs against public captures (../shared/pcaps, read in place): request
// messages per function code, counted through the same per-flow reassembly the
// enforcer uses, must equal what tshark's dissectors count in the same files.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFlowStream, type FlowStream, judgeSegment } from '../../decide/protocol-stream.js';
import { createPcapReader } from '../pcap-reader.js';
import { dnp3Codec } from './dnp3.js';
import type { ProtocolCodec } from './frame.js';
import { modbusCodec } from './modbus.js';
import { s7Codec } from './s7comm.js';

const pcaps = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'pcaps');
const hasTshark = spawnSync('tshark', ['--version']).status === 0 && existsSync(pcaps);

/** Function codes of every request message towards `port`, in order, and how many frames were malformed. */
function decodeCapture(
  file: string,
  codec: ProtocolCodec,
  port: number,
): { codes: number[]; malformed: number } {
  const reader = createPcapReader();
  const streams = new Map<string, FlowStream>();
  const codes: number[] = [];
  let malformed = 0;
  for (const frame of reader.push(readFileSync(file))) {
    const d = frame.data;
    if (frame.linktype !== 1 || d[12] !== 0x08 || d[13] !== 0x00) continue;
    const ip = 14;
    if (d[ip + 9] !== 6) continue;
    const ihl = ((d[ip] ?? 0) & 15) * 4;
    const total = ((d[ip + 2] ?? 0) << 8) | (d[ip + 3] ?? 0);
    const t = ip + ihl;
    const dport = ((d[t + 2] ?? 0) << 8) | (d[t + 3] ?? 0);
    if (dport !== port) continue;
    const key = `${d.subarray(ip + 12, ip + 20).join('.')}:${(d[t] ?? 0) * 256 + (d[t + 1] ?? 0)}`;
    let s = streams.get(key);
    if (s === undefined) {
      s = createFlowStream(codec);
      streams.set(key, s);
    }
    const seq = new DataView(d.buffer, d.byteOffset + t + 4, 4).getUint32(0);
    const payload = d.subarray(t + ((d[t + 12] ?? 0) >> 4) * 4, ip + total);
    const count = (m: { code: number }, complete: boolean) => {
      if (complete) codes.push(m.code);
      return { allowed: true };
    };
    const syn = ((d[t + 13] ?? 0) & 2) !== 0;
    let v = judgeSegment(s, seq, payload, syn, count);
    if (v.verdict === 'drop' && v.findings.length === 0) {
      // A gap: these captures start mid-flow or lost segments, which inline TCP
      // would retransmit. Resynchronise here, as a fresh stream.
      s = createFlowStream(codec);
      streams.set(key, s);
      v = judgeSegment(s, seq, payload, syn, count);
    }
    malformed += v.findings.filter((f) => f.malformed).length;
  }
  return { codes, malformed };
}

function tsharkCodes(file: string, filter: string, field: string): number[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', field], {
    encoding: 'utf8',
  });
  return r.stdout
    .split('\n')
    .flatMap((line) => line.split(','))
    .filter((x) => x.trim() !== '')
    .map((x) => Number(x));
}

function histogram(codes: readonly number[]): Record<number, number> {
  const h: Record<number, number> = {};
  for (const c of codes) h[c] = (h[c] ?? 0) + 1;
  return h;
}

describe.skipIf(!hasTshark)('codecs on public captures, counted like tshark', () => {
  it.each([
    'ekin_Modbus.pcap',
    'iti_modbus_test.pcap',
    'digitalbond_modbus_test_data_part1.pcap',
    'zeek_modbusBig.pcap',
    'ekin_modbus-read-write-multiple-registers.pcap',
    'ekin_modbus-mask-write-register.pcap',
  ])('modbus/%s', (name) => {
    const file = join(pcaps, 'modbus', name);
    const ours = decodeCapture(file, modbusCodec, 502);
    expect(histogram(ours.codes)).toEqual(
      histogram(tsharkCodes(file, 'modbus && tcp.dstport==502', 'modbus.func_code')),
    );
  });

  it.each([
    'iti_s7comm_clean.pcap',
    'snap7_s300_stop.pcapng',
    'step7_s300_download.pcapng',
    'snap7_s300_everything.pcapng',
  ])('s7comm/%s', (name) => {
    const file = join(pcaps, 's7comm', name);
    const ours = decodeCapture(file, s7Codec, 102);
    const jobs = ours.codes.filter((c) => c < 0x100);
    expect(histogram(jobs)).toEqual(
      histogram(tsharkCodes(file, 's7comm.header.rosctr==1 && tcp.dstport==102', 's7comm.param.func')),
    );
  });

  it.each([
    'iti_full_exchange.pcap',
    'iti_select_operate_and_responses.pcap',
    'zeek_dnp3.pcap',
    'iti_cold_restart_and_response.pcap',
  ])('dnp3/%s', (name) => {
    const file = join(pcaps, 'dnp3', name);
    const ours = decodeCapture(file, dnp3Codec, 20000);
    expect(histogram(ours.codes.filter((c) => c >= 0))).toEqual(
      histogram(tsharkCodes(file, 'dnp3.al.func && tcp.dstport==20000', 'dnp3.al.func')),
    );
  });
});
