// The IEEE MAC address registry as the Debian `ieee-data` package ships it
// (/usr/share/ieee-data/oui.csv for MA-L, mam.csv for MA-M, oui36.csv for
// MA-S), parsed from its CSV text into prefix → organisation, and the lookup
// of a MAC's vendor by its longest registered prefix. The CLI reads the files
// and passes the text in. CSV text → registry; MAC → vendor. Pure.

/** Upper-case hex prefix (6, 7 or 9 digits) → organisation name. */
export type OuiRegistry = ReadonlyMap<string, string>;

/** Splits one CSV line, honouring double quotes ("a, b" and "" escapes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Adds the assignments of one registry CSV (`Registry,Assignment,Organization Name,…`) to `into`. */
export function parseOuiCsv(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  for (const line of text.split(/\r?\n/)) {
    const [registry, assignment, organisation] = csvFields(line);
    if (registry === undefined || assignment === undefined || organisation === undefined) continue;
    if (!/^MA-[LMS]$/.test(registry) || !/^[0-9A-Fa-f]{6,9}$/.test(assignment)) continue;
    into.set(assignment.toUpperCase(), organisation.trim());
  }
  return into;
}

/** The organisation a MAC (`aa:bb:cc:dd:ee:ff`) is registered to, longest prefix first. */
export function vendorOf(registry: OuiRegistry, mac: string): string | undefined {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return registry.get(hex.slice(0, 9)) ?? registry.get(hex.slice(0, 7)) ?? registry.get(hex.slice(0, 6));
}
