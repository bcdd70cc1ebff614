// Engineering workstation services: the SSH identification string and
// KEXINIT, VNC's RFB 3.8 handshake that always fails, and the HTTP login page
// whose POST always fails and is noted with the user name but not the password.

import { describe, expect, it } from 'vitest';
import { openSsh, openVnc, sshGreeting, vncGreeting } from './banner.js';
import { openHttp } from './http.js';
import { IDENTITIES } from './identities.fixture.js';
import { servicesOf } from './index.js';
import { WORKSTATION } from './requests.fixture.js';
import { joined, talk } from './talk.fixture.js';

const identity = IDENTITIES['engineering-workstation'];
const textOf = (b: Uint8Array) => new TextDecoder().decode(b);

describe('workstation services', () => {
  it('greets SSH clients with the drawn OpenSSH version and answers their identification with KEXINIT', () => {
    expect(textOf(sshGreeting(identity).replies[0] ?? new Uint8Array())).toBe(
      'SSH-2.0-OpenSSH_for_Windows_8.1\r\n',
    );
    const t = talk(openSsh(identity), [WORKSTATION.sshIdent]);
    const packet = t.replies[0] ?? new Uint8Array();
    const length = new DataView(packet.buffer, packet.byteOffset).getUint32(0);
    expect(length + 4).toBe(packet.length);
    expect(packet.length % 8).toBe(0);
    expect(packet[4]).toBeGreaterThanOrEqual(4);
    expect(packet[5]).toBe(20);
    expect(textOf(packet)).toContain('curve25519-sha256');
    expect(t.notes[0]?.what).toBe('SSH client SSH-2.0-OpenSSH_9.2p1 Debian-2');
    expect(talk(openSsh(identity), [WORKSTATION.sshIdent, Uint8Array.of(0, 0, 0, 12)]).closed).toBe(true);
  });

  it('speaks RFB 3.8 with VNC authentication and always fails it', () => {
    expect(textOf(vncGreeting().replies[0] ?? new Uint8Array())).toBe('RFB 003.008\n');
    const t = talk(openVnc(identity), [
      WORKSTATION.vncVersion,
      WORKSTATION.vncChooseAuth,
      WORKSTATION.vncResponse,
    ]);
    expect([...(t.replies[0] ?? [])]).toEqual([1, 2]);
    expect(t.replies[1]).toHaveLength(16);
    expect(textOf(t.replies[2] ?? new Uint8Array()).endsWith('Authentication failed')).toBe(true);
    expect(t.closed).toBe(true);
    expect(t.notes.at(-1)?.severity).toBe('high');
  });

  it('serves a login page titled after the workstation', () => {
    const t = talk(openHttp(identity), [WORKSTATION.httpGet]);
    const page = textOf(joined(t));
    expect(page.startsWith('HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/10.0\r\n')).toBe(true);
    expect(page).toContain('<title>WinCC WebNavigator - EWS-01</title>');
    const length = Number(/Content-Length: (\d+)/.exec(page)?.[1]);
    expect(length).toBe(page.length - page.indexOf('\r\n\r\n') - 4);
    expect(t.closed).toBe(true);
  });

  it('fails every login and notes the user name, never the password', () => {
    for (const chunk of [0, 1, 7]) {
      const t = talk(openHttp(identity), [WORKSTATION.httpLogin], chunk);
      expect(textOf(joined(t))).toContain('Invalid user name or password.');
      expect(t.notes).toEqual([
        { protocol: 'http', what: 'HTTP login attempt as user operator', severity: 'high' },
      ]);
      expect(JSON.stringify(t.notes)).not.toContain('s3cr3');
    }
  });

  it('answers an oversized request head and closes', () => {
    const t = talk(openHttp(identity), [new Uint8Array(20000).fill(0x41)]);
    expect(textOf(joined(t))).toContain('431');
    expect(t.closed).toBe(true);
  });
  it('never repeats an SSH cookie or a VNC challenge across connections (real servers draw them at random)', () => {
    const services = servicesOf(identity);
    const ssh = services.find((s) => s.protocol === 'ssh');
    const vnc = services.find((s) => s.protocol === 'vnc');
    const cookie = () =>
      joined(talk(ssh?.open() ?? openSsh(identity), [WORKSTATION.sshIdent]))
        .subarray(6, 22)
        .join(',');
    const challenge = () =>
      (
        talk(vnc?.open() ?? openVnc(identity), [WORKSTATION.vncVersion, WORKSTATION.vncChooseAuth])
          .replies[1] ?? new Uint8Array()
      ).join(',');
    expect(cookie()).not.toBe(cookie());
    expect(challenge()).not.toBe(challenge());
  });
});
