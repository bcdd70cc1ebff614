// Turns a connection failure (Node socket and TLS errors) into one line for
// the operator saying what failed and what to fix. Never includes a password
// or a secret: it sees only the error and the server's URL. Pure.

/** TLS verification failures (Node's codes) and what usually fixes them. */
const tlsProblems: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is not signed by a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted',
  CERT_SIGNATURE_FAILURE: 'its certificate signature does not verify',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name the host in the URL',
};

/** One operator-facing line: `<url>: <what> failed: <why>; <what to do>`. */
export function describeConnectionError(error: unknown, url: string, step: string): string {
  const err = error as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(error);
  const tls = tlsProblems[code];
  if (tls !== undefined) {
    return `${url}: TLS certificate not accepted (${code}): ${tls}; set \`ca:\` to the PEM file of the CA that signed the server's certificate, and use the name or address that certificate carries`;
  }
  if (code === 'ECONNREFUSED')
    return `${url}: connection refused during ${step}: check the host and port, and that the server runs`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `${url}: host name does not resolve (${code}): fix the URL or DNS`;
  if (
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    /timed? ?out/i.test(message)
  ) {
    return `${url}: no answer during ${step} (${code || 'timeout'}): check the route and firewalls to the server`;
  }
  if (code === 'ECONNRESET' || /closed|socket hang up/i.test(message)) {
    return `${url}: connection closed during ${step}: if the server expects TLS use ldaps:// or starttls (or https), and check its logs`;
  }
  if (/ssl|tls|certificate|wrong version/i.test(`${code} ${message}`)) {
    return `${url}: TLS failed during ${step} (${code || message}): check that the URL's scheme matches what the server speaks, and the CA`;
  }
  return `${url}: ${step} failed: ${code ? `${code} ` : ''}${message}`;
}
