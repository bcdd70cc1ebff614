// The decoy personalities' front door: the list of profiles and, for an
// identity, the services its decoy listens on, each ready to open
// conversations. identity → DecoyService[]. Pure.

import { SILENCE } from './bytes.js';
import { PROFILE_TABLES, type ServiceSpec } from './profiles.js';
import type { Conversation, DecoyIdentity, DecoyProfile, DecoyService } from './types.js';

export { drawIdentity, plantNameOf } from './identity.js';
export type {
  Conversation,
  DecoyIdentity,
  DecoyProfile,
  DecoyService,
  Exchange,
  TouchNote,
} from './types.js';

/** Every profile a decoy can take. */
export const PROFILES: readonly DecoyProfile[] = Object.keys(PROFILE_TABLES) as DecoyProfile[];

/** Opens a conversation of one protocol for one identity. */
type Opener = (identity: DecoyIdentity, spec: ServiceSpec) => Conversation;

const silent: Opener = () => ({ receive: () => SILENCE });

const OPENERS: Readonly<Record<ServiceSpec['protocol'], Opener>> = {
  modbus: silent,
  s7comm: silent,
  enip: silent,
  bacnet: silent,
  iec104: silent,
  dnp3: silent,
  ssh: silent,
  vnc: silent,
  http: silent,
};

/** The services a decoy with this identity offers. */
export function servicesOf(identity: DecoyIdentity): DecoyService[] {
  return PROFILE_TABLES[identity.profile].services.map((spec) => ({
    transport: spec.transport,
    port: spec.port,
    protocol: spec.protocol,
    greeting: () => SILENCE,
    open: () => OPENERS[spec.protocol](identity, spec),
  }));
}
