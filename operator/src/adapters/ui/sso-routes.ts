// The web UI's single-sign-on routes (ADR 17; the flow's pure parts are in sso.ts):
//   GET /ui/auth/sso       starts a login: its state, nonce and PKCE verifier stay here (ten
//                          minutes, used once), an HttpOnly SameSite=Lax cookie binds it to the
//                          browser, and the browser goes to the issuer's authorization endpoint.
//   GET /ui/auth/callback  the state is checked and used up, the code exchanged with the verifier
//                          for the ID token, its nonce checked, and the ID token authenticated as a
//                          pasted token is (TokenReview: the API server judges signature, issuer,
//                          audience and expiry); then a session as for a token login, ending no
//                          later than the ID token, and the browser goes to /ui/.
// A failure sends the browser to the login page with `?sso_error=<code>`; no URL the browser
// sees and no log line holds a token, a code or the verifier.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.ts';
import type { OperatorConfig } from '../../core/operator-config.ts';
import type { HttpServer } from '../http/http-server.ts';
import { KubeApiError } from '../kubernetes/api-error.ts';
import { AuthError, type Caller, type KubernetesAuth } from '../http/kubernetes-auth.ts';
import { OidcIssuer, type HttpsCall } from './oidc-issuer.ts';
import { isTls, parseCookies, sessionCookie, type SessionStore } from './session.ts';
import {
  authorizeUrl,
  checkNonce,
  idTokenClaims,
  PendingLogins,
  readCallback,
  SSO_CALLBACK_PATH,
  SSO_COOKIE,
  SSO_ERROR_PARAM,
  SSO_START_PATH,
  SsoError,
} from './sso.ts';
import { SECURITY_HEADERS } from './static-files.ts';

export interface SsoOptions {
  /** The issuer the API server trusts (its --oidc-issuer-url), exactly. */
  readonly issuerUrl: string;
  /** The API server's --oidc-client-id: the ID token's audience. */
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** PEM CA certificates of the issuer's TLS; absent: Node's. */
  readonly ca?: Buffer;
  /** The UI's base URL as users reach it; absent: each request's scheme and Host. */
  readonly externalUrl?: string;
}

type SsoConfig = Pick<OperatorConfig, 'oidcIssuerUrl' | 'oidcClientId' | 'oidcCaFile' | 'oidcScopes' | 'uiUrl'>;

/** The single sign-on the configuration asks for (reading --oidc-ca-file), or undefined. */
export function ssoOptionsOf(config: SsoConfig): SsoOptions | undefined {
  if (!config.oidcIssuerUrl || !config.oidcClientId) return undefined;
  return {
    issuerUrl: config.oidcIssuerUrl,
    clientId: config.oidcClientId,
    scopes: config.oidcScopes,
    ca: config.oidcCaFile === undefined ? undefined : readFileSync(config.oidcCaFile),
    externalUrl: config.uiUrl,
  };
}

export interface SsoRoutesOptions {
  readonly sso: SsoOptions;
  readonly auth: Pick<KubernetesAuth, 'authenticate'>;
  readonly sessions: SessionStore;
  readonly log: Logger;
  /** @default Date.now */
  readonly clock?: () => number;
  /** The issuer's HTTPS requests. @default node:https trusting `sso.ca` */
  readonly call?: HttpsCall;
}

export function mountSso(server: HttpServer, options: SsoRoutesOptions): void {
  const { sso, auth, sessions, log } = options;
  const clock = options.clock ?? Date.now;
  const issuer = new OidcIssuer({ issuerUrl: sso.issuerUrl, ca: sso.ca, call: options.call, clock });
  const pending = new PendingLogins({ clock });

  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    const error = ssoErrorOf(err);
    log.warn('UI single sign-on failed', { reason: error.code, error: error.message });
    redirect(res, `/ui/?${SSO_ERROR_PARAM}=${error.code}`, [bindingCookie('', 0, isTls(req))]);
  };

  server.route('GET', SSO_START_PATH, async (req, res) => {
    try {
      const { authorization } = await issuer.endpoints();
      const redirectUri = `${sso.externalUrl?.replace(/\/+$/, '') ?? originOf(req)}${SSO_CALLBACK_PATH}`;
      const { state, login } = pending.begin(redirectUri);
      const location = authorizeUrl({
        endpoint: authorization,
        clientId: sso.clientId,
        redirectUri,
        scopes: sso.scopes,
        state,
        nonce: login.nonce,
        verifier: login.verifier,
      });
      redirect(res, location, [bindingCookie(login.binding, pending.ttlMs / 1000, isTls(req))]);
    } catch (err) {
      fail(req, res, err);
    }
  });

  server.route('GET', SSO_CALLBACK_PATH, async (req, res, url) => {
    try {
      const callback = readCallback(url.searchParams);
      if (callback.kind === 'error') {
        pending.drop(callback.state);
        throw new SsoError(callback.error, `the issuer sent back an error: ${callback.detail}`);
      }
      const login = pending.take(callback.state, parseCookies(req.headers.cookie).get(SSO_COOKIE));
      const idToken = await issuer.exchange({
        code: callback.code,
        verifier: login.verifier,
        redirectUri: login.redirectUri,
        clientId: sso.clientId,
      });
      const claims = idTokenClaims(idToken);
      checkNonce(claims, login.nonce);
      const caller = await authenticate(auth, idToken);
      const session = sessions.create(idToken, caller, claims.exp === undefined ? Infinity : claims.exp * 1000);
      log.info('UI login', { user: caller.username, via: 'sso' });
      const secure = isTls(req);
      const maxAgeSeconds = (session.expiresAt - clock()) / 1000;
      redirect(res, '/ui/', [sessionCookie(session.id, { maxAgeSeconds, secure }), bindingCookie('', 0, secure)]);
    } catch (err) {
      fail(req, res, err);
    }
  });
}

/** The caller of the ID token, as the cluster sees it; SsoError('rejected' or 'cluster') otherwise. */
async function authenticate(auth: Pick<KubernetesAuth, 'authenticate'>, idToken: string): Promise<Caller> {
  try {
    return await auth.authenticate(`Bearer ${idToken}`);
  } catch (err) {
    if (err instanceof AuthError) throw new SsoError('rejected', `the cluster refused the ID token: ${err.message}`);
    // A failed TokenReview's error may carry its body, which holds the token: only its status is told.
    const status = err instanceof KubeApiError ? ` (${err.status})` : '';
    throw new SsoError('cluster', `the TokenReview of the ID token failed${status}`);
  }
}

function ssoErrorOf(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  // Nothing else should come here; its message is not logged, as it could hold what must not be.
  return new SsoError('provider', `unexpected ${err instanceof Error ? err.name : typeof err}`);
}

/** The scheme and host the request came to (behind a proxy: X-Forwarded-Proto says https). */
function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host))
    throw new SsoError('provider', 'the request has no usable Host header; set --ui-url');
  return `${isTls(req) ? 'https' : 'http'}://${host}`;
}

/** The cookie binding a login to its browser: sent on the issuer's redirect back (SameSite=Lax). */
function bindingCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [
    `${SSO_COOKIE}=${value}`,
    'HttpOnly',
    'SameSite=Lax',
    `Path=${SSO_CALLBACK_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
  ];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

function redirect(res: ServerResponse, location: string, cookies: readonly string[]): void {
  res.writeHead(302, { ...SECURITY_HEADERS, location, 'cache-control': 'no-store', 'set-cookie': [...cookies] });
  res.end();
}
