// Turning what went wrong talking to a Git server into a reason and a sentence a user can
// act on. The adapter observes (HTTP status, error code, message); this decides the words.
// Messages never carry credentials: URLs are stripped of any user:password@ part.

/** What the adapter saw when a Git operation failed. */
export interface GitFailureObservation {
  readonly httpStatus?: number;
  /** A Node system error code (ECONNREFUSED) or an isomorphic-git / Keelson error code. */
  readonly code?: string;
  readonly message: string;
}

export type GitFailureReason =
  | 'AuthenticationFailed'
  | 'RepositoryNotFound'
  | 'HostUnreachable'
  | 'RefNotFound'
  | 'InvalidRef'
  | 'Timeout'
  | 'TLSVerificationFailed'
  | 'CredentialsInvalid'
  | 'FetchFailed';

export interface GitFailure {
  readonly reason: GitFailureReason;
  readonly message: string;
  /** False when retrying cannot help until the spec changes (the object is Stalled). */
  readonly retryable: boolean;
}

const unreachable = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
]);
const tls = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Classifies a failed Git operation against `url` into a reason and an actionable message. */
export function describeGitFailure(url: string, seen: GitFailureObservation): GitFailure {
  const where = redactUrl(url);
  const detail = redactText(seen.message);
  if (seen.code === 'RefNotFoundError')
    return { reason: 'RefNotFound', message: `${detail} (${where})`, retryable: true };
  if (seen.code === 'InvalidRefError')
    return { reason: 'InvalidRef', message: `${detail}: fix spec.ref`, retryable: false };
  if (seen.code === 'CredentialsInvalid') return { reason: 'CredentialsInvalid', message: detail, retryable: true };
  if (seen.httpStatus === 401 || seen.httpStatus === 403) {
    return {
      reason: 'AuthenticationFailed',
      message: `authentication failed for ${where} (HTTP ${seen.httpStatus}): check the username and password or token in spec.secretRef`,
      retryable: true,
    };
  }
  if (seen.httpStatus === 404) {
    return {
      reason: 'RepositoryNotFound',
      message: `repository not found: ${where} (HTTP 404): check spec.url`,
      retryable: true,
    };
  }
  if (seen.code === 'ETIMEDOUT' || seen.code === 'Timeout' || seen.code === 'ABORT_ERR') {
    return {
      reason: 'Timeout',
      message: `timed out talking to ${where}: the server is slow or unreachable; spec.timeout sets the limit`,
      retryable: true,
    };
  }
  if (seen.code !== undefined && unreachable.has(seen.code)) {
    return {
      reason: 'HostUnreachable',
      message: `cannot reach ${hostOf(url)} (${seen.code}): the Git server is down or the address is wrong`,
      retryable: true,
    };
  }
  if (seen.code !== undefined && tls.has(seen.code)) {
    return {
      reason: 'TLSVerificationFailed',
      message: `the TLS certificate of ${hostOf(url)} is not trusted (${seen.code}): add the CA bundle as ca.crt to spec.secretRef`,
      retryable: true,
    };
  }
  const status = seen.httpStatus === undefined ? '' : ` (HTTP ${seen.httpStatus})`;
  return { reason: 'FetchFailed', message: `fetching ${where} failed${status}: ${detail}`, retryable: true };
}

/** Removes `user:password@` from every URL in a piece of text. */
export function redactText(text: string): string {
  return text.replace(/(\w+:\/\/)[^/\s@]+@/g, '$1');
}

export function redactUrl(url: string): string {
  return redactText(url);
}

function hostOf(url: string): string {
  const m = /^\w+:\/\/(?:[^/@]*@)?([^/]+)/.exec(url);
  return m ? m[1]! : redactUrl(url);
}
