// The decoy namespace's own filter: a decoy's address answers only on the
// ports of its own profile. The decoy server listens on 0.0.0.0 per port, so
// without this an S7-300 decoy would complete a TCP handshake on 502 because a
// Modicon decoy listens there — a port scan would see a device no real PLC
// is. Other ports get what a real device's stack gives: a TCP reset, an ICMP
// port unreachable. Decoys (address + services) → nft text for the namespace. Pure.

/** A decoy's address and the ports its profile serves. */
export interface DecoyPorts {
  readonly ip: string;
  readonly services: readonly { readonly transport: 'tcp' | 'udp'; readonly port: number }[];
}

/** The namespace's table, replacing any earlier one in one transaction. */
export const OPEN_PORTS_TABLE = 'picketdecoy';

/** nft text that makes the namespace's filter allow exactly `decoys`' services. */
export function openPortsRuleset(decoys: readonly DecoyPorts[]): string {
  const elements = decoys.flatMap((d) => d.services.map((s) => `${d.ip} . ${s.transport} . ${s.port}`));
  return [
    `table inet ${OPEN_PORTS_TABLE}`,
    `delete table inet ${OPEN_PORTS_TABLE}`,
    `table inet ${OPEN_PORTS_TABLE} {`,
    '\tset open4 {',
    '\t\ttype ipv4_addr . inet_proto . inet_service',
    ...(elements.length > 0 ? [`\t\telements = { ${elements.join(', ')} }`] : []),
    '\t}',
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy accept;',
    '\t\tmeta l4proto { tcp, udp } ip daddr . meta l4proto . th dport @open4 accept',
    '\t\tmeta l4proto tcp reject with tcp reset',
    '\t\tmeta l4proto udp reject',
    '\t}',
    '}',
    '',
  ].join('\n');
}
