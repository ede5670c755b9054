// The web UI's single sign-on (ADR 17): the OIDC authorization-code flow with PKCE (RFC 7636,
// S256) against the issuer the cluster's API server trusts. Here are its pure parts: the
// verifier and its challenge, the state and nonce, the authorization URL, reading the
// callback and the ID token's claims, and the logins in flight (each used once, for ten
// minutes, a bounded number, bound to the browser that started it by a cookie). The I/O is in
// oidc-issuer.ts and sso-routes.ts. The ID token is not verified here: the API server judges
// it (TokenReview) exactly as a pasted token; its nonce and expiry count once it accepted it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Starts a login: redirects to the issuer. */
export const SSO_START_PATH = '/ui/auth/sso';
/** Where the issuer sends the browser back, with `code` and `state`. */
export const SSO_CALLBACK_PATH = '/ui/auth/callback';
/** The cookie that binds a login in flight to the browser that started it. */
export const SSO_COOKIE = 'keelson_sso';
/** The login page's query parameter that names why a login failed. */
export const SSO_ERROR_PARAM = 'sso_error';

/**
 * Why a single sign-on failed, as the login page is told (`/ui/?sso_error=<code>`; never a
 * token or a code): the issuer refused or the user cancelled; the callback's state is
 * unknown, used, expired or from another browser; the issuer failed (discovery, token
 * endpoint); the ID token's nonce is not the login's; the cluster refused the ID token; the
 * cluster could not be asked.
 */
export const SSO_ERRORS = ['denied', 'state', 'provider', 'nonce', 'rejected', 'cluster'] as const;
export type SsoErrorCode = (typeof SSO_ERRORS)[number];

export class SsoError extends Error {
  readonly code: SsoErrorCode;
  /** @param message for the log: never a token, code or verifier */
  constructor(code: SsoErrorCode, message: string) {
    super(message);
    this.name = 'SsoError';
    this.code = code;
  }
}

/** 256 random bits, base64url: a state, nonce, binding or PKCE verifier (43 characters). */
export function randomValue(random: (size: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

/** The S256 code challenge of a PKCE verifier: base64url(SHA-256(verifier)). */
export function codeChallenge(verifier: string): string {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
    throw new RangeError('a PKCE verifier is 43 to 128 unreserved characters');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export interface AuthorizeRequest {
  /** The issuer's authorization_endpoint. */
  readonly endpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/** The authorization endpoint's URL for a code-flow login with PKCE S256 (its own query kept). */
export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.endpoint);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', request.clientId);
  params.set('redirect_uri', request.redirectUri);
  params.set('scope', request.scopes.join(' '));
  params.set('state', request.state);
  params.set('nonce', request.nonce);
  params.set('code_challenge', codeChallenge(request.verifier));
  params.set('code_challenge_method', 'S256');
  return url.toString();
}

export type Callback =
  | { readonly kind: 'code'; readonly code: string; readonly state: string }
  | { readonly kind: 'error'; readonly error: SsoErrorCode; readonly state?: string; readonly detail: string };

const MAX_PARAM = 4096;

/** Reads the callback's query: a code and a state, or the issuer's error (RFC 6749, 4.1.2.1). */
export function readCallback(params: URLSearchParams): Callback {
  const one = (name: string) => {
    const values = params.getAll(name);
    return values.length === 1 && values[0]!.length > 0 && values[0]!.length <= MAX_PARAM ? values[0] : undefined;
  };
  const state = one('state');
  const error = params.get('error');
  if (error !== null) {
    // The error code is ASCII from a fixed list (RFC 6749): logged, but kept short and plain.
    const detail = /^[\w.-]{1,64}$/.test(error) ? error : 'unreadable';
    return { kind: 'error', error: error === 'access_denied' ? 'denied' : 'provider', state, detail };
  }
  const code = one('code');
  if (code === undefined || state === undefined)
    return { kind: 'error', error: 'state', state, detail: 'the callback has no single code and state' };
  return { kind: 'code', code, state };
}

export interface IdTokenClaims {
  readonly nonce?: string;
  /** Seconds since the epoch. */
  readonly exp?: number;
}

/** The claims of an ID token (a JWS in compact form), unverified: the API server verifies it. */
export function idTokenClaims(idToken: string): IdTokenClaims {
  const parts = idToken.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new SsoError('provider', 'the token endpoint answered an id_token that is not a signed JWT');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new SsoError('provider', 'the id_token payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new SsoError('provider', 'the id_token payload is not an object');
  const { nonce, exp } = payload as { nonce?: unknown; exp?: unknown };
  return {
    nonce: typeof nonce === 'string' ? nonce : undefined,
    exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined,
  };
}

/** SsoError('nonce') unless the ID token carries the login's nonce. */
export function checkNonce(claims: IdTokenClaims, expected: string): void {
  if (claims.nonce === undefined || !sameText(claims.nonce, expected))
    throw new SsoError('nonce', "the id_token's nonce is not the login's");
}

export interface PendingLogin {
  readonly verifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  /** The value of the browser's SSO cookie. */
  readonly binding: string;
  readonly expiresAt: number;
}

export interface PendingLoginsOptions {
  /** @default 10 minutes */
  readonly ttlMs?: number;
  /** Logins in flight kept at most; the oldest is dropped for a new one. @default 1000 */
  readonly max?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** The logins in flight, by state. */
export class PendingLogins {
  readonly #logins = new Map<string, PendingLogin>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #clock: () => number;

  constructor(options: PendingLoginsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#max = options.max ?? 1000;
    this.#clock = options.clock ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  get size(): number {
    return this.#logins.size;
  }

  /** A new login for `redirectUri`: its state, and what the callback needs. */
  begin(redirectUri: string): { readonly state: string; readonly login: PendingLogin } {
    const now = this.#clock();
    for (const [state, login] of this.#logins) if (login.expiresAt <= now) this.#logins.delete(state);
    const state = randomValue();
    const login: PendingLogin = {
      verifier: randomValue(),
      nonce: randomValue(),
      redirectUri,
      binding: randomValue(),
      expiresAt: now + this.#ttlMs,
    };
    this.#logins.set(state, login);
    while (this.#logins.size > this.#max) this.#logins.delete(this.#logins.keys().next().value!);
    return { state, login };
  }

  /**
   * The login of `state`, once: SsoError('state') when it is unknown, used, expired, or was
   * started by another browser (`binding`, its cookie, differs). A refused state is used up too.
   */
  take(state: string | undefined, binding: string | undefined): PendingLogin {
    const login = state === undefined ? undefined : this.#logins.get(state);
    if (!login) throw new SsoError('state', 'the callback names no login in flight (unknown or used state)');
    this.#logins.delete(state!);
    if (login.expiresAt <= this.#clock()) throw new SsoError('state', 'the login took longer than allowed');
    if (binding === undefined || !sameText(binding, login.binding))
      throw new SsoError('state', 'the callback came to another browser than the one that started the login');
    return login;
  }

  /** Forgets the login of `state` (the issuer answered an error for it). */
  drop(state: string | undefined): void {
    if (state !== undefined) this.#logins.delete(state);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
