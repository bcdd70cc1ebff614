// The one table of what policy.yaml (v1) may contain: every key, its type and
// its description. The structural check and the JSON Schema are both derived
// from it. Pure data.

import { decoysShape } from './decoys-shape.js';
import { DEFAULT_L2_ALLOW, L2_PROTOCOLS } from './l2-protocols.js';
import { S7_FUNCTIONS } from './protocol-names.js';
import type { ObjectShape, Shape, StringShape } from './shape.js';

const name = (description: string): StringShape => ({ kind: 'string', description });
const names = (description: string, items: string, minItems?: number): Shape => ({
  kind: 'array',
  description,
  items: name(items),
  ...(minItems === undefined ? {} : { minItems }),
});

const ports = (transport: string): Shape => ({
  kind: 'array',
  description: `${transport} destination ports: single ports (502) or inclusive ranges ("20000-20100").`,
  items: {
    kind: 'union',
    description: 'A port 1-65535 or a range "from-to".',
    anyOf: [
      { kind: 'integer', description: 'A port number.', minimum: 1, maximum: 65535 },
      { kind: 'string', description: 'A port range "from-to".', pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$' },
    ],
  },
  minItems: 1,
});

const clock = (description: string): StringShape => ({
  kind: 'string',
  description,
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  examples: ['02:00'],
});

const zone: ObjectShape = {
  kind: 'object',
  what: 'zone',
  description: 'A network segment: the address prefixes that belong to it.',
  properties: {
    networks: {
      kind: 'array',
      description: 'IPv4 or IPv6 prefixes, e.g. 10.20.1.0/24 or fd00:20:1::/64; host bits must be zero.',
      items: { kind: 'string', description: 'A prefix addr/len.', examples: ['10.20.1.0/24'] },
      minItems: 1,
    },
    'protocol-failure': {
      kind: 'string',
      description:
        'Protocol-aware flows (rules with modbus:, s7: or dnp3:) into this zone while no Picket daemon judges them: closed drops them, open lets them pass unchecked.',
      enum: ['closed', 'open'],
      default: 'closed',
    },
  },
  required: ['networks'],
};

const asset: ObjectShape = {
  kind: 'object',
  what: 'asset',
  description: 'A known device: its address, zone and role.',
  properties: {
    ip: { kind: 'string', description: 'The IPv4 or IPv6 address of the device (no prefix length).' },
    mac: {
      kind: 'string',
      description: 'The MAC address, aa:bb:cc:dd:ee:ff.',
      examples: ['00:1b:1b:12:34:56'],
    },
    zone: name('The zone the device sits in; its ip must lie inside the zone networks.'),
    role: {
      kind: 'string',
      description: 'A free-form role (plc, hmi, historian…) that groups can match on.',
    },
    critical: {
      kind: 'boolean',
      description: 'Safety-critical device: its production traffic must never be interrupted.',
      default: false,
    },
  },
  required: ['ip', 'zone'],
};

const group: ObjectShape = {
  kind: 'object',
  what: 'group',
  description: 'A network context group: listed assets, assets matched by role/zone, or both (union).',
  properties: {
    assets: names('Asset names in the group.', 'An asset name.'),
    match: {
      kind: 'object',
      what: 'match',
      description: 'Selects every asset with all of the given properties.',
      properties: {
        role: { kind: 'string', description: 'Assets with this role.' },
        zone: name('Assets in this zone.'),
      },
      requireAnyOf: { keys: ['role', 'zone'], code: 'missing-key' },
    },
  },
  requireAnyOf: { keys: ['assets', 'match'], code: 'missing-key' },
};

const service: ObjectShape = {
  kind: 'object',
  what: 'service',
  description: 'A port context group: transports and destination ports, and what protocol speaks there.',
  properties: {
    tcp: ports('TCP'),
    udp: ports('UDP'),
    protocol: {
      kind: 'string',
      description: 'The application protocol on these ports, for inspection and reports.',
      examples: ['modbus', 's7comm', 'dnp3', 'enip', 'bacnet', 'iec104', 'opcua'],
    },
  },
  requireAnyOf: { keys: ['tcp', 'udp'], code: 'service-without-ports' },
};

const schedule: ObjectShape = {
  kind: 'object',
  what: 'schedule',
  description: 'A weekly time window in a local time zone; "to" at or before "from" crosses midnight.',
  properties: {
    days: {
      kind: 'array',
      description: 'Days the window opens on (a window crossing midnight closes the next day).',
      items: {
        kind: 'string',
        description: 'A day of the week.',
        enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      },
      minItems: 1,
    },
    from: clock('Local opening time, HH:MM (24-hour).'),
    to: clock('Local closing time, HH:MM (24-hour); "24:00" is the end of the day.'),
    timezone: {
      kind: 'string',
      description: 'IANA time zone the times are in.',
      examples: ['America/Chicago', 'UTC'],
    },
  },
  required: ['days', 'from', 'to', 'timezone'],
};

const functionList = (description: string, example: string): Shape => ({
  kind: 'array',
  description,
  items: {
    kind: 'union',
    description: `A function name (${example}) or code.`,
    anyOf: [
      { kind: 'string', description: 'A function name.' },
      { kind: 'integer', description: 'A function code.', minimum: 0, maximum: 255 },
    ],
  },
  minItems: 1,
});

const addressRanges = (op: string): Shape => ({
  kind: 'array',
  description: `0-based addresses (coil or register numbers) ${op} may touch: single addresses or "from-to"; without it any.`,
  items: {
    kind: 'union',
    description: 'An address 0-65535 or a range "from-to".',
    anyOf: [
      { kind: 'integer', description: 'An address.', minimum: 0, maximum: 65535 },
      { kind: 'string', description: 'An address range "from-to".', pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$' },
    ],
  },
  minItems: 1,
});

const modbus: ObjectShape = {
  kind: 'object',
  what: 'modbus',
  description:
    'Modbus/TCP functions this rule allows, judged message by message in userspace (NFQUEUE). Without functions: the read functions (and the write functions if write is given).',
  properties: {
    functions: functionList('Allowed function codes.', 'read-holding-registers'),
    units: {
      kind: 'array',
      description: 'Allowed unit ids; without it any.',
      items: { kind: 'integer', description: 'A unit id.', minimum: 0, maximum: 255 },
      minItems: 1,
    },
    read: addressRanges('reads'),
    write: addressRanges('writes'),
  },
};

const s7: ObjectShape = {
  kind: 'object',
  what: 's7',
  description:
    'S7comm operations this rule allows, judged in userspace (NFQUEUE). Default: setup, read, szl.',
  properties: {
    allow: {
      kind: 'array',
      description: 'Allowed operations.',
      items: {
        kind: 'string',
        description: 'An S7 operation.',
        enum: [...S7_FUNCTIONS],
      },
      minItems: 1,
    },
  },
};

const dnp3: ObjectShape = {
  kind: 'object',
  what: 'dnp3',
  description:
    'DNP3 application functions this rule allows, judged in userspace (NFQUEUE). Default: confirm, read, delay-measure.',
  properties: {
    functions: functionList('Allowed application function codes.', 'direct-operate'),
  },
};

const rule: ObjectShape = {
  kind: 'object',
  what: 'rule',
  description: 'Allows traffic from one endpoint to another on the given services, optionally on a schedule.',
  labelKey: 'name',
  properties: {
    name: name('Unique rule name; it appears in the kernel ruleset and in every log line.'),
    from: name('Source: the name of an asset, group or zone.'),
    to: name('Destination: the name of an asset, group or zone.'),
    services: names('Services allowed, by name.', 'A service name.', 1),
    when: name('Schedule name; without it the rule always applies.'),
    modbus,
    s7,
    dnp3,
  },
  required: ['name', 'from', 'to', 'services'],
};

const enforcement: ObjectShape = {
  kind: 'object',
  what: 'enforcement',
  description: 'What happens to traffic outside the policy. Every key has a safe default.',
  properties: {
    mode: {
      kind: 'string',
      description:
        'enforce: block out-of-profile traffic; monitor: record what would be blocked, block nothing.',
      enum: ['enforce', 'monitor'],
      default: 'enforce',
    },
    unrecognized: {
      kind: 'string',
      description: 'Sources that are no asset: send their web traffic to the identity portal, or block them.',
      enum: ['portal', 'block'],
      default: 'block',
    },
    'out-of-profile': {
      kind: 'string',
      description:
        'Out-of-profile packets from an asset: quarantine the source, block the packet, or alert only.',
      enum: ['quarantine', 'block', 'alert'],
      default: 'quarantine',
    },
    quarantine: {
      kind: 'object',
      what: 'quarantine',
      description: 'How long a quarantine lasts and which assets are never quarantined.',
      properties: {
        duration: {
          kind: 'string',
          description: 'Quarantine length, e.g. 30s, 15m, 1h, 2d or 1h30m; between 10s and 30d.',
          pattern: '^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$',
          default: '1h',
        },
        never: names('Assets that are alerted on but never cut off (safety).', 'An asset name.'),
      },
    },
    l2: {
      kind: 'object',
      what: 'l2',
      description: 'Non-IP (layer 2) traffic on the bridge; IP is always decided by the rules.',
      properties: {
        allow: {
          kind: 'array',
          description: `EtherTypes that always pass: names (${Object.keys(L2_PROTOCOLS).join(', ')}) or numbers like 0x88b8. Default: ${DEFAULT_L2_ALLOW.join(', ')}.`,
          items: {
            kind: 'union',
            description: 'A protocol name or an EtherType number.',
            anyOf: [
              { kind: 'string', description: 'A protocol name or hex EtherType.' },
              { kind: 'integer', description: 'An EtherType.', minimum: 0x0600, maximum: 0xffff },
            ],
          },
        },
        default: {
          kind: 'string',
          description: 'What happens to other non-IP frames.',
          enum: ['accept', 'drop'],
          default: 'accept',
        },
      },
    },
  },
};

const durationText = (description: string, example: string): StringShape => ({
  kind: 'string',
  description,
  pattern: '^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$',
  examples: [example],
});

const roleMappings: Shape = {
  kind: 'named-map',
  what: 'role mapping',
  description: 'Directory group (cn or full DN) or RADIUS Filter-Id/Class value → portal role name.',
  values: { kind: 'string', description: 'A role under portal.roles.' },
  keyPattern: '^.{1,512}$',
};

const backendTimeout = durationText('How long to wait for the backend, e.g. 3s (default 3s).', '3s');

const ldapBackend: ObjectShape = {
  kind: 'object',
  what: 'ldap',
  description: 'An LDAP directory: the portal binds as the user, and maps the user’s groups to roles.',
  properties: {
    url: {
      kind: 'string',
      description: 'ldaps://host:636, or ldap://host:389 (with starttls: true for TLS).',
      examples: ['ldaps://10.0.0.5:636'],
    },
    starttls: {
      kind: 'boolean',
      description: 'Upgrade an ldap:// connection with StartTLS.',
      default: false,
    },
    ca: { kind: 'string', description: 'CA certificate file (PEM) that signs the directory’s certificate.' },
    'user-dn': {
      kind: 'string',
      description: 'Bind DN template; {user} is replaced by the DN-escaped user name.',
      examples: ['uid={user},ou=people,dc=plant,dc=example'],
    },
    'group-base': { kind: 'string', description: 'Where to search for the user’s groups.' },
    'group-filter': {
      kind: 'string',
      description: 'Group search filter; {dn} and {user} are filter-escaped.',
      examples: ['(|(member={dn})(uniqueMember={dn})(memberUid={user}))'],
    },
    timeout: backendTimeout,
    roles: roleMappings,
  },
  required: ['url', 'user-dn'],
};

const radiusBackend: ObjectShape = {
  kind: 'object',
  what: 'radius',
  description: 'A RADIUS server (PAP; Access-Challenge asks for a one-time code).',
  properties: {
    server: { kind: 'string', description: 'host:port (port default 1812).', examples: ['10.0.0.6:1812'] },
    'secret-file': { kind: 'string', description: 'File holding the shared secret (read at run time).' },
    timeout: backendTimeout,
    retries: {
      kind: 'integer',
      description: 'Retransmissions after a timeout (default 2).',
      minimum: 0,
      maximum: 10,
    },
    roles: roleMappings,
  },
  required: ['server', 'secret-file'],
};

const httpBackend: ObjectShape = {
  kind: 'object',
  what: 'http',
  description: 'An HTTP API: POST {user, password, source} → {allow, role?, message?}.',
  properties: {
    url: { kind: 'string', description: 'The endpoint, https:// (or http:// on loopback).' },
    'token-file': { kind: 'string', description: 'File holding a bearer token (read at run time).' },
    ca: { kind: 'string', description: 'CA certificate file (PEM) for the endpoint.' },
    timeout: backendTimeout,
  },
  required: ['url'],
};

const portalRole: ObjectShape = {
  kind: 'object',
  what: 'portal role',
  description: 'What a person with this role may reach after logging in, like a rule’s to and services.',
  properties: {
    to: names('Destinations: assets, groups or zones.', 'An asset, group or zone name.', 1),
    services: names('Services allowed, by name.', 'A service name.', 1),
    max: durationText('Longest permit for this role (at most grant.max).', '4h'),
  },
  required: ['to', 'services'],
};

const portal: ObjectShape = {
  kind: 'object',
  what: 'portal',
  description:
    'The identity portal: unrecognized devices’ web traffic is sent here; a person who logs in gets a time-bounded permit for their role.',
  properties: {
    listen: {
      kind: 'integer',
      description:
        'HTTPS port on the node (default 8443); plain HTTP is answered on the next port, DNS (UDP) on the one after.',
      minimum: 1,
      maximum: 65533,
    },
    certificate: {
      kind: 'object',
      what: 'certificate',
      description: 'Certificate and key files (PEM); without them the node generates a self-signed one.',
      properties: {
        cert: { kind: 'string', description: 'Certificate chain file (PEM).' },
        key: { kind: 'string', description: 'Private key file (PEM).' },
      },
      required: ['cert', 'key'],
    },
    grant: {
      kind: 'object',
      what: 'grant',
      description: 'How long permits last: the default, and the maximum anyone may ask for.',
      properties: {
        default: durationText('Permit length when the person does not choose (default 1h).', '1h'),
        max: durationText('Longest permit (default 8h).', '8h'),
      },
    },
    backends: {
      kind: 'array',
      description: 'Identity backends, tried in order; the first that knows the user decides.',
      items: {
        kind: 'object',
        what: 'backend',
        labelKey: 'name',
        description: 'One identity backend: a name and exactly one of ldap, radius, http.',
        properties: {
          name: name('Backend name, shown in the audit trail.'),
          ldap: ldapBackend,
          radius: radiusBackend,
          http: httpBackend,
        },
        required: ['name'],
        requireAnyOf: { keys: ['ldap', 'radius', 'http'], code: 'missing-key' },
      },
      minItems: 1,
    },
    roles: { kind: 'named-map', what: 'portal role', description: 'Roles by name.', values: portalRole },
  },
  required: ['backends', 'roles'],
};

/** The whole policy file. */
export const policyShape: ObjectShape = {
  kind: 'object',
  what: 'policy',
  description: 'A Picket policy: zones, assets and the traffic allowed between them.',
  properties: {
    version: { kind: 'integer', description: 'Policy language version; must be 1.', minimum: 1, maximum: 1 },
    site: { kind: 'string', description: 'Name of the site this policy protects.' },
    zones: { kind: 'named-map', what: 'zone', description: 'Network segments by name.', values: zone },
    assets: { kind: 'named-map', what: 'asset', description: 'Known devices by name.', values: asset },
    groups: {
      kind: 'named-map',
      what: 'group',
      description: 'Network context groups by name.',
      values: group,
    },
    services: {
      kind: 'named-map',
      what: 'service',
      description: 'Port context groups by name.',
      values: service,
    },
    schedules: {
      kind: 'named-map',
      what: 'schedule',
      description: 'Time windows by name.',
      values: schedule,
    },
    rules: { kind: 'array', description: 'What is allowed; everything else is out of profile.', items: rule },
    enforcement,
    portal,
    decoys: decoysShape,
  },
  required: ['version', 'site'],
};
