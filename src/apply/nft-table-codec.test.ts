import { describe, expect, it } from 'vitest';
import { buildAttribute, buildMessage, concatBytes, parseDatagram } from '../net/netlink-codec.js';
import { buildGetTable, parseTableReply } from './nft-table-codec.js';

const NEWTABLE = (10 << 8) | 0;
const text = (s: string) => concatBytes([new TextEncoder().encode(s), new Uint8Array([0])]);

/** A NEWTABLE reply as the kernel sends it: nfgenmsg, name, flags, user data. */
function tableMessage(seq: number, userdata?: Uint8Array): Uint8Array {
  return buildMessage(
    NEWTABLE,
    0,
    seq,
    concatBytes([
      new Uint8Array([1, 0, 0, 0]),
      buildAttribute(1, text('picket')),
      buildAttribute(2, new Uint8Array(4)),
      ...(userdata ? [buildAttribute(6, userdata)] : []),
    ]),
  );
}

/** An NLMSG_ERROR carrying -errno (0: an acknowledgement) for request `seq`. */
function errorMessage(seq: number, errno: number): Uint8Array {
  const body = new Uint8Array(4 + 16);
  new DataView(body.buffer).setInt32(0, -errno, true);
  new DataView(body.buffer).setUint32(4 + 8, seq, true);
  return buildMessage(2, 0, seq, body);
}

describe('buildGetTable', () => {
  it('asks nf_tables for one table of a family by name, with an acknowledgement', () => {
    const [m] = parseDatagram(buildGetTable('inet', 'picket', 7)).messages;
    expect(m?.type).toBe((10 << 8) | 1);
    expect(m?.flags).toBe(0x1 | 0x4);
    expect(m?.seq).toBe(7);
    expect([...(m?.body.subarray(0, 4) ?? [])]).toEqual([1, 0, 0, 0]);
    expect(new TextDecoder().decode(m?.body.subarray(8, 14))).toBe('picket');
    expect(m?.body[14]).toBe(0);
    expect([...parseDatagram(buildGetTable('bridge', 'picket', 1)).messages[0]!.body.subarray(0, 1)]).toEqual(
      [7],
    );
  });
});

describe('parseTableReply', () => {
  it('reads the comment from the user data, then the acknowledgement ends the reply', () => {
    const comment = 'picket site=a hash=ab12 policy=plant policy.yaml';
    const userdata = concatBytes([new Uint8Array([0, comment.length + 1]), text(comment)]);
    const parts = parseTableReply(concatBytes([tableMessage(9, userdata), errorMessage(9, 0)]), 9);
    expect(parts).toEqual([{ kind: 'table', comment }, { kind: 'done' }]);
  });

  it('skips other user data TLVs and a table without a comment has none', () => {
    const other = new Uint8Array([5, 2, 0xaa, 0xbb]);
    expect(parseTableReply(tableMessage(3, other), 3)).toEqual([{ kind: 'table' }]);
    expect(parseTableReply(tableMessage(3), 3)).toEqual([{ kind: 'table' }]);
  });

  it('reports "no such table" as its errno, ignores other requests, and names malformed bytes', () => {
    expect(parseTableReply(errorMessage(4, 2), 4)).toEqual([{ kind: 'error', errno: 2 }]);
    expect(parseTableReply(tableMessage(5), 4)).toEqual([]);
    const cut = tableMessage(4).subarray(0, 30);
    expect(parseTableReply(cut, 4)[0]?.kind).toBe('malformed');
  });
});
