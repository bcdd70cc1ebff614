// Reassembles a TCP byte stream into protocol frames for a personality: any
// chunking in, one handler call per complete frame, a bounded buffer, and a
// close (with a note) on bytes that cannot be a frame. Pure.

import type { Frame } from '../../sense/protocols/frame.js';
import { byteBuffer } from './bytes.js';
import type { Conversation, Exchange, TouchNote } from './types.js';

/** What a framer says about the start of the buffered bytes (the sense codecs' framers fit). */
export type Framing = Frame;

/** Default cap on bytes buffered by one conversation. */
export const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * A conversation that frames the stream with `frame` and answers each frame
 * with `handle`; stops at the first exchange that closes.
 */
export function framedConversation(
  protocol: string,
  frame: (buffered: Uint8Array) => Framing,
  handle: (frame: Uint8Array) => Exchange,
  maxBufferedBytes = MAX_BUFFERED_BYTES,
): Conversation {
  const buffered = byteBuffer();
  let closed = false;
  return {
    receive(bytes: Uint8Array): Exchange {
      if (closed) return { replies: [], notes: [], close: true };
      buffered.append(bytes);
      const replies: Uint8Array[] = [];
      const notes: TouchNote[] = [];
      while (buffered.length > 0) {
        const framing = frame(buffered.view());
        if (framing.kind === 'partial') break;
        if (framing.kind === 'malformed' || framing.length <= 0) {
          const reason = framing.kind === 'malformed' ? framing.reason : 'empty frame';
          notes.push({ protocol, what: `not ${protocol}: ${reason}`, severity: 'medium' });
          closed = true;
          break;
        }
        // The handler gets its own copy: the buffer is reused for the next bytes.
        const answer = handle(buffered.view().slice(0, framing.length));
        buffered.drop(framing.length);
        replies.push(...answer.replies);
        notes.push(...answer.notes);
        if (answer.close) {
          closed = true;
          break;
        }
      }
      if (!closed && buffered.length > maxBufferedBytes) {
        notes.push({
          protocol,
          what: `${protocol} buffer over ${maxBufferedBytes} bytes`,
          severity: 'medium',
        });
        closed = true;
      }
      if (closed) buffered.clear();
      return { replies, notes, close: closed };
    },
  };
}
