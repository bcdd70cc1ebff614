// End-to-end: decoy fidelity — real ICS scanners and clients believe the decoys.
//
//   netns e2e-decoy-<pid>  (lo up; the decoy addresses live on lo)
//   ┌─────────────────────────────────────────────────────────────────────────┐
//   │  decoy server: node dist/deceive/server-main.js (JSON lines on stdio)    │
//   │    10.77.0.1 s7-300          tcp/102                                     │
//   │    10.77.0.2 modicon-m340    tcp/502, tcp/80                             │
//   │    10.77.0.3 controllogix    tcp/44818, udp/44818                        │
//   │    10.77.0.4 bacnet          udp/47808                                   │
//   │    10.77.0.5 iec104-rtu      tcp/2404                                    │
//   │    10.77.0.6 dnp3-outstation tcp/20000                                   │
//   │    10.77.0.7 workstation     tcp/22, tcp/5900, tcp/80                    │
//   │  clients in the same namespace: nmap (modbus-discover, s7-info,          │
//   │    enip-info, bacnet-info, iec-identify), pymodbus, OpenSSH's ssh,       │
//   │    raw DNP3 / VNC / HTTP clients in Python                               │
//   │  tcpdump -i lo → pcap → tshark -V: no malformed replies                  │
//   └─────────────────────────────────────────────────────────────────────────┘
//
// One decoy of each profile with an identity drawn from a site seed; each
// client must report that identity, and every touch must come out of the
// server's stdout. Then the server itself: a new set replaces the old one
// (a held connection survives), a bad line changes nothing, and the per-source
// connection limit holds. Needs root; the namespace is always deleted.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawIdentity, PROFILES } from '../../src/deceive/personality/index.js';
import type { DecoyIdentity, DecoyProfile } from '../../src/deceive/personality/types.js';
import { deleteNamespaces, execIn, ipBatch, run } from '../../src/lab/netns.js';
import { eventually, requireBuild, root } from './plant.js';

