// Fuzzing every personality: 10^5 seeded inputs each — random bytes, real
// client sessions with a message flipped, overwritten, cut short or repeated,
// fed whole or in random chunks. Nothing may throw, replies stay bounded, a
// closed conversation stays closed, and no conversation sits on more than
// 64 KiB (+ one frame) of input without answering or closing.

import { describe, expect, it } from 'vitest';
import { openBacnet } from './bacnet.js';
import { openSsh, openVnc } from './banner.js';
import { concat } from './bytes.js';
import { openDnp3 } from './dnp3.js';
import { openEnipTcp, openEnipUdp } from './enip.js';
import { openHttp } from './http.js';
import { IDENTITIES } from './identities.fixture.js';
import { openIec104 } from './iec104.js';
import { openModbus } from './modbus.js';
import { modbusMapOf } from './modbus-map.js';
import { BACNET, DNP3, ENIP, IEC104, MODBUS, S7, WORKSTATION } from './requests.fixture.js';
import { openS7 } from './s7.js';
import { type Draw, seededDraw } from './seeded.js';
import { MAX_BUFFERED_BYTES } from './stream.js';
import type { Conversation } from './types.js';

const INPUTS = 100_000;
/** Largest single frame any personality accepts (S7 TPKT); the hoarding bound adds it to the buffer cap. */
const LARGEST_FRAME = 4096;

interface Target {
  readonly name: string;
  readonly open: () => Conversation;
  readonly datagrams: boolean;
  /** Whether a fresh conversation should often start with part of a real session (state the protocol needs first). */
  readonly primed?: boolean;
  /** Real client sessions: each a list of messages in order. */
  readonly sessions: readonly (readonly Uint8Array[])[];
}

const m340 = IDENTITIES['modicon-m340'];
const m340Map = modbusMapOf(m340);
const TARGETS: readonly Target[] = [
  {
    name: 'modbus',
    open: () => openModbus(m340, m340Map),
    datagrams: false,
    sessions: [
      [MODBUS.reportServerId(1), MODBUS.readDeviceId(1)],
      [
        MODBUS.readHolding10,
        MODBUS.writeRegister,
        MODBUS.writeRegisters,
        MODBUS.readWrite,
        MODBUS.readCoils10,
      ],
    ],
  },
  {
    name: 's7comm',
    primed: true,
    open: () => openS7(IDENTITIES['s7-300']),
    datagrams: false,
    sessions: [
      [S7.connect, S7.setup, S7.szl0011, S7.szl0011, S7.szl001c],
      [S7.connect, S7.setup, S7.plcStop, S7.insertBlock, S7.readDb1, S7.writeDb1, S7.szl0424],
    ],
  },
  {
    name: 'enip/tcp',
    primed: true,
    open: () => openEnipTcp(IDENTITIES.controllogix),
    datagrams: false,
    sessions: [[ENIP.listIdentity, ENIP.listServices, ENIP.registerSession, ENIP.getAttributesAll(0)]],
  },
  {
    name: 'enip/udp',
    open: () => openEnipUdp(IDENTITIES.controllogix),
    datagrams: true,
    sessions: [[ENIP.listIdentity, ENIP.listServices]],
  },
  {
    name: 'bacnet',
    open: () => openBacnet(IDENTITIES['bacnet-controller']),
    datagrams: true,
    sessions: [BACNET.nmapProperties.map(BACNET.readProperty), [BACNET.whoIs]],
  },
  {
    name: 'iec104',
    primed: true,
    open: () => openIec104(IDENTITIES['iec104-rtu']),
    datagrams: false,
    sessions: [[IEC104.testfr, IEC104.startdt, IEC104.interrogation, IEC104.singleCommand]],
  },
  {
    name: 'dnp3',
    open: () => openDnp3(IDENTITIES['dnp3-outstation']),
    datagrams: false,
    sessions: [[DNP3.linkStatus(10), DNP3.classPoll(10), DNP3.directOperate(10), DNP3.coldRestart(10)]],
  },
  {
    name: 'ssh',
    open: () => openSsh(IDENTITIES['engineering-workstation']),
    datagrams: false,
    sessions: [[WORKSTATION.sshIdent, Uint8Array.of(0, 0, 0, 12, 4, 30)]],
  },
  {
    name: 'vnc',
    open: () => openVnc(IDENTITIES['engineering-workstation']),
    datagrams: false,
    sessions: [[WORKSTATION.vncVersion, WORKSTATION.vncChooseAuth, WORKSTATION.vncResponse]],
  },
  {
    name: 'http',
    open: () => openHttp(IDENTITIES['engineering-workstation']),
    datagrams: false,
    sessions: [[WORKSTATION.httpGet], [WORKSTATION.httpLogin]],
  },
];

