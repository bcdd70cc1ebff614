import { describe, expect, it } from 'vitest';
import {
  buildAttribute,
  buildMessage,
  concatBytes,
  parseAttributes,
  parseDatagram,
} from '../net/netlink-codec.js';
import { buildGetChain, buildRuleDump, parseRuleReply } from './nft-rules-codec.js';

const NESTED = 0x8000;
const NEWRULE = (10 << 8) | 6;
const text = (s: string) => concatBytes([new TextEncoder().encode(s), new Uint8Array([0])]);
const be32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
};
const be64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const nest = (type: number, ...children: Uint8Array[]) =>
  buildAttribute(type | NESTED, concatBytes(children));

/** One expression of a rule: NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { … } }. */
const expr = (name: string, ...data: Uint8Array[]) =>
  nest(1, buildAttribute(1, text(name)), nest(2, ...data));
const counter = (packets: number, bytes: number) =>
  expr('counter', buildAttribute(1, be64(bytes)), buildAttribute(2, be64(packets)));
/** immediate: DREG 0 (the verdict register), DATA { VERDICT { CODE } }. */
const verdict = (code: number, dreg = 0) =>
  expr('immediate', buildAttribute(1, be32(dreg)), nest(2, nest(2, buildAttribute(1, be32(code)))));
const payload = expr('payload', buildAttribute(1, be32(1)), buildAttribute(2, be32(1)));
/** libnftnl user data: an unrelated TLV, then the comment TLV (type 0). */
const userdata = (comment: string) =>
  concatBytes([new Uint8Array([9, 1, 0xaa]), new Uint8Array([0, comment.length + 1]), text(comment)]);

/** A NEWRULE message as the kernel sends it: nfgenmsg, table, chain, handle, expressions, user data. */
function ruleMessage(seq: number, exprs: Uint8Array[], comment?: string): Uint8Array {
  return buildMessage(
    NEWRULE,
    0x2,
    seq,
    concatBytes([
      new Uint8Array([1, 0, 0, 0]),
      buildAttribute(1, text('picket')),
      buildAttribute(2, text('forward')),
      buildAttribute(3, be64(4)),
      nest(4, ...exprs),
      ...(comment === undefined ? [] : [buildAttribute(7, userdata(comment))]),
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

const done = (seq: number) => buildMessage(3, 0x2, seq, new Uint8Array(4));

describe('buildRuleDump', () => {
  it('dumps the rules of one chain of one table of a family', () => {
    const [m] = parseDatagram(buildRuleDump('inet', 'picket', 'forward', 7)).messages;
    expect(m?.type).toBe((10 << 8) | 7);
    expect(m?.flags).toBe(0x1 | 0x300);
    expect(m?.seq).toBe(7);
    expect([...(m?.body.subarray(0, 4) ?? [])]).toEqual([1, 0, 0, 0]);
    const { attributes } = parseAttributes(m!.body, 4);
    expect(attributes.map((a) => [a.type, new TextDecoder().decode(a.value)])).toEqual([
      [1, 'picket\0'],
      [2, 'forward\0'],
    ]);
    expect(parseDatagram(buildRuleDump('bridge', 'picket', 'forward', 1)).messages[0]?.body[0]).toBe(7);
  });

  it('asks for the chain itself, with an acknowledgement, to tell a missing chain from an empty one', () => {
    const [m] = parseDatagram(buildGetChain('inet', 'picket', 'forward', 8)).messages;
    expect(m?.type).toBe((10 << 8) | 4);
    expect(m?.flags).toBe(0x1 | 0x4);
    const { attributes } = parseAttributes(m!.body, 4);
    expect(attributes.map((a) => a.type)).toEqual([1, 3]);
  });
});

describe('parseRuleReply', () => {
  it('reads comment, counter and verdict of each rule; NLMSG_DONE ends the dump', () => {
    const reply = concatBytes([
      ruleMessage(9, [payload, counter(7, 420), verdict(1)], 'policy.yaml:31 rules'),
      ruleMessage(9, [counter(2, 3_000_000_000_000), verdict(0)], 'policy.yaml:52 tail'),
      ruleMessage(9, [payload, verdict(1)], 'no counter'),
      ruleMessage(9, [counter(1, 60), verdict(-3)]),
      done(9),
    ]);
    expect(parseRuleReply(reply, 9)).toEqual({
      rules: [
        { comment: 'policy.yaml:31 rules', counted: true, packets: 7, bytes: 420, verdict: 'accept' },
        {
          comment: 'policy.yaml:52 tail',
          counted: true,
          packets: 2,
          bytes: 3_000_000_000_000,
          verdict: 'drop',
        },
        { comment: 'no counter', counted: false, packets: 0, bytes: 0, verdict: 'accept' },
        { counted: true, packets: 1, bytes: 60, verdict: 'other' },
      ],
      done: true,
    });
  });

  it('takes only a verdict loaded into the verdict register', () => {
    const reply = ruleMessage(1, [counter(1, 1), verdict(1, 8)]);
    expect(parseRuleReply(reply, 1).rules[0]?.verdict).toBe('other');
  });

  it('keeps reading until NLMSG_DONE, across datagrams', () => {
    expect(parseRuleReply(ruleMessage(3, [counter(1, 1)]), 3).done).toBe(false);
    expect(parseRuleReply(done(3), 3)).toEqual({ rules: [], done: true });
  });

  it('reports "no such chain" as its errno; an acknowledgement ends the reply', () => {
    expect(parseRuleReply(errorMessage(4, 2), 4)).toEqual({ rules: [], done: true, errno: 2 });
    expect(parseRuleReply(errorMessage(4, 0), 4)).toEqual({ rules: [], done: true });
  });

  it('skips messages for other requests', () => {
    const reply = concatBytes([ruleMessage(5, [counter(1, 1)], 'x'), errorMessage(5, 2), done(5)]);
    expect(parseRuleReply(reply, 4)).toEqual({ rules: [], done: false });
  });

  it('names truncated bytes as malformed, and ends the reply', () => {
    const whole = ruleMessage(4, [counter(7, 420), verdict(1)], 'a');
    const cut = parseRuleReply(whole.subarray(0, 40), 4);
    expect(cut).toMatchObject({ rules: [], done: true, malformed: expect.stringMatching(/netlink/) });
    // A message whose own length is intact but whose nested expressions are cut short.
    const inner = concatBytes([new Uint8Array([1, 0, 0, 0]), nest(4, counter(7, 420).subarray(0, 12))]);
    const bad = parseRuleReply(buildMessage(NEWRULE, 0, 4, inner), 4);
    expect(bad).toMatchObject({ rules: [], done: true, malformed: expect.stringMatching(/netlink/) });
    expect(parseRuleReply(buildMessage(2, 0, 4, new Uint8Array(2)), 4)).toEqual({
      rules: [],
      done: true,
      malformed: 'truncated NLMSG_ERROR',
    });
  });
});
