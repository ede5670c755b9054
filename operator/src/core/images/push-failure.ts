// What went wrong cloning or pushing a deploy repository for `keelson set-image`, in words
// for the CI log, classified by HTTP status and error code (never by message text). Every
// message passes through scrubSecrets: the token never reaches the output, in any form.
import { redactText } from '../source/git-failure.ts';

export interface PushFailureObservation {
  readonly httpStatus?: number;
  /** A Node system error code (ECONNREFUSED), an isomorphic-git code (NotFoundError) or a DOMException name (TimeoutError). */
  readonly code?: string;
  readonly message: string;
}

export type PushFailureReason =
  | 'AuthenticationFailed'
  | 'RepositoryNotFound'
  | 'BranchNotFound'
  | 'ImagesFileNotFound'
  | 'HostUnreachable'
  | 'Timeout'
  | 'TLSVerificationFailed'
  | 'PushRejected'
  | 'GitFailed';

export interface PushFailure {
  readonly reason: PushFailureReason;
  readonly message: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
]);
const TLS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Classifies a failure talking to `url` about `branch`; the message is scrubbed of `secrets`. */
export function describePushFailure(
  url: string,
  branch: string,
  seen: PushFailureObservation,
  secrets: readonly string[],
): PushFailure {
  const where = redactText(url);
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const detail = scrub(seen.message);
  const result = (reason: PushFailureReason, message: string): PushFailure => ({ reason, message: scrub(message) });
  if (seen.httpStatus === 401 || seen.httpStatus === 403) {
    return result(
      'AuthenticationFailed',
      `authentication failed for ${where} (HTTP ${seen.httpStatus}): check KEELSON_GIT_TOKEN (or GITHUB_TOKEN) and KEELSON_GIT_USERNAME, and that the token may push`,
    );
  }
  if (seen.httpStatus === 404)
    return result('RepositoryNotFound', `repository not found: ${where} (HTTP 404): check --repo`);
  if (seen.code === 'NotFoundError' || seen.code === 'BranchNotFound') {
    return result('BranchNotFound', `${where} has no branch "${branch}": check --branch`);
  }
  if (seen.code === 'TimeoutError' || seen.code === 'ETIMEDOUT' || seen.code === 'ABORT_ERR') {
    return result('Timeout', `timed out talking to ${where}`);
  }
  if (seen.code !== undefined && UNREACHABLE.has(seen.code)) {
    return result(
      'HostUnreachable',
      `cannot reach ${hostOf(url)} (${seen.code}): the Git server is down or --repo is wrong`,
    );
  }
  if (seen.code !== undefined && TLS.has(seen.code)) {
    return result(
      'TLSVerificationFailed',
      `the TLS certificate of ${hostOf(url)} is not trusted (${seen.code}): point NODE_EXTRA_CA_CERTS at its CA bundle`,
    );
  }
  if (seen.code === 'PushRejectedError' || seen.code === 'GitPushError') {
    return result('PushRejected', `${where} refused the push to "${branch}": ${detail}`);
  }
  const status = seen.httpStatus === undefined ? '' : ` (HTTP ${seen.httpStatus})`;
  return result('GitFailed', `talking to ${where} failed${status}: ${detail}`);
}

/**
 * Removes every secret from text: as it is, URL-encoded, base64 (alone and as the
 * `user:secret` of a Basic header, whatever the user), and any `user:password@` of a URL.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactText(text);
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const forms = new Set([secret, encodeURIComponent(secret), base64(secret)]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.replaceAll(form, '<redacted>');
    // A Basic header: base64 of "user:secret" for any user; scrub every base64 run that decodes to one.
    out = out.replace(/[A-Za-z0-9+/]{8,}={0,2}/g, (run) => (decodeBase64(run).includes(secret) ? '<redacted>' : run));
  }
  return out;
}

function base64(text: string): string {
  return btoa(String.fromCodePoint(...new TextEncoder().encode(text)));
}

function decodeBase64(run: string): string {
  try {
    const binary = atob(run.padEnd(run.length + ((4 - (run.length % 4)) % 4), '='));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.codePointAt(0)!));
  } catch {
    return '';
  }
}

function hostOf(url: string): string {
  const m = /^\w+:\/\/(?:[^/@]*@)?([^/]+)/.exec(url);
  return m ? m[1]! : redactText(url);
}
