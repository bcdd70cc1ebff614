// A decoy's web login page (HTTP on port 80): GET answers a login form titled
// after the device, POST of the form always fails and is noted with the user
// name tried (never the password); one request per connection. Request bytes →
// response + notes. RFC 9112 (message syntax), HTML forms (urlencoded). Pure.

import { byteBuffer, concat, exchange, SILENCE } from './bytes.js';
import { perIdentity } from './memo.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 8 * 1024;
const USER_KEYS = ['username', 'user', 'login', 'name', 'j_username', 'usr', 'userid'];

function note(what: string, severity: TouchNote['severity']): TouchNote {
  return { protocol: 'http', what: `HTTP ${what}`, severity };
}

function clean(text: string, max = 64): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function titleOf(identity: DecoyIdentity): string {
  const v = identity.fields.webTitle;
  return typeof v === 'string' ? `${v} - ${identity.hostname}` : `${identity.model} - ${identity.hostname}`;
}

function page(identity: DecoyIdentity, message: string): string {
  const title = escapeHtml(titleOf(identity));
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${title}</title></head>`,
    `<body><h2>${title}</h2><p>${escapeHtml(identity.plantName)}</p>`,
    message ? `<p class="error">${escapeHtml(message)}</p>` : '',
    '<form method="POST" action="/login">',
    '<label>User name <input name="username" type="text"></label><br>',
    '<label>Password <input name="password" type="password"></label><br>',
    '<input type="submit" value="Log in"></form></body></html>',
    '',
  ].join('\r\n');
}

const UTF8 = new TextEncoder();

function response(identity: DecoyIdentity, status: string, body: string): Uint8Array {
  const server =
    typeof identity.fields.webServer === 'string'
      ? identity.fields.webServer
      : identity.profile === 'engineering-workstation'
        ? 'Microsoft-IIS/10.0'
        : '';
  const content = UTF8.encode(body);
  const head = [
    `HTTP/1.1 ${status}`,
    ...(server ? [`Server: ${clean(server)}`] : []),
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${content.length}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return concat([UTF8.encode(head), content]);
}

/** Every response a decoy's web server gives, built once per identity. */
const responsesOf = perIdentity((identity) => ({
  login: response(identity, '200 OK', page(identity, '')),
  failed: response(identity, '200 OK', page(identity, 'Invalid user name or password.')),
  notFound: response(identity, '404 Not Found', '<html><body>Not Found</body></html>\r\n'),
  notAllowed: response(identity, '405 Method Not Allowed', ''),
  headTooLarge: response(identity, '431 Request Header Fields Too Large', ''),
  bodyTooLarge: response(identity, '413 Payload Too Large', ''),
}));

/** The user name field of an urlencoded form body, if any. */
export function formUser(body: string): string | undefined {
  for (const pair of body.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    if (!USER_KEYS.includes(key.toLowerCase())) continue;
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value;
    }
  }
  return undefined;
}

function answer(identity: DecoyIdentity, head: string, body: string): Exchange {
  const [requestLine = ''] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const target = clean(path, 120);
  if (method === 'POST') {
    const user = formUser(body);
    const what = user === undefined ? `POST ${target}` : `login attempt as user ${clean(user)}`;
    return exchange([responsesOf(identity).failed], [note(what, 'high')], true);
  }
  if (method === 'GET' || method === 'HEAD') {
    const known = path === '/' || path.startsWith('/login') || path.startsWith('/index');
    const reply = known ? responsesOf(identity).login : responsesOf(identity).notFound;
    return exchange([reply], [note(`${method} ${target}`, 'medium')], true);
  }
  return exchange(
    [responsesOf(identity).notAllowed],
    [note(`${clean(method, 16)} ${target}`, 'medium')],
    true,
  );
}

/** Index of the first CRLFCRLF at or after `from`, or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** Decodes bytes one character per byte (the WHATWG "latin1" label is windows-1252, close enough for headers). */
const LATIN1 = new TextDecoder('latin1');

function latin1(bytes: Uint8Array): string {
  return LATIN1.decode(bytes);
}

/** One HTTP request per connection; the decoy closes after its response. */
export function openHttp(identity: DecoyIdentity): Conversation {
  const buffered = byteBuffer();
  let end = -1;
  let done = false;
  return {
    receive(bytes) {
      if (done) return exchange([], [], true);
      const searched = buffered.length;
      buffered.append(bytes);
      if (end < 0) end = headEnd(buffered.view(), searched - 3);
      if (end < 0) {
        if (buffered.length <= MAX_HEAD) return SILENCE;
        done = true;
        return exchange(
          [responsesOf(identity).headTooLarge],
          [note('oversized request head', 'medium')],
          true,
        );
      }
      const head = latin1(buffered.view().subarray(0, end));
      const length = Number.parseInt(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0', 10);
      if (length > MAX_BODY) {
        done = true;
        return exchange(
          [responsesOf(identity).bodyTooLarge],
          [note(`oversized body (${length} bytes)`, 'medium')],
          true,
        );
      }
      if (buffered.length < end + 4 + length) return SILENCE;
      done = true;
      return answer(identity, head, latin1(buffered.view().subarray(end + 4, end + 4 + length)));
    },
  };
}
