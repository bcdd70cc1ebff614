// End-to-end: protocol-aware enforcement of Modbus/TCP through NFQUEUE.
//
//   hmi-a 10.20.0.50 (pymodbus client, raw sockets)    plc-a1 10.20.1.10 (zone cell-a1, fail-closed)
//                                                       plc-a2 10.20.1.11 (zone cell-a2, fail-open)
//        └───────[sw-upstream]──up0─[ node: br0 + picket apply + node-queue ]─cell0──[sw-cell]──┘
//
// The policy lets hmi-a only read holding registers of both PLCs, and speak S7
// and DNP3 to plc-a2 with the default allow lists. `picket apply`
// loads the ruleset (chain `protocol` marks the queued tuples); node-queue, in
// the node's namespace, installs the xt NFQUEUE rules and judges every request.
// Real peers: Debian's pymodbus 3.0 on both sides, nmap's modbus-discover, and
// public captures replayed with tcpreplay (read in place from ../shared/pcaps,
// rewritten to lab addresses with tcprewrite). Needs root; the lab is always
// torn down.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab, type LabProcess, loadLabSpec } from '../../src/lab/lab.js';
import { eventually, picket, requireBuild, root, tcpProbe } from './plant.js';

const labName = `e2e-proto-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-proto-'));
const env = { PICKET_STATE_DIR: join(work, 'state') };
const PYTHON = '/usr/bin/python3';
let lab: Lab;
let enforcer: LabProcess | undefined;

const POLICY = `version: 1
site: e2e-proto
zones:
  scada: { networks: [10.20.0.0/24] }
  cell-a1: { networks: [10.20.1.10/32] }
  cell-a2: { networks: [10.20.1.11/32], protocol-failure: open }
assets:
  hmi-a: { ip: 10.20.0.50, zone: scada }
  plc-a1: { ip: 10.20.1.10, zone: cell-a1 }
  plc-a2: { ip: 10.20.1.11, zone: cell-a2 }
services:
  modbus: { tcp: [502], protocol: modbus }
  s7: { tcp: [102], protocol: s7comm }
  dnp3: { tcp: [20000], protocol: dnp3 }
rules:
  - name: hmi-reads-plc-a1
    from: hmi-a
    to: plc-a1
    services: [modbus]
    modbus: { functions: [read-holding-registers] }
  - name: hmi-reads-plc-a2
    from: hmi-a
    to: plc-a2
    services: [modbus]
    modbus: { functions: [read-holding-registers] }
  - name: hmi-s7-plc-a2
    from: hmi-a
    to: plc-a2
    services: [s7]
    s7: {}
  - name: hmi-dnp3-plc-a2
    from: hmi-a
    to: plc-a2
    services: [dnp3]
    dnp3: {}
enforcement:
  out-of-profile: block
`;

/** pymodbus 3.0 client: one operation on a fresh connection; prints ok/error and the values. */
const CLIENT = `
import sys
from pymodbus.client import ModbusTcpClient
host, op, addr, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = ModbusTcpClient(host, port=502, timeout=2, retries=0)
if not c.connect():
    print("noconnect"); sys.exit(0)
if op == "read":
    r = c.read_holding_registers(addr, value, slave=1)
elif op == "write":
    r = c.write_register(addr, value, slave=1)
else:
    r = c.write_registers(addr, [value, value], slave=1)
print("error" if r.isError() else "ok " + " ".join(str(x) for x in getattr(r, "registers", []) or []))
c.close()
`;

/** Raw socket: several ADUs in one send (one TCP segment); prints how many response bytes came back. */
const RAW = `
import socket, struct, sys
host, kinds = sys.argv[1], sys.argv[2].split(",")
def adu(tid, pdu): return struct.pack(">HHHB", tid, 0, len(pdu) + 1, 1) + pdu
pdus = {"read": struct.pack(">BHH", 3, 0, 2), "write": struct.pack(">BHH", 6, 8, 777)}
s = socket.create_connection((host, 502), timeout=3)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.sendall(b"".join(adu(i + 1, pdus[k]) for i, k in enumerate(kinds)))
got = b""
try:
    while len(got) < 200:
        d = s.recv(200)
        if not d: break
        got += d
