// RADIUS identity backend: a PAP Access-Request over UDP (codec in
// codec/radius-packet.ts), retransmitted unchanged (same identifier and
// Request Authenticator) until an answer that passes the Response- and
// Message-Authenticator checks arrives or the attempts run out. Access-Accept
// maps Filter-Id / Class to a role; Access-Challenge asks for a one-time code
// and the next call sends its State back. Driver.

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { RadiusBackendConfig } from '../policy/types.js';
import type { AuthBackend, AuthOutcome, AuthRequest } from './backend.js';
import { genericRejectMessage } from './backend.js';
import {
  encodeAccessRequest,
  maxPasswordLength,
  type RadiusPacket,
  radiusAttribute,
  radiusCode,
  rawAttribute,
  textAttributes,
  verifyResponse,
} from './codec/radius-packet.js';
import { mapRole } from './codec/role-map.js';
import { readSecretFile } from './secret-file.js';

/** How the node names itself to the RADIUS server (NAS-Identifier). */
const nasIdentifier = 'picket';

/** Builds the RADIUS backend; `roles` are the policy's role names. */
export function createRadiusBackend(config: RadiusBackendConfig, roles: readonly string[]): AuthBackend {
  let nextIdentifier = 0;
  const name = config.name;
  const server = `${config.host}:${config.port}`;
  const reject = (reason: 'bad-credentials' | 'no-role', detail: string): AuthOutcome => ({
    kind: 'reject',
    backend: name,
    reason,
    message: genericRejectMessage,
    detail,
  });
  const unavailable = (message: string): AuthOutcome => ({ kind: 'unavailable', backend: name, message });

  return {
    name,
    async authenticate(request: AuthRequest): Promise<AuthOutcome> {
      if (request.password.length === 0) return reject('bad-credentials', 'empty password');
      if (Buffer.byteLength(request.password) > maxPasswordLength) {
        return reject('bad-credentials', 'password longer than 128 octets (RADIUS limit)');
      }
      if (request.user.length === 0 || Buffer.byteLength(request.user) > 253) {
        return reject('bad-credentials', 'empty or over-long user name');
      }
      const secretFile = await readSecretFile(config.secretFile, 'RADIUS shared secret');
      if ('error' in secretFile) return unavailable(secretFile.error);
      const secret = Buffer.from(secretFile.secret, 'utf8');
      const identifier = nextIdentifier;
      nextIdentifier = (nextIdentifier + 1) % 256;
      const requestAuthenticator = randomBytes(16);
      const datagram = encodeAccessRequest(
        {
          identifier,
          requestAuthenticator,
          user: request.user,
          password: request.password,
          nasIdentifier,
          callingStationId: request.source,
          ...(request.challenge === undefined
            ? {}
            : { state: Buffer.from(request.challenge.state, 'base64') }),
        },
        secret,
      );
      const answer = await exchange(datagram, config, (bytes) =>
        verifyResponse(bytes, { identifier, requestAuthenticator }, secret),
      );
      if ('error' in answer) return unavailable(`RADIUS server ${server}: ${answer.error}`);
      return outcomeOf(answer.packet, request.user);
    },
    async close() {},
  };

  function outcomeOf(packet: RadiusPacket, user: string): AuthOutcome {
    switch (packet.code) {
      case radiusCode.accessAccept: {
        const values = [
          ...textAttributes(packet, radiusAttribute.filterId),
          ...textAttributes(packet, radiusAttribute.class),
        ];
        const role = mapRole(values, config.roles, roles, 'exact');
        if (role === undefined) {
          return reject(
            'no-role',
            `accepted, but no Filter-Id/Class maps to a policy role (got ${JSON.stringify(values)})`,
          );
        }
        return { kind: 'accept', backend: name, user, role };
      }
      case radiusCode.accessChallenge: {
        const state = rawAttribute(packet, radiusAttribute.state);
        if (state === undefined)
          return unavailable(`RADIUS server ${server} sent an Access-Challenge without State`);
        const prompt =
          textAttributes(packet, radiusAttribute.replyMessage).join('\n') || 'Enter your one-time code';
        return { kind: 'challenge', backend: name, state: Buffer.from(state).toString('base64'), prompt };
      }
      default:
        return reject('bad-credentials', 'Access-Reject');
    }
  }
}

type Verify = (bytes: Uint8Array) => ReturnType<typeof verifyResponse>;

/**
 * Sends the datagram and waits `timeoutMs` for a valid answer, up to
 * 1 + retries times. Answers that fail verification are dropped (RFC 2865 §3:
 * silently discarded) so a forged packet cannot end the wait; the last such
 * problem is reported if nothing valid arrives.
 */
function exchange(
  datagram: Uint8Array,
  config: RadiusBackendConfig,
  verify: Verify,
): Promise<{ readonly packet: RadiusPacket } | { readonly error: string }> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(config.host) ? 'udp6' : 'udp4');
    let attempts = 0;
    let lastProblem = '';
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: { packet: RadiusPacket } | { error: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const send = (): void => {
      attempts++;
      socket.send(datagram);
      timer = setTimeout(() => {
        if (attempts <= config.retries) send();
        else {
          const waited = `${attempts} attempt(s) of ${config.timeoutMs} ms`;
          finish({
            error: lastProblem
              ? `${lastProblem} (${waited})`
              : `no answer after ${waited}: check that it runs, that this node is one of its clients, and that the shared secret matches (servers drop requests whose Message-Authenticator fails)`,
          });
        }
      }, config.timeoutMs);
    };
    socket.on('message', (bytes) => {
      const result = verify(bytes);
      if ('packet' in result) finish(result);
      else if (result.problem !== 'identifier-mismatch') {
        lastProblem = `answer dropped: ${result.problem} (${result.detail})`;
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
      finish({ error: `${error.code ?? error.message}: check host and port, and that the server runs` });
    });
    socket.connect(config.port, config.host, () => send());
  });
}
