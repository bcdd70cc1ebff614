import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodePacket,
  encodeAccessRequest,
  encodePacket,
  hidePassword,
  radiusAttribute,
  radiusCode,
  revealPassword,
  textAttributes,
  verifyResponse,
} from './radius-packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const secret = Buffer.from('xyzzy5461');
// RFC 2865 §7.1: nemo / arctangent, shared secret xyzzy5461.
const rfcRequestAuthenticator = hex('0f403f9473978057bd83d5cb98f4227a');
const rfcResponse = hex(
  '02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00 0e 06 c0 a8 01 03',
);

/** Signs a response the way a server does: Message-Authenticator (if present) first, then the Response Authenticator. */
function signResponse(
  code: number,
  identifier: number,
  requestAuth: Buffer,
  key: Buffer,
  withMac: boolean,
): Buffer {
  const attributes = [{ type: radiusAttribute.filterId, value: Buffer.from('vendor') }];
  if (withMac) attributes.unshift({ type: radiusAttribute.messageAuthenticator, value: Buffer.alloc(16) });
  const packet = encodePacket({ code, identifier, authenticator: requestAuth, attributes });
  if (withMac) packet.set(createHmac('md5', key).update(packet).digest(), 22);
  packet.set(createHash('md5').update(packet).update(key).digest(), 4);
  return packet;
}

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it('matches the RFC 2865 §7.1 example', () => {
    const hidden = hidePassword(Buffer.from('arctangent'), secret, rfcRequestAuthenticator);
    expect(hidden.toString('hex')).toBe('0dbe708d93d413ce3196e43f782a0aee');
  });

  it.each([
    ['', 16],
    ['a', 16],
    ['exactly16chars!!', 16],
    ['seventeen chars!!', 32],
    ['x'.repeat(128), 128],
  ])('round-trips %j in %i octets', (password, length) => {
    const hidden = hidePassword(Buffer.from(password), secret, rfcRequestAuthenticator);
    expect(hidden.length).toBe(length);
    expect(revealPassword(hidden, secret, rfcRequestAuthenticator).toString()).toBe(password);
  });

  it('refuses passwords over 128 octets', () => {
    expect(() => hidePassword(Buffer.alloc(129, 1), secret, rfcRequestAuthenticator)).toThrow(RangeError);
  });

  it('chains blocks: the second block depends on the first ciphertext, not the plaintext', () => {
    const a = hidePassword(Buffer.from('A'.repeat(32)), secret, rfcRequestAuthenticator);
    const b = hidePassword(Buffer.from(`B${'A'.repeat(31)}`), secret, rfcRequestAuthenticator);
    expect(a.subarray(16).equals(b.subarray(16))).toBe(false);
  });
});