except socket.timeout:
    pass
print(len(got))
`;

async function python(script: string, ...args: string[]): Promise<string> {
  const file = join(work, `${script === CLIENT ? 'client' : 'raw'}.py`);
  writeFileSync(file, script);
  const r = await lab.exec('hmi-a', [PYTHON, file, ...args], { check: false, timeoutMs: 20_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

function findings(): { what: string; allowed: boolean; producer: string }[] {
  if (enforcer === undefined) return [];
  return readFileSync(enforcer.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"finding"'))
    .map((l) => JSON.parse(l).finding);
}

const PCAPS = join(root, '..', 'shared', 'pcaps');

/**
 * Replays the client → server packets of a public capture from hmi-a towards
 * plc-a1 (addresses and MACs rewritten), watching with tcpdump which Modbus
 * requests reach the PLC's interface.
 */
async function replay(
  file: string,
  client: string,
  server: string,
  name: string,
  to = { host: 'plc-a1', port: 502 },
): Promise<{ count(): number; stop(): Promise<void> }> {
  const target = lab.ip(to.host);
  const only = join(work, `${name}-requests.pcap`);
  const rewritten = join(work, `${name}-lab.pcap`);
  await lab.exec('hmi-a', [
    'tcpdump',
    '-r',
    join(PCAPS, file),
    '-w',
    only,
    `tcp dst port ${to.port} and src host ${client} and dst host ${server}`,
  ]);
  const mac = async (host: string) =>
    (await lab.exec(host, ['cat', '/sys/class/net/eth0/address'])).stdout.trim();
  await lab.exec('hmi-a', [
    'tcprewrite',
    `--infile=${only}`,
    `--outfile=${rewritten}`,
    `--srcipmap=${client}/32:10.20.0.50/32`,
    `--dstipmap=${server}/32:${target}/32`,
    `--enet-smac=${await mac('hmi-a')}`,
    `--enet-dmac=${await mac(to.host)}`,
    '--fixcsum',
  ]);
  const dump = lab.spawn(
    to.host,
    ['tcpdump', '-i', 'eth0', '-n', '-l', `tcp dst port ${to.port} and (tcp[tcpflags] & tcp-push != 0)`],
    `plc-${name}-${Date.now()}`,
  );
  const requests = () => {
    const log = existsSync(dump.logFile) ? readFileSync(dump.logFile, 'utf8') : '';
    return {
      listening: log.includes('listening on'),
      count: log.split('\n').filter((l) => l.includes(`> ${target}.${to.port}:`)).length,
    };
  };
  await eventually(`tcpdump in ${to.host} to listen`, () => requests().listening);
  await lab.exec('hmi-a', ['tcpreplay', '-q', '-i', 'eth0', '--pps=500', rewritten]);
  return {
    count: () => requests().count,
    stop: () => dump.stop(),
  };
}

async function startEnforcer(policyFile: string): Promise<void> {
  enforcer = lab.spawn(
    lab.spec.node.name,
    [process.execPath, join(root, 'dist', 'cli', 'node-queue.js'), policyFile],
    `node-queue-${Date.now()}`,
  );
  const log = enforcer.logFile;
  await eventually('node-queue ready', () => {
    try {
      return readFileSync(log, 'utf8').includes('"ready":true');
    } catch {
      return false;
    }
  });
}

beforeAll(async () => {
  requireBuild();
  const spec = loadLabSpec(join(root, 'examples', 'lab.yaml'));
  const hosts = spec.hosts.map((h) => (h.name === 'hmi-a' ? { ...h, services: [] } : h));
  lab = await createLab({ ...spec, name: labName, hosts }, { replace: true });
  const file = join(work, 'policy.yaml');
  writeFileSync(file, POLICY);
  const r = await picket(lab, ['apply', file], env);
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
}, 120_000);

afterAll(async () => {
  await enforcer?.stop();
  await destroyLab(labName);
});

describe('Modbus function enforcement through NFQUEUE', () => {
  it('before any daemon has run (no xt rules yet), the fail-closed zone is blocked and the fail-open zone passes', async () => {
    expect(await tcpProbe(lab, 'hmi-a', '10.20.1.10', 502)).toBe('timeout');
    expect(await tcpProbe(lab, 'hmi-a', '10.20.1.11', 502)).toBe('open');
    await startEnforcer(join(work, 'policy.yaml'));
    expect(await tcpProbe(lab, 'hmi-a', '10.20.1.10', 502)).toBe('open');
  });

  it('lets a real client read holding registers', async () => {
    expect(await python(CLIENT, '10.20.1.10', 'read', '0', '10')).toMatch(/^ok( \d+){10}$/);
  });

  it('drops a write (FC6 and FC16), reports it, and the register keeps its value', async () => {
    const before = await python(CLIENT, '10.20.1.10', 'read', '8', '1');
    expect(await python(CLIENT, '10.20.1.10', 'write', '8', '999')).toBe('error');
    expect(await python(CLIENT, '10.20.1.10', 'writes', '8', '999')).toBe('error');
    expect(await python(CLIENT, '10.20.1.10', 'read', '8', '1')).toBe(before);
    expect(before).not.toBe('ok 999');
    const reported = findings()
      .filter((f) => !f.allowed)
      .map((f) => f.what);
    expect(reported).toContain('Modbus write to holding register 40009 (FC6, unit 1)');
    expect(reported).toContain('Modbus write to holding registers 40009-40010 (FC16, unit 1)');
    expect(findings().find((f) => !f.allowed)?.producer).toMatch(/^policy\.yaml:\d+ hmi-reads-plc-a1$/);
  });

  it('judges every ADU of a segment: two reads pass, a read followed by a write is dropped whole', async () => {
    expect(await python(RAW, '10.20.1.10', 'read,read')).toBe('26');
    expect(await python(RAW, '10.20.1.10', 'read,write')).toBe('0');
  });

  it("nmap's modbus-discover learns nothing: its report-server-id requests are dropped and reported", async () => {
    const r = await lab.exec(
      'hmi-a',
      [
        'nmap',
        '-Pn',
        '-n',
        '-p',
        '502',
        '--script',
        'modbus-discover',
        '--script-timeout',
        '8s',
        '10.20.1.10',
      ],
      { check: false, timeoutMs: 60_000 },
    );
    expect(r.stdout).toContain('502/tcp open');
    expect(r.stdout).not.toMatch(/sid 0x|Slave ID/);
    const reported = findings()
      .filter((f) => !f.allowed)
      .map((f) => f.what);
    expect(reported).toContain('Modbus report-server-id (FC17, unit 1)');
  });

  it('replays public captures through the bridge: 51 reads of a third-party HMI pass, a coil read is dropped', async () => {
    const reads = await replay('modbus/ekin_Modbus.pcap', '192.168.110.131', '192.168.110.138', 'reads');
    await eventually('51 replayed reads at the PLC', () => reads.count() === 51);
    await reads.stop();
    const mixed = await replay(
      'modbus/digitalbond_modbus_test_data_part1.pcap',
      '10.0.0.9',
      '10.0.0.3',
      'mixed',
    );
    await eventually('the coil read reported', () =>
      findings().some((f) => f.what === 'Modbus read of coil 1 (FC1, unit 10)'),
    );
    // The flow opens with FC1: dropped, and the stream waits for it, so nothing after it passes either.
    expect(mixed.count()).toBe(0);
    await mixed.stop();
  });

  it('replays an S7 PLC stop and a DNP3 direct operate: dropped under the default allow lists, a DNP3 read passes', async () => {
    const a2 = (port: number) => ({ host: 'plc-a2', port });
    const stop = await replay(
      's7comm/snap7_s300_stop.pcapng',
      '134.249.62.206',
      '134.249.61.163',
      's7',
      a2(102),
    );
    const operate = await replay(
      'dnp3/iti_directoperate_and_response.pcap',
      '192.168.60.1',
      '192.168.60.130',
      'dnp3',
      a2(20000),
    );
    await eventually('both reported', () => {
      const what = findings().map((f) => f.what);
      return what.includes('S7 plc-stop') && what.includes('DNP3 direct-operate (FC5, 1 → 10)');
    });
    expect([stop.count(), operate.count()]).toEqual([0, 0]);
    await stop.stop();
    await operate.stop();
    // The control: a DNP3 read, allowed by default, reaches the outstation.
    const read = await replay(
      'dnp3/iti_read_and_response.pcap',
      '192.168.60.1',
      '192.168.60.130',
      'dnp3-read',
      a2(20000),
    );
    await eventually('the DNP3 read at plc-a2', () => read.count() === 1);
    await read.stop();
  });

  it('with the daemon gone, the fail-closed zone is blocked and the fail-open zone passes', async () => {
    await enforcer?.stop();
    enforcer = undefined;
    expect(await tcpProbe(lab, 'hmi-a', '10.20.1.10', 502)).toBe('timeout');
    expect(await tcpProbe(lab, 'hmi-a', '10.20.1.11', 502)).toBe('open');
    expect(await python(CLIENT, '10.20.1.11', 'read', '0', '2')).toMatch(/^ok \d+ \d+$/);
  });

  it('picket node itself judges the protocol rules: a read passes, a write is dropped and journaled as a protocol violation', async () => {
    const config = join(work, 'node.yaml');
    const journal = join(work, 'node-journal.db');
    writeFileSync(
      config,
      lab.nodeConfig('proto-node', { policy: 'policy.yaml', 'state-dir': join(work, 'state'), journal }),
    );
    const node = lab.spawn(
      lab.spec.node.name,
      [process.execPath, join(root, 'bin', 'picket.js'), 'node', '--config', config],
      `picket-node-${Date.now()}`,
    );
    try {
      await eventually('picket node judging (plc-a1 reachable again)', async () =>
        (await tcpProbe(lab, 'hmi-a', '10.20.1.10', 502)) === 'open' ? true : undefined,
      );
      expect(await python(CLIENT, '10.20.1.10', 'read', '0', '2')).toMatch(/^ok \d+ \d+$/);
      expect(await python(CLIENT, '10.20.1.10', 'write', '8', '4242')).toBe('error');
      expect(await python(CLIENT, '10.20.1.10', 'read', '8', '1')).not.toBe('ok 4242');
      // Repeats of one ongoing event fold into one detection (source → target), whose
      // evidence is its first message: earlier tests' retransmissions may come first.
      await eventually('a protocol violation hmi-a → plc-a1 in the journal', async () => {
        const r = await picket(lab, ['detections', '--json', '--journal', journal], env);
        return r.stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { kind: string; source: string; target?: string })
          .some(
            (d) => d.kind === 'protocol-violation' && d.source === '10.20.0.50' && d.target === '10.20.1.10',
          )
          ? true
          : undefined;
      });
      const metrics = await lab.exec(lab.spec.node.name, [
        'curl',
        '-s',
        '--max-time',
        '2',
        'http://127.0.0.1:9641/metrics',
      ]);
      expect(metrics.stdout).toMatch(/picket_queue_verdicts_total\{[^}]*verdict="drop"[^}]*\} [1-9]/);
    } finally {
      await node.stop(3000);
    }
  });
});
