// Engineering workstation services that greet first: SSH (identification
// string and a server KEXINIT, then the key exchange is cut off) and VNC
// (RFB 003.008, VNC authentication that always fails). Bytes → replies +
// notes; nothing ever authenticates. RFC 4253, RFC 6143. Pure.

import { ascii, byteBuffer, bytesOf, concat, exchange, SILENCE, u32be } from './bytes.js';
import { perIdentity } from './memo.js';
import { hash32 } from './seeded.js';
import type { Conversation, DecoyIdentity, Exchange, TouchNote } from './types.js';

/** Longest identification line or handshake message a peer may send before the decoy gives up. */
const MAX_LINE = 255;

function text(identity: DecoyIdentity, name: string, fallback: string): string {
  const v = identity.fields[name];
  return typeof v === 'string' ? v : fallback;
}

function printable(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 80)).replace(/[^\x20-\x7e]/g, '?');
}

/** A 16-byte value per decoy, purpose and connection number (SSH cookie, VNC challenge): never the same twice, as real servers' random ones. */
function sixteen(identity: DecoyIdentity, purpose: string, nonce: number): number[] {
  return [0, 1, 2, 3].flatMap((i) => u32be(hash32(`${identity.serial}/${purpose}/${nonce}/${i}`)));
}

/** The SSH identification string the decoy sends first. */
export function sshGreeting(identity: DecoyIdentity): Exchange {
  return exchange([bytesOf(ascii(`SSH-2.0-${text(identity, 'sshVersion', 'OpenSSH_8.0')}\r\n`))]);
}

function nameList(names: string): number[] {
  return [...u32be(names.length), ...ascii(names)];
}

/**
 * A server KEXINIT packet (no MAC, no encryption yet, padded to a multiple of
 * 8): message 20, a per-connection cookie, then the name lists, which are
 * built once per identity.
 */
function kexInit(identity: DecoyIdentity, nonce: number): Uint8Array {
  const lists = kexNameLists(identity);
  const payloadLength = 1 + 16 + lists.length;
  // RFC 4253 §6: length field, padding length, payload and padding together a multiple of 8, at least 4 bytes of padding.
  const short = 8 - ((payloadLength + 5) % 8);
  const padding = short < 4 ? short + 8 : short;
  const head = bytesOf([
    ...u32be(payloadLength + padding + 1),
    padding,
    20,
    ...sixteen(identity, 'ssh-cookie', nonce),
  ]);
  return concat([head, lists, new Uint8Array(padding)]);
}

const kexNameLists = perIdentity((identity): Uint8Array => {
  const windows = text(identity, 'sshVersion', '').includes('Windows');
  const kex = windows
    ? 'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha1'
    : 'curve25519-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,diffie-hellman-group14-sha256';
  const ciphers =
    'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com';
  const macs =
    'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha1';
  const hostKeys = 'rsa-sha2-512,rsa-sha2-256,ssh-rsa,ecdsa-sha2-nistp256,ssh-ed25519';
  const lists = [kex, hostKeys, ciphers, ciphers, macs, macs, 'none', 'none', '', ''].flatMap(nameList);
  // first_kex_packet_follows false, reserved 0.
  return bytesOf([...lists, 0, 0, 0, 0, 0]);
});

/** SSH: the client's identification line is noted and answered with KEXINIT; its key exchange ends it. */
export function openSsh(identity: DecoyIdentity, nonce = 0): Conversation {
  const buffered = byteBuffer();
  let identified = false;
  let closed = false;
  const finish = (answer: Exchange): Exchange => {
    closed = answer.close;
    return answer;
  };
  return {
    receive(bytes) {
      if (closed) return exchange([], [], true);
      if (identified)
        return finish(
          exchange([], [{ protocol: 'ssh', what: 'SSH key exchange started', severity: 'medium' }], true),
        );
      const searched = buffered.length;
      buffered.append(bytes);
      const end = buffered.view().indexOf(0x0a, searched);
      if (end < 0) {
        if (buffered.length <= MAX_LINE) return SILENCE;
        return finish(
          exchange([], [{ protocol: 'ssh', what: 'SSH: no identification line', severity: 'medium' }], true),
        );
      }
      identified = true;
      const view = buffered.view();
      const line = printable(view.subarray(0, view[end - 1] === 0x0d ? end - 1 : end)).trim();
      const ok = line.startsWith('SSH-');
      const note: TouchNote = {
        protocol: 'ssh',
        what: ok ? `SSH client ${line}` : `not SSH: ${line}`,
        severity: 'medium',
      };
      return finish(
        ok
          ? exchange([kexInit(identity, nonce)], [note])
          : exchange([bytesOf(ascii('Protocol mismatch.\n'))], [note], true),
      );
    },
  };
}

/** VNC greets with its protocol version. */
export function vncGreeting(): Exchange {
  return exchange([bytesOf(ascii('RFB 003.008\n'))]);
}

/** VNC: version, security type 2 (VNC authentication), a challenge, and always "Authentication failed". */
export function openVnc(identity: DecoyIdentity, nonce = 0): Conversation {
  let step: 'version' | 'security' | 'response' | 'closed' = 'version';
  let buffered: Uint8Array = new Uint8Array(0);
  const note = (what: string, severity: TouchNote['severity']): TouchNote => ({
    protocol: 'vnc',
    what: `VNC ${what}`,
    severity,
  });
  const finish = (answer: Exchange): Exchange => {
    if (answer.close) step = 'closed';
    return answer;
  };
  const failed = (reason: string) => bytesOf([...u32be(1), ...u32be(reason.length), ...ascii(reason)]);
  /** Answers the next complete client message, or undefined when more bytes are needed. */
  const step1 = (): Exchange | undefined => {
    const need = step === 'version' ? 12 : step === 'security' ? 1 : 16;
    if (buffered.length < need) return undefined;
    const message = buffered.subarray(0, need);
    buffered = buffered.slice(need);
    if (step === 'version') {
      const version = printable(message).trim();
      if (!version.startsWith('RFB '))
        return finish(exchange([], [note(`not RFB: ${version}`, 'medium')], true));
      step = 'security';
      return exchange([bytesOf([1, 2])], [note(`client ${version}`, 'medium')]);
    }
    if (step === 'security') {
      if (message[0] !== 2)
        return finish(
          exchange([failed('Security type invalid')], [note(`security type ${message[0]}`, 'medium')], true),
        );
      step = 'response';
      return exchange(
        [bytesOf(sixteen(identity, 'vnc-challenge', nonce))],
        [note('authentication started', 'medium')],
      );
    }
    return finish(
      exchange(
        [failed('Authentication failed')],
        [note('authentication attempt (password response sent)', 'high')],
        true,
      ),
    );
  };
  const isClosed = () => step === 'closed';
  return {
    receive(bytes) {
      if (isClosed()) return exchange([], [], true);
      buffered = concat([buffered, bytes]);
      const replies: Uint8Array[] = [];
      const notes: TouchNote[] = [];
      for (let answer = step1(); answer !== undefined; answer = isClosed() ? undefined : step1()) {
        replies.push(...answer.replies);
        notes.push(...answer.notes);
      }
      if (isClosed()) buffered = new Uint8Array(0);
      return replies.length === 0 && notes.length === 0 && step !== 'closed'
        ? SILENCE
        : exchange(replies, notes, step === 'closed');
    },
  };
}
