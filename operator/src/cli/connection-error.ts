// What a failed connection means, for the CLI's messages: the error code of the socket or the
// TLS handshake (on the error itself, or on its `cause` as fetch reports it: "fetch failed"
// says nothing), what it means and what to do. Classified by code, never by message text.

/** The code of a connection error (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...), or undefined. */
export function connectionErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code in HINTS || /^(ERR_TLS_|ERR_SSL_|UND_ERR_)/.test(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const TLS_HINT =
  "the server's certificate is not signed by a CA this client trusts: check the kubeconfig's certificate-authority(-data) for this server (for --server, NODE_EXTRA_CA_CERTS names a CA file)";

const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens there: is the cluster (or the server) running, and is the address right?',
  ECONNABORTED: 'the connection was aborted: check the network or a proxy in between',
  EPIPE: 'the server closed the connection: is it an HTTPS server, and is a proxy in between?',
  ECONNRESET: 'the server closed the connection: is it an HTTPS server, and is a proxy in between?',
  ENOTFOUND: 'the host name does not resolve: check the address',
  EAI_AGAIN: 'the host name could not be resolved now: check the network and DNS',
  ETIMEDOUT: 'no answer in time: the server is down or unreachable from here',
  EHOSTUNREACH: 'the host is unreachable from here: check the network or VPN',
  ENETUNREACH: 'the network is unreachable from here: check the network or VPN',
  UND_ERR_CONNECT_TIMEOUT: 'no answer in time: the server is down or unreachable from here',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: TLS_HINT,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: TLS_HINT,
  SELF_SIGNED_CERT_IN_CHAIN: TLS_HINT,
  DEPTH_ZERO_SELF_SIGNED_CERT: TLS_HINT,
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is not for this host name: check the address",
  EPROTO: 'the TLS handshake failed: is it an HTTPS server?',
};

/**
 * `cannot reach <what> (<url>): <CODE>: <meaning>` for a connection error, or undefined for
 * any other error (an HTTP answer, a bug), which the caller describes itself.
 */
export function describeConnectionError(err: unknown, what: string, url: string | undefined): string | undefined {
  const code = connectionErrorCode(err);
  if (!code) return undefined;
  const hint = HINTS[code] ?? 'the connection failed';
  return `cannot reach ${what}${url ? ` (${url})` : ''}: ${code}: ${hint}`;
}