const ns = `e2e-decoy-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'picket-decoy-'));
const pcap = join(work, 'decoys.pcap');
const PYTHON = '/usr/bin/python3';
const SITE = 'e2e-fidelity-site';

interface Decoy {
  readonly id: string;
  readonly ip: string;
  readonly identity: DecoyIdentity;
}

const decoys: Record<DecoyProfile, Decoy> = Object.fromEntries(
  PROFILES.map((profile, i) => [
    profile,
    { id: `d-${profile}`, ip: `10.77.0.${i + 1}`, identity: drawIdentity(profile, SITE, i) },
  ]),
) as Record<DecoyProfile, Decoy>;

interface Touch {
  readonly type: 'touch';
  readonly decoy: string;
  readonly src: string;
  readonly dstPort: number;
  readonly transport: string;
  readonly protocol: string;
  readonly notes: readonly { protocol: string; what: string; severity: string }[];
}

let server: ChildProcess | undefined;
let tcpdump: ChildProcess | undefined;
const events: Record<string, unknown>[] = [];
let serverErr = '';
let dumpErr = '';

function touches(decoy: Decoy): Touch[] {
  return events.filter(
    (e): e is Touch & Record<string, unknown> => e.type === 'touch' && e.decoy === decoy.id,
  );
}

function notesOf(decoy: Decoy): string[] {
  return touches(decoy).flatMap((t) => t.notes.map((n) => n.what));
}

async function nmap(...args: string[]): Promise<string> {
  const r = await execIn(ns, ['nmap', '-Pn', '-n', ...args], { check: false, timeoutMs: 60_000 });
  return r.stdout + r.stderr;
}

async function python(name: string, script: string, ...args: string[]): Promise<string> {
  const file = join(work, `${name}.py`);
  writeFileSync(file, script);
  const r = await execIn(ns, [PYTHON, file, ...args], { check: false, timeoutMs: 30_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

const field = (d: Decoy, name: string) => d.identity.fields[name];

/** Sends a desired set (or any line) to the server; resolves with the next ready or error event. */
async function send(line: string): Promise<Record<string, unknown>> {
  const seen = events.length;
  server?.stdin?.write(`${line}\n`);
  return eventually('the server to answer the line', () =>
    events.slice(seen).find((e) => e.type === 'ready' || e.type === 'error'),
  );
}

/** Starts a Python client that keeps running; resolves its output when it exits. */
function pythonInBackground(
  name: string,
  script: string,
  ...args: string[]
): { output: Promise<string>; lines: () => string[] } {
  const file = join(work, `${name}.py`);
  writeFileSync(file, script);
  const child = spawn('ip', ['netns', 'exec', ns, PYTHON, file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return {
    output: new Promise((resolve) =>
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      }),
    ),
    lines: () => out.split('\n').filter((l) => l !== ''),
  };
}

beforeAll(async () => {
  requireBuild();
  await deleteNamespaces([ns]);
  await run(['ip', 'netns', 'add', ns]);
  await ipBatch(['link set lo up', ...Object.values(decoys).map((d) => `addr add ${d.ip}/32 dev lo`)], ns);

  tcpdump = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'tcpdump',
      '-i',
      'lo',
      '-n',
      '--immediate-mode',
      '-U',
      // A roomy kernel buffer: a busy CI machine may deschedule tcpdump during nmap's bursts.
      '-B',
      '16384',
      '-w',
      pcap,
      'net 10.77.0.0/24',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  tcpdump.stderr?.on('data', (d: Buffer) => {
    dumpErr += d.toString();
  });
  await eventually('tcpdump to listen', () => dumpErr.includes('listening on'));

  server = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, join(root, 'dist', 'deceive', 'server-main.js')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let partial = '';
  server.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  server.stderr?.on('data', (d: Buffer) => {
    serverErr += d.toString();
  });
  const set = {
    decoys: Object.values(decoys),
    limits: { connectionsPerSource: 64, bytesPerConnection: 65536 },
  };
  server.stdin?.write(`${JSON.stringify(set)}\n`);
  const ready = await eventually(
    'the decoy server to be ready',
    () => events.find((e) => e.type === 'ready'),
    15_000,
  );
  expect(ready).toMatchObject({ type: 'ready', decoys: PROFILES.length });
  expect(events.filter((e) => e.type === 'error')).toEqual([]);
}, 60_000);

afterAll(async () => {
  server?.stdin?.end();
  tcpdump?.kill('SIGTERM');
  await deleteNamespaces([ns]);
  rmSync(work, { recursive: true, force: true });
});

describe('decoy fidelity against real clients', () => {
  it('modbus-discover reports the Modicon decoy with its identity', async () => {
    const d = decoys['modicon-m340'];
    const out = await nmap('-sT', '-p', '502', '--script', 'modbus-discover', d.ip);
    expect(out).toContain('502/tcp open  modbus');
    // Server id byte, run indicator 0xFF, then the model and firmware; nmap escapes the non-printable bytes.
    const serverId = Number(field(d, 'unitId')).toString(16).toUpperCase().padStart(2, '0');
    expect(out).toContain(`Slave ID data: \\x${serverId}\\xFF${d.identity.model} ${d.identity.firmware}`);
    expect(out).toContain(
      `Device identification: ${d.identity.vendor} ${d.identity.model} ${d.identity.firmware}`,
    );
    await eventually('Modbus touches', () => notesOf(d).includes('Modbus Report Server ID (FC17)'));
    expect(touches(d)[0]).toMatchObject({ src: d.ip, dstPort: 502, transport: 'tcp', protocol: 'modbus' });
  });

  it('s7-info reports the S7-300 decoy: module, hardware, version, names, serial, plant, copyright', async () => {
    const d = decoys['s7-300'];
    const out = await nmap('-sT', '-p', '102', '--script', 's7-info', d.ip);
    const [major, minor, patch] = d.identity.firmware.slice(1).split('.');
    expect(out).toContain(`Module: ${field(d, 'orderNumber')}`);
    expect(out).toContain(`Basic Hardware: ${field(d, 'orderNumber')}`);
    expect(out).toContain(`Version: ${major}.${minor}.${patch}`);
    expect(out).toContain(`System Name: ${field(d, 'systemName')}`);
    expect(out).toContain(`Module Type: ${field(d, 'moduleName')}`);
    expect(out).toContain(`Serial Number: ${d.identity.serial}`);
    expect(out).toContain(`Plant Identification: ${d.identity.plantName}`);
    expect(out).toContain('Copyright: Original Siemens Equipment');
    await eventually('S7 touches', () => notesOf(d).includes('S7 read SZL 0x001c index 0x0001'));
  });

  it('enip-info reports the ControlLogix decoy over TCP and UDP', async () => {
    const d = decoys.controllogix;
    const out = await nmap('-sT', '-sU', '-p', 'T:44818,U:44818', '--script', 'enip-info', d.ip);
    const [major, minor] = d.identity.firmware.split('.').map(Number);
    for (const transport of ['tcp', 'udp']) expect(out).toContain(`44818/${transport} open  EtherNet-IP-2`);
    const expected = [
      'vendor: Rockwell Automation/Allen-Bradley (1)',
      `productName: ${d.identity.model}`,
      `serialNumber: 0x${d.identity.serial.toLowerCase()}`,
      `productCode: ${field(d, 'productCode')}`,
      `revision: ${major}.${minor}`,
      `deviceIp: ${d.ip}`,
      'type: Programmable Logic Controller (14)',
    ];
    for (const line of expected) expect(out.split(line).length - 1, line).toBe(2);
    await eventually('EtherNet/IP touches on both transports', () => {
      const transports = new Set(touches(d).map((t) => t.transport));
      return transports.has('tcp') && transports.has('udp');
    });
  });

  it('bacnet-info reports the building controller decoy', async () => {
    const d = decoys['bacnet-controller'];
    const out = await nmap('-sU', '-p', '47808', '--script', 'bacnet-info', d.ip);
    const expected = [
      `(${field(d, 'vendorId')})`,
      `Vendor Name: ${d.identity.vendor}`,
      `Object-identifier: ${field(d, 'deviceInstance')}`,
      `Firmware: ${d.identity.firmware}`,
      `Application Software: ${field(d, 'applicationSoftware')}`,
      `Object Name: ${field(d, 'objectName')}`,
      `Model Name: ${d.identity.model}`,
      `Description: ${field(d, 'description')}`,
      `Location: ${d.identity.plantName}, ${field(d, 'room')}`,
    ];
    for (const line of expected) expect(out).toContain(line);
    await eventually('BACnet touches', () =>
      notesOf(d).includes('BACnet ReadProperty device,4194303 vendor-name'),
    );
  });

  it('iec-identify reports the RTU decoy’s ASDU address and object count', async () => {
    const d = decoys['iec104-rtu'];
    const out = await nmap('-sT', '-p', '2404', '--script', 'iec-identify', d.ip);
    expect(out).toContain(`ASDU address: ${field(d, 'asduAddress')}`);
    expect(out).toContain(
      `Information objects: ${Number(field(d, 'points')) + 3 + Number(field(d, 'measurements'))}`,
    );
    await eventually('IEC-104 touches', () =>
      notesOf(d).some((w) => w.startsWith('IEC-104 general interrogation')),
    );
  });

  it('a pymodbus client reads plausible registers, writes one, reads it back, and the write is a touch', async () => {
    const d = decoys['modicon-m340'];
    const out = await python(
      'pymodbus-client',
      `
