// MAC addresses: EUI-48 text in the usual spellings → canonical lower-case
// `aa:bb:cc:dd:ee:ff`. Pure.

const colonOrDash = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;
const ciscoDots = /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/;

/** Parses `aa:bb:cc:dd:ee:ff`, `aa-bb-…` or `aabb.ccdd.eeff`; undefined when malformed. */
export function parseMac(text: string): string | undefined {
  let hex: string;
  if (colonOrDash.test(text)) hex = text.replace(/[:-]/g, '');
  else if (ciscoDots.test(text)) hex = text.replace(/\./g, '');
  else return undefined;
  return hex.toLowerCase().match(/../g)!.join(':');
}

/** True for a multicast or broadcast MAC (I/G bit set), which no single asset can own. */
export function isGroupMac(mac: string): boolean {
  return (Number.parseInt(mac.slice(0, 2), 16) & 1) === 1;
}
