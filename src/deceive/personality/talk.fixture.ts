// Test helper: feeds requests to a conversation (whole, or in chunks of a
// given size) and collects its replies and notes. Pure.

import { concat } from './bytes.js';
import type { Conversation, TouchNote } from './types.js';

/** Everything a conversation said to a list of inputs. */
export interface Transcript {
  readonly replies: Uint8Array[];
  readonly notes: TouchNote[];
  readonly closed: boolean;
}

/** Feeds each input (split into `chunk`-byte pieces when given) and gathers the answers. */
export function talk(conversation: Conversation, inputs: readonly Uint8Array[], chunk = 0): Transcript {
  const replies: Uint8Array[] = [];
  const notes: TouchNote[] = [];
  let closed = false;
  for (const input of inputs) {
    const pieces =
      chunk > 0
        ? Array.from({ length: Math.ceil(input.length / chunk) }, (_, i) =>
            input.subarray(i * chunk, (i + 1) * chunk),
          )
        : [input];
    for (const piece of pieces) {
      const answer = conversation.receive(piece);
      replies.push(...answer.replies);
      notes.push(...answer.notes);
      closed ||= answer.close;
    }
  }
  return { replies, notes, closed };
}

/** All replies as one byte array. */
export function joined(t: Transcript): Uint8Array {
  return concat(t.replies);
}

/** Lower-case hex of bytes, for readable expectations. */
export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** NUL-terminated string at a 1-based offset, as nmap's `string.unpack("z", ...)` reads it. */
export function zString(bytes: Uint8Array, oneBased: number): string {
  let out = '';
  for (let i = oneBased - 1; i < bytes.length && bytes[i] !== 0; i++)
    out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}