function randomBytes(draw: Draw, max: number): Uint8Array {
  const out = new Uint8Array(draw.int(0, max));
  for (let i = 0; i < out.length; i++) out[i] = draw.next() & 0xff;
  return out;
}

/** One message, mutated one of several ways. */
function mutate(draw: Draw, message: Uint8Array): Uint8Array {
  const out = message.slice();
  switch (draw.int(0, 4)) {
    case 0: // flip bits
      for (let i = draw.int(1, 4); i > 0 && out.length > 0; i--)
        out[draw.int(0, out.length - 1)] ^= 1 << draw.int(0, 7);
      return out;
    case 1: // overwrite bytes (often length and function fields near the start)
      for (let i = draw.int(1, 3); i > 0 && out.length > 0; i--)
        out[draw.int(0, Math.min(out.length - 1, 12))] = draw.next() & 0xff;
      return out;
    case 2: // cut short
      return out.slice(0, draw.int(0, out.length));
    case 3: // random tail
      return concat([out, randomBytes(draw, 40)]);
    default: // repeated
      return concat([out, out]);
  }
}

/** One input: random bytes, a real client message (mostly mutated), or a run of messages. */
function input(draw: Draw, target: Target): Uint8Array {
  const kind = draw.int(0, 9);
  if (kind < 2) return randomBytes(draw, 200);
  const session = draw.pick(target.sessions);
  if (kind === 2) return concat(session.slice(0, draw.int(1, session.length)));
  const message = draw.pick(session);
  return kind < 9 ? mutate(draw, message) : message;
}

function pieces(draw: Draw, bytes: Uint8Array): Uint8Array[] {
  // Half the inputs whole, the rest in chunks of 2–40 bytes, one in a hundred byte by byte.
  const mode = draw.int(0, 99);
  if (mode >= 50) return [bytes];
  const size = mode === 0 ? 1 : draw.int(2, 40);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** A fresh conversation; for stateful protocols often primed with the start of a real session (S7 needs its connection first). */
function fresh(draw: Draw, target: Target): Conversation {
  const conversation = target.open();
  if (target.primed === true && draw.int(0, 1) === 0) {
    const session = draw.pick(target.sessions);
    for (const message of session.slice(0, draw.int(1, session.length))) conversation.receive(message);
  }
  return conversation;
}

/** Feeds INPUTS inputs to live conversations (a new one after each close); returns the largest reply. */
function fuzz(name: string, target: Target): number {
  const draw = seededDraw(`fuzz/${name}`);
  let conversation = fresh(draw, target);
  let largest = 0;
  for (let i = 0; i < INPUTS; i++) {
    const bytes = input(draw, target);
    try {
      let closed = false;
      for (const chunk of target.datagrams ? [bytes] : pieces(draw, bytes)) {
        const answer = conversation.receive(chunk);
        if (closed && (answer.replies.length > 0 || !answer.close)) throw new Error('spoke after closing');
        for (const reply of answer.replies) largest = Math.max(largest, reply.length);
        closed ||= answer.close && !target.datagrams;
      }
      if (closed) conversation = fresh(draw, target);
    } catch (e) {
      throw new Error(`${name} input ${i} (${Buffer.from(bytes).toString('hex')}): ${(e as Error).message}`);
    }
  }
  return largest;
}

describe('personality fuzzing', { timeout: 60_000 }, () => {
  it.each(TARGETS.map((t) => [t.name, t]))('%s: 10^5 inputs, no throw, bounded replies', (name, target) => {
    expect(fuzz(name, target)).toBeLessThan(64 * 1024);
  });

  it.each(TARGETS.filter((t) => !t.datagrams).map((t) => [t.name, t]))(
    '%s: never sits on more than 64 KiB without answering or closing',
    (name, target) => {
      const draw = seededDraw(`hoard/${name}`);
      let conversation = target.open();
      let silent = 0;
      let worst = 0;
      for (let fed = 0; fed < 512 * 1024; ) {
        const bytes = draw.int(0, 3) === 0 ? randomBytes(draw, 2000) : input(draw, target);
        for (const chunk of pieces(draw, bytes)) {
          const answer = conversation.receive(chunk);
          fed += chunk.length;
          silent = answer.replies.length > 0 || answer.close ? 0 : silent + chunk.length;
          worst = Math.max(worst, silent);
          if (answer.close) conversation = target.open();
        }
      }
      expect(worst, name).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + LARGEST_FRAME);
    },
  );
});
