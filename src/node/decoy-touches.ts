// What the decoy server reports, as the decision loop's events: each thing a
// peer tried on a decoy (a note such as "S7 PLC STOP requested") becomes one
// `decoy-note` PacketEvent whose summary says what, where and on which decoy.
// TouchEvent → PacketEvent[]. Pure.

import type { TouchEvent } from '../deceive/server.js';
import type { PacketEvent } from '../sense/packet-event.js';

/** A server touch as the decision loop's events: one per thing the peer tried. */
export function touchEvents(touch: TouchEvent, profileOf: (ip: string) => string | undefined): PacketEvent[] {
  const where = `${touch.protocol} ${touch.dstIp}:${touch.dstPort}/${touch.transport}, decoy ${profileOf(touch.dstIp) ?? touch.decoy}`;
  const notes = touch.notes.length > 0 ? touch.notes.map((n) => n.what) : [`connected to ${touch.protocol}`];
  return notes.map((what) => ({
    timeMs: touch.timeMs,
    origin: 'decoy-note',
    family: 4,
    srcIp: touch.src,
    dstIp: touch.dstIp,
    l4: touch.transport,
    protocol: touch.transport === 'tcp' ? 6 : 17,
    srcPort: touch.srcPort,
    dstPort: touch.dstPort,
    length: 0,
    summary: `${what} (${where})`,
  }));
}