import sys
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient(sys.argv[1], port=502, timeout=2, retries=0)
assert c.connect()
before = c.read_holding_registers(0, 20, slave=1).registers
w = c.write_register(3, 4321, slave=1)
after = c.read_holding_registers(0, 20, slave=1).registers
coils = c.read_coils(0, 16, slave=1).bits
bad = c.read_holding_registers(60000, 10, slave=1)
print("before", *before); print("after", *after); print("coils", *[int(b) for b in coils])
print("write", "error" if w.isError() else "ok"); print("bad", bad)
from pymodbus.mei_message import ReadDeviceInformationRequest
info = c.execute(ReadDeviceInformationRequest(read_code=2, object_id=0, unit=1)).information
print("info", "|".join(info[k].decode() for k in sorted(info)))
c.close()
`,
      d.ip,
    );
    const numbers = (label: string) =>
      (out.split('\n').find((l) => l.startsWith(`${label} `)) ?? '').split(' ').slice(1).map(Number);
    const before = numbers('before');
    expect(before, out).toHaveLength(20);
    expect(new Set(before).size).toBeGreaterThan(3); // a live process image, not a zeroed block
    expect(numbers('after')).toEqual([...before.slice(0, 3), 4321, ...before.slice(4)]);
    expect(out).toContain('write ok');
    expect(out).toContain('Exception Response(131, 3, IllegalAddress)');
    // pymodbus decodes the regular device identification objects 0–6.
    expect(out).toContain(
      `info ${d.identity.vendor}|${d.identity.model}|${d.identity.firmware}|http://www.schneider-electric.com|Modicon M340|`,
    );
    await eventually('the write as a touch note', () =>
      touches(d).some((t) =>
        t.notes.some(
          (n) => n.what === 'Modbus write to holding register 40004 (value 4321)' && n.severity === 'high',
        ),
      ),
    );
  });

  it('a DNP3 master gets link status, an integrity poll and a direct operate answered', async () => {
    const d = decoys['dnp3-outstation'];
    const out = await python('dnp3-master', DNP3_CLIENT, d.ip, String(field(d, 'outstationAddress')));
    expect(out).toContain('link 0b');
    expect(out).toMatch(/poll c. 81 0000 objects 0102/);
    expect(out).toMatch(/operate c. 81 0000/);
    await eventually('DNP3 touches', () => notesOf(d).includes('DNP3 direct-operate (FC5) g12v1'));
    expect(
      touches(d)
        .flatMap((t) => t.notes)
        .find((n) => n.what.includes('direct-operate'))?.severity,
    ).toBe('critical');
  });

  it('the workstation greets SSH and VNC clients with its banners and fails every web login', async () => {
    const d = decoys['engineering-workstation'];
    const out = await python('workstation-client', WORKSTATION_CLIENT, d.ip);
    expect(out).toContain(`ssh SSH-2.0-${field(d, 'sshVersion')}`);
    expect(out).toContain('vnc RFB 003.008');
    expect(out).toContain('http HTTP/1.1 200 OK');
    expect(out).toContain('Invalid user name or password.');
    await eventually('the login attempt as a touch', () =>
      notesOf(d).includes('HTTP login attempt as user engineer'),
    );
    expect(JSON.stringify(touches(d))).not.toContain('hunter2');
    // The real OpenSSH client accepts the decoy's KEXINIT and is cut off at its key exchange, like a server that drops it.
    const ssh = await execIn(
      ns,
      [
        'ssh',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'ConnectTimeout=5',
        `engineer@${d.ip}`,
        'true',
      ],
      { check: false, timeoutMs: 20_000 },
    );
    expect(ssh.stderr).toContain(`Connection closed by ${d.ip} port 22`);
    await eventually(
      'the SSH client and its key exchange as touches',
      () =>
        notesOf(d).some((w) => w.startsWith('SSH client SSH-2.0-OpenSSH')) &&
        notesOf(d).includes('SSH key exchange started'),
    );
  });

  it('every decoy reply decodes cleanly in tshark (no malformed packets, no expert errors)', async () => {
    // Let tcpdump read what the last test's teardown put in its ring before it is stopped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    tcpdump?.kill('SIGTERM');
    await eventually('tcpdump to finish the capture', () => tcpdump?.exitCode !== null);
    // Replies leave from a decoy service port; requests (nmap's UDP probes included) go to one.
    const fromDecoy = [
      'tcp.srcport in {22,80,102,502,2404,5900,20000,44818}',
      'udp.srcport in {44818,47808}',
    ].join(' or ');
    const replies = await run(['tshark', '-r', pcap, '-Y', fromDecoy, '-V'], { timeoutMs: 60_000 });
    const protocols = [
      'Modbus/TCP',
      'S7 Communication',
      'EtherNet/IP (Industrial Protocol)',
      'BACnet Virtual Link Control',
      'IEC 60870-5-104',
      'Distributed Network Protocol 3.0',
      'SSH Protocol',
      'Hypertext Transfer Protocol',
    ];
    // Name what is missing, with tcpdump's own drop count, rather than print the whole decode.
    const missing = protocols.filter((protocol) => !replies.stdout.includes(protocol));
    expect(missing, `tcpdump said: ${dumpErr}`).toEqual([]);
    const bad = replies.stdout
      .split('\n')
      .filter((l) => l.includes('Malformed') || l.includes('Expert Info (Error'));
    expect(bad).toEqual([]);
    expect(serverErr).toBe('');
  });
});

