// The single-sign-on routes on a real HTTP server, with a fake issuer (discovery and token
// endpoint) and a fake TokenReview: the redirect to the issuer, the callback that makes a
// session, and each way a login fails, with what the browser sees and what is logged.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogFields, Logger } from '../../core/logger.ts';
import { HttpServer } from '../http/http-server.ts';
import { AuthError, type Caller } from '../http/kubernetes-auth.ts';
import type { HttpsCall } from './oidc-issuer.ts';
import { SESSION_COOKIE, SessionStore } from './session.ts';
import { mountSso } from './sso-routes.ts';
import { codeChallenge, SSO_COOKIE } from './sso.ts';

const ISSUER = 'https://issuer.example.com';
const NOW = 1_800_000_000_000;

const jwt = (payload: unknown) =>
  ['{"alg":"RS256"}', JSON.stringify(payload), 'signature'].map((p) => Buffer.from(p).toString('base64url')).join('.');

/** The fake issuer: what the token endpoint was sent, and what it answers. */
const issuer = {
  exchanges: [] as URLSearchParams[],
  tokenStatus: 200,
  /** The ID token's nonce: the login's (from the authorize URL) unless set. */
  nonce: undefined as string | undefined,
  lastNonce: '',
  idTokens: [] as string[],
  reset() {
    this.exchanges = [];
    this.tokenStatus = 200;
    this.nonce = undefined;
    this.idTokens = [];
  },
};
const call: HttpsCall = async (url, init) => {
  if (url === `${ISSUER}/.well-known/openid-configuration`)
    return {
      status: 200,
      body: JSON.stringify({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
      }),
    };
  if (url === `${ISSUER}/token` && init.method === 'POST') {
    issuer.exchanges.push(new URLSearchParams(init.body));
    if (issuer.tokenStatus !== 200) return { status: issuer.tokenStatus, body: '{"error":"invalid_grant"}' };
    const idToken = jwt({ email: 'alice@example.com', nonce: issuer.nonce ?? issuer.lastNonce, exp: NOW / 1000 + 600 });
    issuer.idTokens.push(idToken);
    return { status: 200, body: JSON.stringify({ access_token: 'at', id_token: idToken }) };
  }
  return { status: 404, body: '' };
};

/** The fake TokenReview: accepts the ID tokens the issuer made unless `refuse`. */
const review = { refuse: false, tokens: [] as string[] };
const auth = {
  authenticate: async (authorization: string | undefined): Promise<Caller> => {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    review.tokens.push(token);
    if (review.refuse || !issuer.idTokens.includes(token)) throw new AuthError(401, 'the token was not accepted');
    return { username: 'oidc:alice@example.com', groups: ['team-a'] };
  },
};

const lines: string[] = [];
const log: Logger = {
  debug: (m: string, f?: LogFields) => void lines.push(JSON.stringify({ m, ...f })),
  info: (m: string, f?: LogFields) => void lines.push(JSON.stringify({ m, ...f })),
  warn: (m: string, f?: LogFields) => void lines.push(JSON.stringify({ m, ...f })),
  error: (m: string, f?: LogFields) => void lines.push(JSON.stringify({ m, ...f })),
  child: () => log,
};

const sessions = new SessionStore({ clock: () => NOW });
const server = new HttpServer({ listen: '127.0.0.1:0' });
mountSso(server, {
  sso: { issuerUrl: ISSUER, clientId: 'keelson', scopes: ['openid', 'email'] },
  auth,
  sessions,
  log,
  call,
  clock: () => NOW,
});
let base = '';