describe('verifyResponse', () => {
  const rfcRequest = { identifier: 0, requestAuthenticator: rfcRequestAuthenticator };

  it('accepts the RFC 2865 §7.1 Access-Accept (Response Authenticator)', () => {
    const result = verifyResponse(rfcResponse, rfcRequest, secret);
    expect('packet' in result && result.packet.code).toBe(radiusCode.accessAccept);
  });

  it('rejects it under a wrong shared secret', () => {
    const result = verifyResponse(rfcResponse, rfcRequest, Buffer.from('wrong'));
    expect('problem' in result && result.problem).toBe('response-authenticator-mismatch');
  });

  it('rejects it as an answer to another request', () => {
    expect(verifyResponse(rfcResponse, { ...rfcRequest, identifier: 1 }, secret)).toMatchObject({
      problem: 'identifier-mismatch',
    });
    const otherAuth = { identifier: 0, requestAuthenticator: Buffer.alloc(16, 7) };
    expect(verifyResponse(rfcResponse, otherAuth, secret)).toMatchObject({
      problem: 'response-authenticator-mismatch',
    });
  });

  it('verifies a Message-Authenticator computed over the Request Authenticator (RFC 3579 §3.2)', () => {
    const requestAuth = Buffer.alloc(16, 0x42);
    const good = signResponse(radiusCode.accessAccept, 9, requestAuth, secret, true);
    const result = verifyResponse(good, { identifier: 9, requestAuthenticator: requestAuth }, secret);
    expect('packet' in result && textAttributes(result.packet, radiusAttribute.filterId)).toEqual(['vendor']);
  });

  it('rejects a bad Message-Authenticator even when the Response Authenticator is right', () => {
    const requestAuth = Buffer.alloc(16, 0x42);
    const bad = signResponse(radiusCode.accessAccept, 9, requestAuth, secret, true);
    bad[30] = (bad[30] as number) ^ 1; // inside the Message-Authenticator value
    bad.set(
      createHash('md5')
        .update(Buffer.concat([bad.subarray(0, 4), requestAuth, bad.subarray(20)]))
        .update(secret)
        .digest(),
      4,
    );
    expect(verifyResponse(bad, { identifier: 9, requestAuthenticator: requestAuth }, secret)).toMatchObject({
      problem: 'message-authenticator-mismatch',
    });
  });

  it('refuses an Access-Request as an answer', () => {
    const requestAuth = Buffer.alloc(16, 1);
    const echo = signResponse(radiusCode.accessRequest, 3, requestAuth, secret, false);
    expect(verifyResponse(echo, { identifier: 3, requestAuthenticator: requestAuth }, secret)).toMatchObject({
      problem: 'not-a-response',
    });
  });
});

describe('encodeAccessRequest', () => {
  const request = {
    identifier: 17,
    requestAuthenticator: rfcRequestAuthenticator,
    user: 'nemo',
    password: 'arctangent',
    nasIdentifier: 'picket',
    callingStationId: '10.0.0.99',
    state: Buffer.from('st8'),
  };

  it('carries the attributes a server needs, the password hidden', () => {
    const bytes = encodeAccessRequest(request, secret);
    const packet = decodePacket(bytes);
    if ('error' in packet) throw new Error(packet.error);
    expect(packet.code).toBe(radiusCode.accessRequest);
    expect(packet.identifier).toBe(17);
    expect(textAttributes(packet, radiusAttribute.userName)).toEqual(['nemo']);
    expect(textAttributes(packet, radiusAttribute.nasIdentifier)).toEqual(['picket']);
    expect(textAttributes(packet, radiusAttribute.callingStationId)).toEqual(['10.0.0.99']);
    expect(textAttributes(packet, radiusAttribute.state)).toEqual(['st8']);
    const hidden = packet.attributes.find((a) => a.type === radiusAttribute.userPassword)?.value;
    expect(Buffer.from(hidden ?? []).toString('hex')).toBe('0dbe708d93d413ce3196e43f782a0aee');
    expect(bytes.includes(Buffer.from('arctangent'))).toBe(false);
  });

  it('signs with a Message-Authenticator = HMAC-MD5(secret, packet with it zeroed)', () => {
    const bytes = encodeAccessRequest(request, secret);
    expect(bytes[20]).toBe(radiusAttribute.messageAuthenticator);
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, 22, 38);
    expect(bytes.subarray(22, 38)).toEqual(createHmac('md5', secret).update(zeroed).digest());
  });
});

describe('decodePacket', () => {
  it.each([
    ['too short', hex('02 00 00 14')],
    ['length beyond the datagram', hex(`02 00 00 30 ${'00'.repeat(16)}`)],
    ['length below the header', hex(`02 00 00 10 ${'00'.repeat(16)}`)],
    ['attribute length 0', hex(`02 00 00 16 ${'00'.repeat(16)} 01 00`)],
    ['attribute past the end', hex(`02 00 00 17 ${'00'.repeat(16)} 01 05 61`)],
  ])('reports %s', (_name, bytes) => {
    expect(decodePacket(bytes)).toHaveProperty('error');
  });

  it('ignores padding past the Length field', () => {
    const packet = decodePacket(Buffer.concat([rfcResponse, Buffer.alloc(5, 0xff)]));
    expect('attributes' in packet && packet.attributes.length).toBe(3);
  });
});