describe('the decoy server', () => {
  it('replaces its set: a removed decoy stops answering, a new one answers, a kept connection keeps talking', async () => {
    const kept = decoys['modicon-m340'];
    const removed = decoys['iec104-rtu'];
    const added: Decoy = { id: 'd-added', ip: '10.77.0.8', identity: drawIdentity('s7-300', SITE, 8) };
    const flag = join(work, 'go');
    const client = pythonInBackground('held-connection', HELD_CLIENT, kept.ip, flag);
    await eventually('the held connection to read once', () => client.lines().includes('first ok'));

    await ipBatch([`addr add ${added.ip}/32 dev lo`], ns);
    const next = Object.values(decoys).filter((d) => d !== removed);
    const ready = await send(JSON.stringify({ decoys: [...next, added] }));
    expect(ready).toMatchObject({ type: 'ready', decoys: PROFILES.length });
    writeFileSync(flag, 'go');
    expect(await client.output).toContain('second ok');

    const gone = await execIn(ns, ['nmap', '-Pn', '-n', '-sT', '-p', '2404', removed.ip], { check: false });
    expect(gone.stdout).toContain('2404/tcp closed');
    const out = await nmap('-sT', '-p', '102', '--script', 's7-info', added.ip);
    expect(out).toContain(`Serial Number: ${added.identity.serial}`);
    await eventually('a touch of the new decoy', () =>
      events.some((e) => e.type === 'touch' && e.decoy === 'd-added'),
    );
  });

  it('refuses a bad line with an error and keeps serving the set it had', async () => {
    const answer = await send('{"decoys": [{"id": "x", "ip": "10.77.0.300"}]}');
    expect(answer).toMatchObject({ type: 'error' });
    expect(String(answer.message)).toContain('decoys[0].ip must be a unique IPv4 address');
    const out = await nmap('-sT', '-p', '502', '--script', 'modbus-discover', decoys['modicon-m340'].ip);
    expect(out).toContain('Device identification:');
  });

  it('closes connections beyond the per-source limit and reports the refusal', async () => {
    const current = Object.values(decoys).filter((d) => d.id !== 'd-iec104-rtu');
    await send(JSON.stringify({ decoys: current, limits: { connectionsPerSource: 2 } }));
    const out = await python('three-connections', THREE_CONNECTIONS, decoys['s7-300'].ip);
    expect(out.split('\n')).toEqual(['0 open', '1 open', '2 closed']);
    await eventually('the refusal as a touch', () =>
      notesOf(decoys['s7-300']).includes('connection refused: 2 open from this source'),
    );
  });
});

