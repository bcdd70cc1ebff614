// Whether a rule's protocol constraint allows one decoded message: the Modbus
// function, unit and every address range it reads or writes; the S7 operation;
// the DNP3 application function. Link-layer and session frames (COTP connect,
// DNP3 link status, transport continuations) carry no function and pass.
// (constraint, message, complete?) → MessageVerdict. Pure.

import type { AddressSpan, ProtocolConstraint } from '../policy/types.js';
import type { Access, ProtocolMessage } from '../sense/protocols/frame.js';
import type { MessageVerdict } from './protocol-stream.js';

const ALLOWED: MessageVerdict = { allowed: true };

function within(a: Access, spans: readonly AddressSpan[] | undefined): boolean {
  if (spans === undefined) return true;
  const last = a.address + a.quantity - 1;
  return spans.some((s) => s.from <= a.address && last <= s.to);
}

/** Judges one message against a constraint; an incomplete message is judged on what is known so far. */
export function judgeMessage(c: ProtocolConstraint, m: ProtocolMessage): MessageVerdict {
  if (m.protocol !== c.kind) return { allowed: false, reason: `${m.protocol} on a ${c.kind} flow` };
  switch (c.kind) {
    case 'modbus': {
      if (!c.functions.includes(m.code))
        return { allowed: false, reason: `function ${m.function} is not allowed` };
      if (c.units !== undefined && m.unit !== undefined && !c.units.includes(m.unit)) {
        return { allowed: false, reason: `unit ${m.unit} is not allowed` };
      }
      for (const a of m.accesses) {
        if (!within(a, a.op === 'read' ? c.read : c.write)) {
          return {
            allowed: false,
            reason: `${a.op} of ${a.target} ${a.address}-${a.address + a.quantity - 1} is outside the allowed ranges`,
          };
        }
      }
      return ALLOWED;
    }
    case 's7':
      if (m.function === 'cotp') return ALLOWED;
      return c.allow.includes(m.function)
        ? ALLOWED
        : { allowed: false, reason: `S7 ${m.function} is not allowed` };
    case 'dnp3':
      if (m.function === 'link' || m.function === 'continuation') return ALLOWED;
      return c.functions.includes(m.code)
        ? ALLOWED
        : { allowed: false, reason: `DNP3 ${m.function} is not allowed` };
  }
}
