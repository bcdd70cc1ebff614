// The decoy personalities' front door: the list of profiles and, for an
// identity, the services its decoy listens on, each ready to open
// conversations. identity → DecoyService[]. Pure.

import { openBacnet } from './bacnet.js';
import { openSsh, openVnc, sshGreeting, vncGreeting } from './banner.js';
import { SILENCE } from './bytes.js';
import { openDnp3 } from './dnp3.js';
import { openEnipTcp, openEnipUdp } from './enip.js';
import { openHttp } from './http.js';
import { openIec104 } from './iec104.js';
import { openModbus } from './modbus.js';
import { modbusMapOf } from './modbus-map.js';
import { PROFILE_TABLES, type ServiceSpec } from './profiles.js';
import { openS7 } from './s7.js';
import type { Conversation, DecoyIdentity, DecoyProfile, DecoyService, Exchange } from './types.js';

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

/** What a service does: its first words on a new connection and its conversations. */
interface Behaviour {
  greeting(): Exchange;
  open(): Conversation;
}

const quiet = (open: () => Conversation): Behaviour => ({ greeting: () => SILENCE, open });

/**
 * Builds a protocol's behaviour for one decoy; state shared by its conversations
 * lives in the closure (Modbus writes; a connection counter where real servers
 * would use fresh random values: SSH cookies, VNC challenges, CIP session handles).
 */
const BEHAVIOURS: Readonly<
  Record<ServiceSpec['protocol'], (identity: DecoyIdentity, spec: ServiceSpec) => Behaviour>
> = {
  modbus: (identity) => {
    const map = modbusMapOf(identity);
    return quiet(() => openModbus(identity, map));
  },
  s7comm: (identity) => quiet(() => openS7(identity)),
  enip: (identity, spec) => {
    let connections = 0;
    return quiet(() =>
      spec.transport === 'udp' ? openEnipUdp(identity) : openEnipTcp(identity, connections++),
    );
  },
  bacnet: (identity) => quiet(() => openBacnet(identity)),
  iec104: (identity) => quiet(() => openIec104(identity)),
  dnp3: (identity) => quiet(() => openDnp3(identity)),
  ssh: (identity) => {
    let connections = 0;
    return { greeting: () => sshGreeting(identity), open: () => openSsh(identity, connections++) };
  },
  vnc: (identity) => {
    let connections = 0;
    return { greeting: vncGreeting, open: () => openVnc(identity, connections++) };
  },
  http: (identity) => quiet(() => openHttp(identity)),
};

/** The services a decoy with this identity offers. */
export function servicesOf(identity: DecoyIdentity): DecoyService[] {
  return PROFILE_TABLES[identity.profile].services.map((spec) => {
    const behaviour = BEHAVIOURS[spec.protocol](identity, spec);
    return {
      transport: spec.transport,
      port: spec.port,
      protocol: spec.protocol,
      greeting: () => behaviour.greeting(),
      open: () => behaviour.open(),
    };
  });
}
