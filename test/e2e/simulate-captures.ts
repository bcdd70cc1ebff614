// The hand-built captures of the differential test of simulate: a scan with a
// never-list asset and port reuse, a session across a time window's close, and
// frames for the bridge table. Frames → Frame[] (times relative or absolute).

import { arp, bytes, ethernet, icmp, ipv4Packet, tcp } from '../../src/sense/packet-builder.js';
import type { Frame } from './bridge-replay.js';

/**
 * A scan of 60 ports of s-plc by an attacker (the PLC answers RST, or SYN/ACK
 * on 502), around an allowed polling session, a stray FIN and a ping; then
 * connections reusing a port after a FIN close and after resets by either side,
 * and a reopening from the PLC's side that quarantines the PLC.
 */
export function scanCapture(): Frame[] {
  const hmi = '10.20.9.50';
  const plc = '10.20.9.10';
  const attacker = '10.20.9.66';
  const safety = '10.20.9.20';
  const frame = (
    src: string,
    dst: string,
    ports: [number, number],
    flags: number,
    seq: number,
    ack: number,
    payload?: Uint8Array,
  ) => {
    const segment = tcp(
      { sport: ports[0], dport: ports[1], flags },
      payload as Uint8Array<ArrayBuffer> | undefined,
    );
    const view = new DataView(segment.buffer, segment.byteOffset);
    view.setUint32(4, seq);
    view.setUint32(8, ack);
    return ethernet(
      { type: 0x0800, dst: '02:00:00:00:00:99' },
      ipv4Packet({ src, dst, protocol: 6 }, segment),
    );
  };
  const read = Uint8Array.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]);
  const reply = bytes([0, 1, 0, 0, 0, 7, 1, 3, 4], [0, 1, 0, 2]);
  const up: [number, number] = [40000, 502];
  const down: [number, number] = [502, 40000];
  let polls = 0;
  const poll = () => {
    const k = polls++;
    return [
      frame(hmi, plc, up, 0x18, 1001 + 12 * k, 5001 + 13 * k, read),
      frame(plc, hmi, down, 0x18, 5001 + 13 * k, 1013 + 12 * k, reply),
    ];
  };
  const out: Uint8Array[] = [
    frame(hmi, plc, up, 0x02, 1000, 0),
    frame(plc, hmi, down, 0x12, 5000, 1001),
    frame(hmi, plc, up, 0x10, 1001, 5001),
    ...poll(),
    frame(hmi, plc, [40001, 502], 0x11, 77, 88),
    ethernet(
      { type: 0x0800, dst: '02:00:00:00:00:99' },
      ipv4Packet({ src: attacker, dst: plc, protocol: 1 }, icmp(8, 0, Uint8Array.from([0, 7, 0, 1]))),
    ),
  ];
  for (let port = 495; port < 555; port++) {
    out.push(frame(attacker, plc, [61000, port], 0x02, 9000, 0));
    out.push(
      port === 502
        ? frame(plc, attacker, [502, 61000], 0x12, 3000, 9001)
        : frame(plc, attacker, [port, 61000], 0x14, 0, 9001),
    );
    if (port % 10 === 0) out.push(...poll());
  }
  // Port reuse: reopened after a FIN close, ignored-then-resynced after the PLC's reset, reopened after the HMI's own.
  const hs = (port: number, seq: number, ack: number) => [
    frame(hmi, plc, [port, 502], 0x02, seq, 0),
    frame(plc, hmi, [502, port], 0x12, ack, seq + 1),
  ];
  out.push(
    ...hs(40010, 100, 900),
    frame(hmi, plc, [40010, 502], 0x10, 101, 901),
    frame(hmi, plc, [40010, 502], 0x11, 101, 901),
    frame(plc, hmi, [502, 40010], 0x11, 901, 102),
    frame(hmi, plc, [40010, 502], 0x10, 102, 902),
    ...hs(40010, 5000, 7000),
    frame(hmi, plc, [40010, 502], 0x10, 5001, 7001),
    ...hs(40011, 200, 1900),
    frame(plc, hmi, [502, 40011], 0x14, 1901, 201),
    ...hs(40011, 300, 2900),
    frame(hmi, plc, [40011, 502], 0x10, 301, 2901),
    ...hs(40012, 400, 3900),
    frame(hmi, plc, [40012, 502], 0x04, 401, 0),
    ...hs(40012, 600, 4900),
    frame(hmi, plc, [40012, 502], 0x10, 601, 4901),
    // A never-list asset out of profile: dropped, not quarantined; its allowed flow goes on.
    frame(safety, plc, [45000, 102], 0x02, 10, 0),
    frame(safety, plc, [45001, 502], 0x02, 20, 0),
    frame(plc, safety, [502, 45001], 0x12, 90, 21),
    // Last: after a FIN close, a SYN from the PLC's side reopens the tuple the other way round —
    // a new flow the policy does not allow, so the PLC itself is quarantined.
    ...hs(40013, 700, 5900),
    frame(hmi, plc, [40013, 502], 0x10, 701, 5901),
    frame(hmi, plc, [40013, 502], 0x11, 701, 5901),
    frame(plc, hmi, [502, 40013], 0x11, 5901, 702),
    frame(hmi, plc, [40013, 502], 0x10, 702, 5902),
    frame(plc, hmi, [502, 40013], 0x02, 8000, 0),
    frame(hmi, plc, [40014, 502], 0x02, 800, 0),
  );
  return out.map((data, i) => ({ timeMs: i, data }));
}

