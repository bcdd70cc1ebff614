// DNP3 outstation personality (TCP 20000): link layer (request link status,
// reset and test link acknowledged, confirmed user data acknowledged), and the
// application layer — class 0 integrity polls answered with binary and analog
// inputs, event polls with empty responses, controls (select, operate, direct
// operate) echoed as accepted, restarts answered with a time delay, file
// operations and unknown functions refused with IIN bits; all noted. Frames
// for other addresses are noted, not answered. IEEE 1815-2012. Pure.

import { dnp3FunctionName, frameDnp3 } from '../../sense/protocols/dnp3.js';
import { exchange, SILENCE, u16le, u32le } from './bytes.js';
import { linkFrame, linkHeader, linkUserData } from './dnp3-link.js';
import { perIdentity } from './memo.js';
import { hash32 } from './seeded.js';
import { framedConversation } from './stream.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

const NO_FUNCTION = 0x01;
const OBJECT_UNKNOWN = 0x02;
const PARAMETER_ERROR = 0x04;
/** Outstation-to-master link control: unconfirmed user data (PRM=1, function 4). */
const USER_DATA = 0x44;

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'dnp3', what: `DNP3 ${what}`, severity };
}

function count(identity: DecoyIdentity, name: string, fallback: number): number {
  const v = identity.fields[name];
  return typeof v === 'number' ? Math.max(1, Math.min(v, 32)) : fallback;
}

/** Static data: g1v2 binary inputs with flags and g30v1 32-bit analog inputs with flags. */
const staticObjects = perIdentity((identity): readonly number[] => {
  const h = hash32(`${identity.serial}/dnp3`);
  const binaries = count(identity, 'binaryInputs', 16);
  const analogs = count(identity, 'analogInputs', 8);
  const out = [1, 2, 0x00, 0, binaries - 1];
  for (let i = 0; i < binaries; i++) out.push(0x01 | (((h >>> i) & 1) << 7));
  out.push(30, 1, 0x00, 0, analogs - 1);
  for (let i = 0; i < analogs; i++) out.push(0x01, ...u32le(((h >>> (i * 2)) % 4000) + 200 * (i + 1)));
  return out;
});

const SEVERITY: Readonly<Record<number, TouchNote['severity']>> = {
  2: 'high',
  3: 'critical',
  4: 'critical',
  5: 'critical',
  6: 'critical',
  7: 'high',
  8: 'high',
  9: 'high',
  10: 'high',
  13: 'critical',
  14: 'critical',
  15: 'critical',
  16: 'critical',
  17: 'critical',
  18: 'critical',
  19: 'high',
  20: 'medium',
  21: 'medium',
  22: 'high',
  25: 'high',
  26: 'high',
  27: 'critical',
  28: 'high',
  29: 'high',
  30: 'high',
  31: 'critical',
};

/** The first object header of a request, in words (`g60v1`), for notes. */
function firstObject(objects: Uint8Array): string {
  return objects.length >= 2 ? ` g${objects[0]}v${objects[1]}` : '';
}

/** What a READ asks for: class polls by variation of group 60, static groups 1 and 30. */
function readAnswer(
  identity: DecoyIdentity,
  objects: Uint8Array,
): { objects: readonly number[]; iin2: number; what: string } {
  let classZero = false;
  const classes: number[] = [];
  let at = 0;
  while (at + 3 <= objects.length) {
    const [group, variation, qualifier] = [objects[at] ?? 0, objects[at + 1] ?? 0, objects[at + 2] ?? 0];
    if (qualifier !== 0x06)
      return {
        objects: [],
        iin2: PARAMETER_ERROR,
        what: `read g${group}v${variation} qualifier 0x${qualifier.toString(16)}`,
      };
    if (group === 60 && variation >= 1 && variation <= 4) {
      if (variation === 1) classZero = true;
      else classes.push(variation - 1);
    } else if (group === 1 || group === 30) classZero = true;
    else return { objects: [], iin2: OBJECT_UNKNOWN, what: `read of unknown object g${group}v${variation}` };
    at += 3;
  }
  const polled =
    [...classes.map((c) => `class ${c}`), ...(classZero ? ['class 0'] : [])].join(', ') || 'nothing';
  return { objects: classZero ? staticObjects(identity) : [], iin2: 0, what: `read ${polled}` };
}

