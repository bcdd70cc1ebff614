// Layer 2 protocols an operator may name in `enforcement.l2.allow`, and the
// default allow list. IPv4 (0x0800) and IPv6 (0x86dd) are not listed: IP always
// goes on to the inet table, where the rules decide. Pure data.

/** EtherTypes by the names operators use. */
export const L2_PROTOCOLS: Readonly<Record<string, number>> = {
  arp: 0x0806,
  rarp: 0x8035,
  vlan: 0x8100,
  qinq: 0x88a8,
  ethercat: 0x88a4,
  profinet: 0x8892,
  goose: 0x88b8,
  gse: 0x88b9,
  sv: 0x88ba,
  lldp: 0x88cc,
  mrp: 0x88e3,
  ptp: 0x88f7,
  hsr: 0x892f,
  'prp-supervision': 0x88fb,
};

/**
 * Allowed when the policy says nothing: address resolution and the industrial L2
 * protocols a plant stops without (PROFINET RT, IEC 61850 GOOSE and sampled values,
 * LLDP for topology, PTP for time). VLAN-tagged frames are not in it; with the
 * default `accept` they pass anyway.
 */
export const DEFAULT_L2_ALLOW: readonly string[] = ['arp', 'profinet', 'goose', 'sv', 'lldp', 'ptp'];

/** EtherTypes below this are 802.3 length fields, not protocol numbers. */
export const MIN_ETHERTYPE = 0x0600;

/** EtherTypes that IP uses, which the inet table handles. */
export const IP_ETHERTYPES: ReadonlySet<number> = new Set([0x0800, 0x86dd]);