/**
 * Around the window's close at `b`: a session opened and answered before it
 * polls again after it (established: passes), a new connection after it (out
 * of profile: quarantines the HMI), then the old session polls once more
 * (from a quarantined source: dropped).
 */
export function windowCapture(b: number): Frame[] {
  const hmi = '10.30.0.50';
  const plc = '10.30.0.10';
  const read = Uint8Array.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]);
  const reply = bytes([0, 1, 0, 0, 0, 7, 1, 3, 4], [0, 1, 0, 2]);
  const seg = (up: boolean, port: number, flags: number, seq: number, ack: number, payload?: Uint8Array) => {
    const t = tcp(
      up ? { sport: port, dport: 502, flags } : { sport: 502, dport: port, flags },
      payload as Uint8Array<ArrayBuffer> | undefined,
    );
    const view = new DataView(t.buffer, t.byteOffset);
    view.setUint32(4, seq);
    view.setUint32(8, ack);
    const [src, dst] = up ? [hmi, plc] : [plc, hmi];
    return ethernet({ type: 0x0800, dst: '02:00:00:00:00:99' }, ipv4Packet({ src, dst, protocol: 6 }, t));
  };
  const poll = (k: number, at: number): Frame[] => [
    { timeMs: at, data: seg(true, 42000, 0x18, 1001 + 12 * k, 5001 + 13 * k, read) },
    { timeMs: at + 10, data: seg(false, 42000, 0x18, 5001 + 13 * k, 1013 + 12 * k, reply) },
  ];
  return [
    { timeMs: b - 5000, data: seg(true, 42000, 0x02, 1000, 0) },
    { timeMs: b - 4990, data: seg(false, 42000, 0x12, 5000, 1001) },
    { timeMs: b - 4980, data: seg(true, 42000, 0x10, 1001, 5001) },
    ...poll(0, b - 4500),
    ...poll(1, b + 500),
    { timeMs: b + 1000, data: seg(true, 42001, 0x02, 7000, 0) },
    ...poll(2, b + 1500),
  ];
}

/** ARP both ways, LLDP and PROFINET frames, and IP under one 802.1Q tag and under two (QinQ). */
export function l2Capture(): Frame[] {
  const hmi = '10.40.0.50';
  const plc = '10.40.0.10';
  const syn = (dport: number) =>
    ipv4Packet({ src: hmi, dst: plc, protocol: 6 }, tcp({ sport: 43000 + dport, dport, flags: 0x02 }));
  const frames: [boolean, Uint8Array][] = [
    [
      false,
      ethernet(
        { type: 0x0806 },
        arp({ op: 1, senderMac: '02:00:00:00:0a:01', senderIp: hmi, targetIp: plc }),
      ),
    ],
    [
      true,
      ethernet(
        { type: 0x0806 },
        arp({ op: 1, senderMac: '02:00:00:00:0c:01', senderIp: plc, targetIp: hmi }),
      ),
    ],
    [false, ethernet({ dst: '01:80:c2:00:00:0e', type: 0x88cc }, new Uint8Array(46))],
    [true, ethernet({ dst: '01:0e:cf:00:00:00', type: 0x8892 }, new Uint8Array(50))],
    [false, ethernet({ dst: '02:00:00:00:00:99', type: 0x0800, vlans: [[0x8100, 5]] }, syn(502))],
    [false, ethernet({ dst: '02:00:00:00:00:99', type: 0x0800, vlans: [[0x8100, 5]] }, syn(503))],
    [
      false,
      ethernet(
        {
          dst: '02:00:00:00:00:99',
          type: 0x0800,
          vlans: [
            [0x88a8, 7],
            [0x8100, 5],
          ],
        },
        syn(502),
      ),
    ],
  ];
  return frames.map(([fromCell, data], i) => ({ timeMs: i, data, fromCell }));
}
