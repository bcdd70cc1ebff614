// The LDAP Password Policy response control (draft-behera-ldap-password-policy
// §6.2, OID 1.3.6.1.4.1.42.2.27.8.5.1), as slapd's ppolicy overlay sends it
// on a failed bind: tells a locked account or an expired password apart from a
// wrong password. Pure.

/** The control's OID, sent empty on the bind request and answered by the server. */
export const passwordPolicyOid = '1.3.6.1.4.1.42.2.27.8.5.1';

/** The PasswordPolicyResponseValue's `error` values (§6.2). */
export const passwordPolicyErrors = [
  'passwordExpired',
  'accountLocked',
  'changeAfterReset',
  'passwordModNotAllowed',
  'mustSupplyOldPassword',
  'insufficientPasswordQuality',
  'passwordTooShort',
  'passwordTooYoung',
  'passwordInHistory',
] as const;

export type PasswordPolicyError = (typeof passwordPolicyErrors)[number] | 'unknown';

/** Reads one BER length at `offset`: [length, offset after it], or undefined when truncated. */
function readLength(bytes: Uint8Array, offset: number): [number, number] | undefined {
  const first = bytes[offset];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, offset + 1];
  const count = first & 0x7f;
  if (count === 0 || count > 3 || offset + 1 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 1 + i] as number);
  return [length, offset + 1 + count];
}

/**
 * The `error` of a PasswordPolicyResponseValue
 * (SEQUENCE { warning [0] … OPTIONAL, error [1] ENUMERATED OPTIONAL }),
 * undefined when it has none or the value is malformed.
 */
export function passwordPolicyError(value: Uint8Array): PasswordPolicyError | undefined {
  if (value[0] !== 0x30) return undefined;
  const sequence = readLength(value, 1);
  if (sequence === undefined) return undefined;
  const [length, start] = sequence;
  const end = Math.min(start + length, value.length);
  let offset = start;
  while (offset < end) {
    const tag = value[offset] as number;
    const element = readLength(value, offset + 1);
    if (element === undefined) return undefined;
    const [elementLength, contentStart] = element;
    if (contentStart + elementLength > end) return undefined;
    if (tag === 0x81 && elementLength >= 1 && elementLength <= 2) {
      let code = 0;
      for (let i = 0; i < elementLength; i++) code = code * 256 + (value[contentStart + i] as number);
      return passwordPolicyErrors[code] ?? 'unknown';
    }
    offset = contentStart + elementLength;
  }
  return undefined;
}