/** Reads holding registers, waits for a flag file (the test changes the set meanwhile), reads again on the same connection. */
const HELD_CLIENT = `
import os, sys, time
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient(sys.argv[1], port=502, timeout=2, retries=0)
assert c.connect()
r = c.read_holding_registers(0, 2, slave=1)
print("first", "error" if r.isError() else "ok", flush=True)
deadline = time.time() + 20
while not os.path.exists(sys.argv[2]) and time.time() < deadline:
    time.sleep(0.05)
r = c.read_holding_registers(0, 2, slave=1)
print("second", "error" if r.isError() else "ok", flush=True)
`;

/** Opens three connections to port 102 and tells which of them the server closed at once. */
const THREE_CONNECTIONS = `
import socket, sys
conns = [socket.create_connection((sys.argv[1], 102), timeout=2) for _ in range(3)]
for i, s in enumerate(conns):
    s.settimeout(0.5)
    try:
        print(i, "closed" if s.recv(10) == b"" else "data")
    except socket.timeout:
        print(i, "open")
    except ConnectionResetError:
        print(i, "closed")
`;

/** A DNP3 master at address 1: request link status, class 0123 poll, direct operate of CROB 3. */
const DNP3_CLIENT = `
import socket, struct, sys
def crc(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1
    return (~c) & 0xFFFF
def frame(ctrl, dst, user=b''):
    h = bytes([0x05, 0x64, 5 + len(user), ctrl]) + struct.pack('<HH', dst, 1)
    out = h + struct.pack('<H', crc(h))
    for i in range(0, len(user), 16):
        out += user[i:i + 16] + struct.pack('<H', crc(user[i:i + 16]))
    return out
def user_data(f):
    data, at = b'', 10
    while at < len(f):
        block = f[at:min(at + 16, len(f) - 2)]
        data += block
        at += len(block) + 2
    return data
host, dst = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, 20000), timeout=3)
s.sendall(frame(0xC9, dst)); print('link', '%02x' % s.recv(300)[3])
s.sendall(frame(0xC4, dst, bytes([0xC0, 0xC1, 1, 60, 2, 6, 60, 3, 6, 60, 4, 6, 60, 1, 6])))
u = user_data(s.recv(300)); print('poll', u[1:2].hex(), u[2:3].hex(), u[3:5].hex(), 'objects', u[5:7].hex())
s.sendall(frame(0xC4, dst, bytes([0xC1, 0xC2, 5, 12, 1, 0x28, 1, 0, 3, 0, 1, 1, 0xE8, 3, 0, 0, 0, 0, 0, 0, 0])))
u = user_data(s.recv(300)); print('operate', u[1:2].hex(), u[2:3].hex(), u[3:5].hex())
`;

/** Reads the SSH and VNC banners and posts a login form (user "engineer", password "hunter2"). */
const WORKSTATION_CLIENT = `
import socket, sys
host = sys.argv[1]
def banner(port):
    s = socket.create_connection((host, port), timeout=3)
    line = s.recv(200).decode().strip()
    s.close()
    return line
print('ssh', banner(22))
print('vnc', banner(5900))
body = 'username=engineer&password=hunter2'
req = 'POST /login HTTP/1.1\\r\\nHost: %s\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: %d\\r\\n\\r\\n%s' % (host, len(body), body)
s = socket.create_connection((host, 80), timeout=3)
s.sendall(req.encode())
got = b''
while True:
    d = s.recv(4096)
    if not d: break
    got += d
print('http', got.decode(errors='replace'))
`;
