// The portal's DNS answer: an unrecognized device's name lookups are
// redirected to the node, and every A question is answered with the portal's
// address (TTL 0), so a laptop that types a name lands on the login page too.
// AAAA and other types get an empty answer (the client falls back to A);
// other opcodes NOTIMP; a malformed question FORMERR; responses and runts are
// ignored. RFC 1035 §4.1. Query bytes + address → response bytes. Pure.

const HEADER = 12;
const TYPE_A = 1;
const TYPE_ANY = 255;
const CLASS_IN = 1;

/** Length of the question's name (labels up to the root), or undefined when malformed. */
function nameLength(q: Uint8Array, start: number): number | undefined {
  let at = start;
  for (let labels = 0; labels < 128; labels++) {
    const len = q[at];
    if (len === undefined || len > 63) return undefined; // compression is not allowed in a question here
    at += 1 + len;
    if (len === 0) return at - start <= 255 ? at - start : undefined;
  }
  return undefined;
}

/** The response to one DNS query datagram; undefined when it is not a query worth answering. */
export function dnsAnswer(
  query: Uint8Array,
  address: readonly [number, number, number, number],
): Uint8Array | undefined {
  if (query.length < HEADER) return undefined;
  const flags = ((query[2] ?? 0) << 8) | (query[3] ?? 0);
  if (flags & 0x8000) return undefined; // a response, not a query
  const opcode = (flags >> 11) & 0xf;
  const qdcount = ((query[4] ?? 0) << 8) | (query[5] ?? 0);
  const reply = (rcode: number, question: Uint8Array, answer: Uint8Array) => {
    const out = new Uint8Array(HEADER + question.length + answer.length);
    out[0] = query[0] ?? 0;
    out[1] = query[1] ?? 0;
    // QR, the opcode, AA, RD as asked; RA off; the rcode.
    out[2] = 0x80 | (opcode << 3) | 0x04 | ((flags >> 8) & 0x01);
    out[3] = rcode & 0xf;
    out[5] = question.length > 0 ? 1 : 0;
    out[7] = answer.length > 0 ? 1 : 0;
    out.set(question, HEADER);
    out.set(answer, HEADER + question.length);
    return out;
  };
  if (opcode !== 0) return reply(4, new Uint8Array(0), new Uint8Array(0));
  const len = qdcount === 1 ? nameLength(query, HEADER) : undefined;
  if (len === undefined || query.length < HEADER + len + 4)
    return reply(1, new Uint8Array(0), new Uint8Array(0));
  const question = query.subarray(HEADER, HEADER + len + 4);
  const qtype = ((question[len] ?? 0) << 8) | (question[len + 1] ?? 0);
  const qclass = ((question[len + 2] ?? 0) << 8) | (question[len + 3] ?? 0);
  if ((qtype !== TYPE_A && qtype !== TYPE_ANY) || qclass !== CLASS_IN)
    return reply(0, question, new Uint8Array(0));
  // Name: a pointer to the question's name at offset 12; type A, class IN, TTL 0, 4 bytes.
  const answer = new Uint8Array([0xc0, HEADER, 0, TYPE_A, 0, CLASS_IN, 0, 0, 0, 0, 0, 4, ...address]);
  return reply(0, question, answer);
}