/** An outstation application response: transport header, control, function 129, IIN, objects. */
function response(
  sequence: number,
  transport: number,
  iin2: number,
  objects: readonly number[] = [],
): number[] {
  return [0xc0 | (transport & 0x3f), 0xc0 | (sequence & 0x0f), 129, 0x00, iin2, ...objects];
}

/** A DNP3 conversation on a decoy outstation. */
export function openDnp3(identity: DecoyIdentity): Conversation {
  const configured = identity.fields.outstationAddress;
  const address = typeof configured === 'number' ? configured & 0xffff : 10;
  let transport = 0;

  const application = (user: Uint8Array): { reply?: number[]; note: TouchNote } => {
    const control = user[1] ?? 0;
    const fc = user[2] ?? 0;
    const objects = user.subarray(3);
    const name = `${dnp3FunctionName(fc)} (FC${fc})`;
    const sequence = control & 0x0f;
    transport = (transport + 1) & 0x3f;
    if (fc === 0) return { note: note('confirm', 'low') };
    if (fc === 1) {
      const read = readAnswer(identity, objects);
      return {
        reply: response(sequence, transport, read.iin2, read.objects),
        note: note(read.what, 'medium'),
      };
    }
    const what = `${name}${firstObject(objects)}`;
    const severity = SEVERITY[fc] ?? 'medium';
    if (fc === 3 || fc === 4 || fc === 5) {
      // Controls are echoed with their status (accepted); an echo that would not fit one frame is refused.
      const echo =
        objects.length <= 245
          ? response(sequence, transport, 0, [...objects])
          : response(sequence, transport, PARAMETER_ERROR);
      return { reply: echo, note: note(what, severity) };
    }
    if (fc === 6) return { note: note(what, severity) };
    if (fc === 13 || fc === 14 || fc === 23) {
      return {
        reply: response(sequence, transport, 0, [52, 2, 0x07, 1, ...u16le(fc === 23 ? 0 : 5000)]),
        note: note(what, severity),
      };
    }
    if (fc === 2 || fc === 20 || fc === 21 || fc === 22 || fc === 24)
      return { reply: response(sequence, transport, 0), note: note(what, severity) };
    return { reply: response(sequence, transport, NO_FUNCTION), note: note(what, severity) };
  };

  const handle = (frame: Uint8Array): Exchange => {
    const link = linkHeader(frame);
    const fn = link.control & 0x0f;
    if ((link.control & 0x80) === 0) return exchange([], [note('frame from another outstation', 'low')]);
    if (link.destination !== address)
      return exchange([], [note(`frame for address ${link.destination}`, 'low')]);
    const reply = (control: number, user: readonly number[] = []) =>
      linkFrame(control, link.source, address, user);
    if ((link.control & 0x40) === 0) return SILENCE;
    if (fn === 9) return exchange([reply(0x0b)], [note('request link status', 'medium')]);
    if (fn === 0 || fn === 2)
      return exchange([reply(0x00)], [note(fn === 0 ? 'reset link states' : 'test link', 'medium')]);
    if (fn !== 3 && fn !== 4) return exchange([reply(0x0f)], [note(`link function ${fn}`, 'low')]);
    const user = linkUserData(frame);
    const ack = fn === 3 ? [reply(0x00)] : [];
    if (user === undefined) return exchange([], [note('data block CRC mismatch', 'low')]);
    if (user.length < 3 || ((user[0] ?? 0) & 0xc0) !== 0xc0)
      return exchange(ack, [note('multi-segment or short application fragment', 'low')]);
    const answer = application(user);
    const replies = answer.reply ? [...ack, reply(USER_DATA, answer.reply)] : ack;
    return exchange(replies, [answer.note]);
  };
  return framedConversation('dnp3', frameDnp3, handle);
}
