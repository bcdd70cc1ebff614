// HTTP API identity backend: POSTs {user, password, source} as JSON to the
// configured URL (https with an optional CA, a bearer token from a file) and
// reads {allow, role?, message?}. Timeouts, non-2xx answers and bad JSON are
// `unavailable` — never an accept. Driver.

import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpBackendConfig } from '../policy/types.js';
import type { AuthBackend, AuthOutcome, AuthRequest } from './backend.js';
import { genericRejectMessage } from './backend.js';
import { describeConnectionError } from './connection-errors.js';
import { readSecretFile } from './secret-file.js';

/** Answers larger than this are not an identity decision. */
const maxAnswerBytes = 64 * 1024;

/** Builds the HTTP API backend; a role it returns must be one of the policy's `roles`. */
export function createHttpBackend(config: HttpBackendConfig, roles: readonly string[]): AuthBackend {
  const name = config.name;
  const url = new URL(config.url);
  // Never repeat credentials that may sit in the URL.
  const shownUrl = `${url.protocol}//${url.host}${url.pathname}`;
  const unavailable = (message: string): AuthOutcome => ({ kind: 'unavailable', backend: name, message });
  const reject = (reason: 'bad-credentials' | 'no-role', detail: string): AuthOutcome => ({
    kind: 'reject',
    backend: name,
    reason,
    message: genericRejectMessage,
    detail,
  });

  return {
    name,
    async authenticate(request: AuthRequest): Promise<AuthOutcome> {
      if (request.password.length === 0) return reject('bad-credentials', 'empty password');
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
      };
      if (config.tokenFile !== undefined) {
        const token = await readSecretFile(config.tokenFile, 'bearer token');
        if ('error' in token) return unavailable(token.error);
        headers.authorization = `Bearer ${token.secret}`;
      }
      let ca: Buffer | undefined;
      if (config.caFile !== undefined) {
        try {
          ca = await readFile(config.caFile);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'error';
          return unavailable(
            `cannot read CA file ${config.caFile} (${code}): fix \`ca:\` of backend ${name}`,
          );
        }
      }
      const body = JSON.stringify({ user: request.user, password: request.password, source: request.source });
      let answer: { status: number; text: string };
      try {
        answer = await post(body, headers, ca);
      } catch (error) {
        return unavailable(describeConnectionError(error, shownUrl, 'POST'));
      }
      return decide(answer, request.user);
    },
    async close() {},
  };

  function decide(answer: { status: number; text: string }, user: string): AuthOutcome {
    if (answer.status === 401 || answer.status === 403) {
      return unavailable(`${shownUrl} refused Picket itself (HTTP ${answer.status}): check token-file`);
    }
    if (answer.status < 200 || answer.status > 299)
      return unavailable(`${shownUrl} answered HTTP ${answer.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      return unavailable(`${shownUrl} answered with something that is not JSON`);
    }
    const allow = (parsed as { allow?: unknown } | null)?.allow;
    if (typeof allow !== 'boolean') return unavailable(`${shownUrl} answered JSON without a boolean "allow"`);
    const { role, message } = parsed as { role?: unknown; message?: unknown };
    const said = typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
    if (!allow) return reject('bad-credentials', `denied by ${shownUrl}${said}`);
    if (typeof role !== 'string' || !roles.includes(role)) {
      return reject(
        'no-role',
        `allowed by ${shownUrl} with role ${JSON.stringify(role)}, which is not a policy role`,
      );
    }
    return { kind: 'accept', backend: name, user, role };
  }

  function post(body: string, headers: Record<string, string>, ca: Buffer | undefined) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: config.timeoutMs,
          ...(ca === undefined ? {} : { ca }),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxAnswerBytes) req.destroy(new Error(`answer larger than ${maxAnswerBytes} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      // The whole exchange, not only idle time, is bounded by the timeout.
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
        config.timeoutMs,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}
