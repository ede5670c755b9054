// Why installing a deploy repository's own npm dependencies failed. The reason is typed so that
// callers decide on it (retry later, tell the repository's authors) and never on message text.

/** PascalCase, usable as a condition reason. */
export type DependencyFailureReason =
  /** package.json declares dependencies but there is no package-lock.json beside it. */
  | 'NoLockfile'
  /** package.json, package-lock.json or .npmrc cannot be used as written (not JSON, lockfileVersion 1, …). */
  | 'Invalid'
  /** package.json and package-lock.json disagree: what `npm ci` calls "not in sync". */
  | 'LockfileMismatch'
  /** A dependency the registry alone cannot reproduce: file:, link:, git, workspaces, no integrity. */
  | 'NotReproducible'
  /** A tarball does not match the integrity the lockfile pins. */
  | 'IntegrityMismatch'
  /** The registry wants a token, or refused the one given (401, 403). */
  | 'Unauthorized'
  /** The registry does not have a package or a version (404: removed, unpublished, or a typo). */
  | 'NotFound'
  /** The registry cannot be reached or failed (connection refused, timeout, DNS, 5xx). */
  | 'Unavailable'
  /** Anything else: the local disk, a bug. */
  | 'Failed';

/**
 * An install that failed. It carries no `cause`: the errors of npm's libraries hold request details,
 * and nothing from them may reach a log but what the message says (never a token).
 */
export class DependencyInstallError extends Error {
  override readonly name = 'DependencyInstallError';
  readonly reason: DependencyFailureReason;
  /** Trying again later may work (the registry was down); the repository need not change. */
  readonly unavailable: boolean;
  constructor(reason: DependencyFailureReason, message: string) {
    super(message);
    this.reason = reason;
    this.unavailable = reason === 'Unavailable';
  }
}
