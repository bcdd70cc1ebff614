// The nfnetlink_queue codec: config requests byte for byte, verdict runs,
// queued packets parsed back, truncated datagrams still yield their id.

import { describe, expect, it } from 'vitest';
import { buildAttribute, buildMessage, concatBytes, parseDatagram } from '../net/netlink-codec.js';
import {
  buildQueueCommand,
  buildQueueSettings,
  buildVerdictRuns,
  NF_VERDICT,
  NFQNL_MSG,
  parseNfqueueDatagram,
  truncatedPacketId,
} from './nfqueue-codec.js';

function queuedPacket(queue: number, id: number, payload: Uint8Array): Uint8Array {
  const hdr = Uint8Array.from([id >>> 24, (id >> 16) & 255, (id >> 8) & 255, id & 255, 0x08, 0x00, 2]);
  const body = concatBytes([
    Uint8Array.from([2, 0, queue >> 8, queue & 255]),
    buildAttribute(1, hdr),
    buildAttribute(3, Uint8Array.from([0, 0x10, 0, 0])),
    buildAttribute(10, payload),
  ]);
  return buildMessage(NFQNL_MSG.packet, 0, 0, body);
}

describe('nfqueue codec', () => {
  it('builds a bind command for a queue, acknowledged', () => {
    const [m] = parseDatagram(buildQueueCommand(7, 513, 1)).messages;
    expect(m?.type).toBe((3 << 8) | 2);
    expect(m?.flags).toBe(0x5);
    expect([...(m?.body ?? [])]).toEqual([0, 0, 2, 1, 8, 0, 1, 0, 1, 0, 0, 0]);
  });

  it.each([
    [false, 0],
    [true, 1],
  ])('settings with fail-open %s carry flags %i under the fail-open mask', (failOpen, flag) => {
    const body = parseDatagram(buildQueueSettings(1, 0, { copyRange: 0xffff, maxLength: 4096, failOpen }))
      .messages[0]?.body;
    // params (copy range, copy mode packet), max length, flags, mask: all big-endian.
    expect([...(body ?? [])].slice(4)).toEqual([
      ...[9, 0, 2, 0, 0, 0, 0xff, 0xff, 2, 0, 0, 0],
      ...[8, 0, 3, 0, 0, 0, 0x10, 0],
      ...[8, 0, 5, 0, 0, 0, 0, flag],
      ...[8, 0, 4, 0, 0, 0, 0, 1],
    ]);
  });

  it('turns verdicts into one batch message per run of equal verdicts, in order', () => {
    const bytes = buildVerdictRuns(1, [
      { id: 10, verdict: NF_VERDICT.accept },
      { id: 11, verdict: NF_VERDICT.accept },
      { id: 12, verdict: NF_VERDICT.drop },
      { id: 13, verdict: NF_VERDICT.accept },
    ]);
    const runs = parseDatagram(bytes).messages.map((m) => {
      const v = new DataView(m.body.buffer, m.body.byteOffset + 8);
      return [m.type, v.getUint32(0), v.getUint32(4)];
    });
    expect(runs).toEqual([
      [NFQNL_MSG.verdictBatch, 1, 11],
      [NFQNL_MSG.verdictBatch, 0, 12],
      [NFQNL_MSG.verdictBatch, 1, 13],
    ]);
  });

  it('marks accepted packets when asked, and only those', () => {
    const marks = parseDatagram(
      buildVerdictRuns(
        0,
        [
          { id: 1, verdict: NF_VERDICT.accept },
          { id: 2, verdict: NF_VERDICT.drop },
        ],
        0x00500000,
      ),
    ).messages.map((m) => [...m.body.subarray(16)]);
    expect(marks).toEqual([[8, 0, 3, 0, 0, 0x50, 0, 0], []]);
  });

  it('parses queued packets and acknowledgements of one datagram', () => {
    const ack = buildMessage(2, 0, 0, Uint8Array.from([0, 0, 0, 0, ...new Uint8Array(16).fill(0)]));
    const d = parseNfqueueDatagram(
      concatBytes([queuedPacket(1, 0x01020304, Uint8Array.from([0x45, 0])), ack]),
    );
    expect(d.packets).toEqual([
      {
        queue: 1,
        id: 0x01020304,
        hwProtocol: 0x0800,
        hook: 2,
        mark: 0x00100000,
        payload: Uint8Array.from([0x45, 0]),
      },
    ]);
    expect(d.acks).toEqual([{ errno: 0, requestSeq: 0 }]);
    expect(d.malformed).toEqual([]);
  });

  it('finds the id of a packet whose datagram was cut short, and reports garbage', () => {
    const full = queuedPacket(3, 99, new Uint8Array(3000));
    expect(truncatedPacketId(full.subarray(0, 2048))).toEqual({ queue: 3, id: 99 });
    expect(truncatedPacketId(new Uint8Array(10))).toBeUndefined();
    expect(parseNfqueueDatagram(full.subarray(0, 2048)).malformed.length).toBe(1);
  });
});
