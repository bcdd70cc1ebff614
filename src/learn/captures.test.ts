// Learning from the public captures in ../shared/pcaps (third-party traffic,
// see its MANIFEST.md): every proposal parses back without errors, the
// inference matches what the captures are known to hold, and malformed,
// fuzzed and corrupted captures never crash the learner.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse.js';
import { scanCaptureFile } from '../sense/capture-scan.js';
import { createPcapReader } from '../sense/pcap-reader.js';
import { emitPolicy } from './emit.js';
import { createLearner } from './learner.js';
import type { Proposal } from './proposal.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const pcaps = join(repoRoot, '..', 'shared', 'pcaps');
const PROTOCOLS = ['modbus', 's7comm', 'dnp3', 'enip', 'bacnet', 'iec104'];

function learnFile(path: string): { proposal: Proposal; text: string } {
  const l = createLearner();
  scanCaptureFile(path, (b, s, e, t, lt) => l.observe(t, lt, b, s, e));
  const proposal = l.propose({ site: 'public-capture' });
  return { proposal, text: emitPolicy(proposal) };
}

const files = PROTOCOLS.flatMap((dir) =>
  readdirSync(join(pcaps, dir))
    .sort()
    .map((name) => [`${dir}/${name}`, join(pcaps, dir, name)] as const),
);

describe('learn on the public captures', () => {
  it('has captures of every protocol', () => {
    for (const p of PROTOCOLS) expect(files.filter(([n]) => n.startsWith(`${p}/`)).length).toBeGreaterThan(3);
  });

  it.each(files)('%s: the proposal passes picket check', (name, path) => {
    const { text } = learnFile(path);
    const { policy, diagnostics } = parsePolicy(text, name);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(policy?.enforcement.mode).toBe('monitor');
  });

  it('finds the Modbus PLC and the HMI polling it, with the function seen', () => {
    const { proposal } = learnFile(join(pcaps, 'modbus', 'ekin_Modbus.pcap'));
    const plc = proposal.assets.find((a) => a.role === 'plc');
    expect(plc).toBeDefined();
    const rule = proposal.rules.find((r) => r.to === plc?.name);
    expect(rule?.protocol).toMatchObject({ kind: 'modbus', functions: [3] });
  });

  it('calls the S7 client that downloads blocks an engineering station and allows exactly what it did', () => {
    const { proposal } = learnFile(join(pcaps, 's7comm', 'step7_s300_download.pcapng'));
    expect(proposal.assets.map((a) => a.role).sort()).toEqual(['engineering', 'plc']);
    const c = proposal.rules[0]?.protocol;
    expect(c?.kind === 's7' ? c.allow : []).toContain('download');
  });

  it('learns the DNP3 functions a master sends to its outstation', () => {
    const { proposal } = learnFile(join(pcaps, 'dnp3', 'iti_directoperate_and_response.pcap'));
    expect(proposal.assets.find((a) => a.role === 'rtu')).toBeDefined();
    expect(proposal.rules.map((r) => r.protocol)).toContainEqual({ kind: 'dnp3', functions: [5] });
  });

  it('tells EtherNet/IP, BACnet and IEC 104 by content', () => {
    const tags = (file: string) => learnFile(join(pcaps, file)).proposal.services.map((s) => s.protocol);
    expect(tags('enip/ekin_enip.pcap')).toContain('enip');
    expect(tags('bacnet/ekin_bacnet-ip.pcap')).toContain('bacnet');
    expect(tags('iec104/ekin_iec104.pcap')).toContain('iec104');
  });

  it('never crashes on fuzzed and crash-inducing Modbus captures', () => {
    for (const name of ['zeek_fuzz-72.pcap', 'ekin_crash.pcap', 'ekin_IllegalFunction.pcap']) {
      const { text } = learnFile(join(pcaps, 'modbus', name));
      expect(parsePolicy(text, name).policy).toBeDefined();
    }
  });

  it('never crashes on captures corrupted byte by byte', () => {
    let seed = 99;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (const file of [
      'modbus/iti_modbus_test.pcap',
      's7comm/snap7_s300_everything.pcapng',
      'dnp3/zeek_dnp3.pcap',
    ]) {
      const original = readFileSync(join(pcaps, file));
      for (let round = 0; round < 20; round++) {
        const bytes = Uint8Array.from(original);
        // Keep the file header so the frames are walked; damage what follows.
        for (let k = 0; k < 200; k++)
          bytes[64 + Math.floor(random() * (bytes.length - 64))] = Math.floor(random() * 256);
        const l = createLearner();
        for (const f of createPcapReader().push(bytes)) l.observe(f.timeMs, f.linktype, f.data);
        const text = emitPolicy(l.propose());
        expect(parsePolicy(text, file).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      }
    }
  });
});
