// The web UI's sessions (ADR 17): the browser holds only a random session id in an HttpOnly,
// SameSite=Strict cookie; the bearer token it logged in with stays here, in memory, with the
// caller the TokenReview named and a second random value the page sends back as
// X-Keelson-CSRF on every request that changes something. Sessions last 8 hours from login (a
// single sign-on's no longer than its ID token); the oldest go first when there are too many.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AuthError, type Caller, type KubernetesAuth } from '../http/kubernetes-auth.ts';

export const SESSION_COOKIE = 'keelson_session';
/** The request header (lower case, as Node gives headers) that carries the session's CSRF value. */
export const CSRF_HEADER = 'x-keelson-csrf';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface Session {
  readonly id: string;
  readonly csrf: string;
  /** The bearer token the session logged in with; never sent back to the browser. */
  readonly token: string;
  readonly caller: Caller;
  readonly expiresAt: number;
}

export interface SessionStoreOptions {
  /** @default 8 hours */
  readonly ttlMs?: number;
  /** Sessions kept at most; the oldest is dropped for a new one. @default 10000 */
  readonly maxSessions?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

export class SessionStore {
  /** Id → session; insertion order is login order. */
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #clock: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.#max = options.maxSessions ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * A new session for a token the cluster accepted (as `caller`), ending after the TTL or at
   * `notAfter` (milliseconds since the epoch: an ID token's expiry), whichever comes first.
   */
  create(token: string, caller: Caller, notAfter = Infinity): Session {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      token,
      caller,
      expiresAt: Math.min(this.#clock() + this.#ttlMs, notAfter),
    };
    this.#sessions.set(session.id, session);
    while (this.#sessions.size > this.#max) this.#sessions.delete(this.#sessions.keys().next().value!);
    return session;
  }

  /** The live session with this id; an expired one is dropped. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#clock()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  /** The session a request's cookie names, if it is live. */
  fromRequest(req: IncomingMessage): Session | undefined {
    return this.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
  }

  /** Drops the expired sessions (the store also drops each one when it is next asked for). */
  sweep(): void {
    const now = this.#clock();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
  }
}

/** The cookies of a `Cookie` header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The Set-Cookie value of a session cookie; `maxAgeSeconds` 0 clears it. */
export function sessionCookie(
  id: string,
  options: { readonly maxAgeSeconds: number; readonly secure: boolean },
): string {
  const attributes = [
    `${SESSION_COOKIE}=${id}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** Whether the request came over TLS: to this server, or to a proxy in front that says so. */
export function isTls(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Whether the request's X-Keelson-CSRF header equals the session's value (in constant time). */
export function hasCsrf(req: IncomingMessage, session: Session): boolean {
  const header = req.headers[CSRF_HEADER];
  const given = Buffer.from(typeof header === 'string' ? header : '', 'utf8');
  const expected = Buffer.from(session.csrf, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The caller of an API request: `Authorization: Bearer <token>` as before, or else the
 * session cookie, whose token is then checked exactly like a bearer token (a TokenReview,
 * cached for a minute). With the cookie, a method other than GET and HEAD must carry the
 * session's X-Keelson-CSRF value.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  auth: Pick<KubernetesAuth, 'authenticate'>,
  sessions: SessionStore | undefined,
): Promise<Caller> {
  if (req.headers.authorization !== undefined || !sessions) return auth.authenticate(req.headers.authorization);
  const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (id === undefined) return auth.authenticate(undefined);
  const session = sessions.get(id);
  if (!session) throw new AuthError(401, 'the session has expired or is unknown; log in again');
  if (!SAFE_METHODS.has(req.method ?? 'GET') && !hasCsrf(req, session))
    throw new AuthError(403, 'missing or wrong X-Keelson-CSRF header');
  try {
    return await auth.authenticate(`Bearer ${session.token}`);
  } catch (err) {
    // The token expired or was revoked: the session goes with it.
    if (err instanceof AuthError && err.status === 401) sessions.delete(session.id);
    throw err;
  }
}
