// Shapes shared by the decoy personalities and the drivers that host them: a
// decoy's profile and identity, and the byte conversation each service holds.
// Pure types, no code.

/** The kinds of device a decoy can pretend to be. */
export type DecoyProfile =
  | 's7-300'
  | 'modicon-m340'
  | 'controllogix'
  | 'bacnet-controller'
  | 'iec104-rtu'
  | 'dnp3-outstation'
  | 'engineering-workstation';

/** One decoy's consistent identity across all of its protocols. */
export interface DecoyIdentity {
  readonly profile: DecoyProfile;
  readonly vendor: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly plantName: string;
  readonly hostname: string;
  /** Lower-case aa:bb:cc:dd:ee:ff with the vendor's real OUI, locally unique per index. */
  readonly mac: string;
  /** Per-protocol extras (order number, vendor id, device instance, ASDU address, ...). */
  readonly fields: Readonly<Record<string, string | number>>;
}

/** What a peer did to a decoy, in words, with how bad it is. */
export interface TouchNote {
  readonly protocol: string;
  readonly what: string;
  readonly severity: 'low' | 'medium' | 'high' | 'critical';
}

/** The decoy's answer to some input: bytes to send, notes to report, and whether to close. */
export interface Exchange {
  readonly replies: readonly Uint8Array[];
  readonly notes: readonly TouchNote[];
  readonly close: boolean;
}

/**
 * One connection (TCP: any chunking of the stream, reassembled inside with a
 * bounded buffer) or one UDP peer (each call is one datagram).
 */
export interface Conversation {
  receive(bytes: Uint8Array): Exchange;
}

/** One listening service of a decoy. */
export interface DecoyService {
  readonly transport: 'tcp' | 'udp';
  readonly port: number;
  readonly protocol: string;
  /** What the service says first on a new TCP connection (banners); empty for most ICS protocols. */
  greeting(): Exchange;
  open(): Conversation;
}