const get = (path: string, cookie?: string) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** GET /ui/auth/sso: the authorize URL and the binding cookie (name=value). */
async function start(): Promise<{ authorize: URL; binding: string; setCookie: string }> {
  const res = await get('/ui/auth/sso');
  assert.equal(res.status, 302);
  const authorize = new URL(res.headers.get('location')!);
  issuer.lastNonce = authorize.searchParams.get('nonce')!;
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SSO_COOKIE}=`))!;
  return { authorize, binding: setCookie.split(';')[0]!, setCookie };
}

const callback = (query: string, cookie?: string) => get(`/ui/auth/callback?${query}`, cookie);

describe('single-sign-on routes', () => {
  before(async () => {
    base = `http://127.0.0.1:${await server.start()}`;
  });
  after(() => server.stop());
  beforeEach(() => {
    issuer.reset();
    review.refuse = false;
    review.tokens = [];
    lines.length = 0;
  });

  it('sends the browser to the issuer with PKCE S256, the login bound to it by a Lax HttpOnly cookie', async () => {
    const { authorize, setCookie } = await start();
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${ISSUER}/auth`);
    const q = authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('client_id'), 'keelson');
    assert.equal(q.get('redirect_uri'), `${base}/ui/auth/callback`, 'from the request: no --ui-url');
    assert.equal(q.get('scope'), 'openid email');
    assert.match(setCookie, /; HttpOnly; SameSite=Lax; Path=\/ui\/auth\/callback; Max-Age=600$/);
  });

  it('exchanges the code with the verifier, makes a session ending with the ID token, goes to /ui/', async () => {
    const { authorize, binding } = await start();
    const res = await callback(`code=the-code&state=${authorize.searchParams.get('state')}`, binding);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/ui/');
    const [exchange] = issuer.exchanges;
    assert.equal(exchange?.get('grant_type'), 'authorization_code');
    assert.equal(exchange?.get('code'), 'the-code');
    assert.equal(exchange?.get('client_id'), 'keelson');
    assert.equal(exchange?.get('redirect_uri'), `${base}/ui/auth/callback`);
    assert.equal(codeChallenge(exchange!.get('code_verifier')!), authorize.searchParams.get('code_challenge'));
    assert.deepEqual(review.tokens, issuer.idTokens, 'the ID token went to the TokenReview');
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    assert.match(session, /; HttpOnly; SameSite=Strict; Path=\/; Max-Age=600$/, 'as long as the ID token');
    const stored = sessions.get(session.split(';')[0]!.split('=')[1]);
    assert.equal(stored?.caller.username, 'oidc:alice@example.com');
    assert.equal(stored?.token, issuer.idTokens[0]);
    assert.equal(stored?.expiresAt, NOW + 600_000);
    assert.ok(
      cookies.some((c) => c.startsWith(`${SSO_COOKIE}=;`) && c.includes('Max-Age=0')),
      'binding cleared',
    );
    assert.ok(lines.some((l) => l.includes('"UI login"') && l.includes('oidc:alice@example.com')));
  });

  const refusals: {
    name: string;
    error: string;
    arrange?: () => void;
    query?: (state: string) => string;
    cookie?: (binding: string) => string | undefined;
  }[] = [
    { name: 'an unknown state', error: 'state', query: () => 'code=c&state=forged' },
    { name: 'a callback in another browser (no cookie)', error: 'state', cookie: () => undefined },
    { name: 'a callback with another binding', error: 'state', cookie: () => `${SSO_COOKIE}=another` },
    { name: 'the issuer refusing', error: 'denied', query: (s) => `error=access_denied&state=${s}` },
    { name: 'the token endpoint failing', error: 'provider', arrange: () => void (issuer.tokenStatus = 400) },
    { name: "an ID token with another login's nonce", error: 'nonce', arrange: () => void (issuer.nonce = 'other') },
    { name: 'the cluster refusing the ID token', error: 'rejected', arrange: () => void (review.refuse = true) },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}: back to the login page with sso_error=${r.error}, no session`, async () => {
      r.arrange?.();
      const { authorize, binding } = await start();
      const state = authorize.searchParams.get('state')!;
      const cookie = r.cookie ? r.cookie(binding) : binding;
      const res = await callback(r.query?.(state) ?? `code=secret-code&state=${state}`, cookie);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `/ui/?sso_error=${r.error}`);
      assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`)), 'no session cookie');
      assert.ok(lines.some((l) => l.includes('UI single sign-on failed') && l.includes(`"reason":"${r.error}"`)));
      const logged = lines.join('\n');
      assert.ok(!logged.includes('secret-code'), 'the code is not logged');
      for (const token of issuer.idTokens) assert.ok(!logged.includes(token), 'the ID token is not logged');
      for (const e of issuer.exchanges) assert.ok(!logged.includes(e.get('code_verifier')!), 'nor the verifier');
    });
  }

  it('uses a state once: the same callback again is refused', async () => {
    const { authorize, binding } = await start();
    const query = `code=c&state=${authorize.searchParams.get('state')}`;
    assert.equal((await callback(query, binding)).headers.get('location'), '/ui/');
    assert.equal((await callback(query, binding)).headers.get('location'), '/ui/?sso_error=state');
    assert.equal(issuer.exchanges.length, 1, 'the code went to the token endpoint once');
  });
});
