// The pure parts of single sign-on: PKCE S256, the authorization URL, reading the callback and
// the ID token's claims, the nonce, and the logins in flight (once, expiring, bounded, bound to
// the browser).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorizeUrl,
  checkNonce,
  codeChallenge,
  idTokenClaims,
  PendingLogins,
  randomValue,
  readCallback,
  SsoError,
} from './sso.ts';

const jwt = (payload: unknown) =>
  ['{"alg":"RS256"}', JSON.stringify(payload), 'signature'].map((p) => Buffer.from(p).toString('base64url')).join('.');

const isSsoError = (code: string) => (err: unknown) => err instanceof SsoError && err.code === code;

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    assert.equal(
      codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes 256-bit random verifiers (43 characters), different each time', () => {
    const a = randomValue();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, randomValue());
    assert.equal(
      randomValue(() => Buffer.alloc(32, 1)),
      Buffer.alloc(32, 1).toString('base64url'),
    );
  });

  it('refuses a verifier shorter than 43 characters or with other characters', () => {
    assert.throws(() => codeChallenge('short'), RangeError);
    assert.throws(() => codeChallenge(`${'a'.repeat(43)}+`), RangeError);
  });
});

describe('authorizeUrl', () => {
  const request = {
    endpoint: 'https://dex.example.com/dex/auth?connector_id=ldap',
    clientId: 'keelson',
    redirectUri: 'https://keelson.example.com/ui/auth/callback',
    scopes: ['openid', 'email', 'groups'],
    state: 'the-state',
    nonce: 'the-nonce',
    verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  };

  it('asks for a code with PKCE S256, the state, nonce, scopes and redirect URI, keeping the endpoint query', () => {
    const url = new URL(authorizeUrl(request));
    assert.equal(`${url.origin}${url.pathname}`, 'https://dex.example.com/dex/auth');
    const q = url.searchParams;
    assert.equal(q.get('connector_id'), 'ldap');
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), 'keelson');
    assert.equal(q.get('redirect_uri'), 'https://keelson.example.com/ui/auth/callback');
    assert.equal(q.get('scope'), 'openid email groups');
    assert.equal(q.get('state'), 'the-state');
    assert.equal(q.get('nonce'), 'the-nonce');
    assert.equal(q.get('code_challenge'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    assert.equal(q.get('code_challenge_method'), 'S256');
  });

  it('never puts the verifier itself in the URL', () => {
    assert.ok(!authorizeUrl(request).includes(request.verifier));
  });
});

describe('readCallback', () => {
  it('reads a code and a state', () => {
    assert.deepEqual(readCallback(new URLSearchParams('code=c1&state=s1')), { kind: 'code', code: 'c1', state: 's1' });
  });

  it('reads the issuer refusing (access_denied) as denied, any other error as the provider failing', () => {
    const denied = readCallback(new URLSearchParams('error=access_denied&state=s1'));
    assert.deepEqual(denied, { kind: 'error', error: 'denied', state: 's1', detail: 'access_denied' });
    const other = readCallback(new URLSearchParams('error=server_error&code=c1&state=s1'));
    assert.equal(other.kind === 'error' && other.error, 'provider');
    const odd = readCallback(new URLSearchParams({ error: 'x y <script>' }));
    assert.equal(odd.kind === 'error' && odd.detail, 'unreadable');
  });

  it('refuses a callback without a single code and state', () => {
    for (const query of ['code=c1', 'state=s1', 'code=c1&code=c2&state=s1', 'code=&state=s1', '']) {
      const callback = readCallback(new URLSearchParams(query));
      assert.equal(callback.kind === 'error' && callback.error, 'state', query);
    }
  });
});

describe('idTokenClaims and checkNonce', () => {
  it('reads the nonce and exp of a signed JWT', () => {
    assert.deepEqual(idTokenClaims(jwt({ nonce: 'n1', exp: 1700000000, email: 'a@example.com' })), {
      nonce: 'n1',
      exp: 1700000000,
    });
    assert.deepEqual(idTokenClaims(jwt({ exp: 'soon' })), { nonce: undefined, exp: undefined });
  });

  it('refuses what is not a JWS with a JSON object payload', () => {
    assert.throws(() => idTokenClaims('opaque-token'), isSsoError('provider'));
    assert.throws(() => idTokenClaims('a.b.c.d.e'), isSsoError('provider'));
    const notJson = ['e30', Buffer.from('nope').toString('base64url'), 'sig'].join('.');
    assert.throws(() => idTokenClaims(notJson), isSsoError('provider'));
    assert.throws(() => idTokenClaims(jwt([1])), isSsoError('provider'));
  });

  it("accepts the login's nonce only", () => {
    checkNonce({ nonce: 'n1' }, 'n1');
    assert.throws(() => checkNonce({ nonce: 'n2' }, 'n1'), isSsoError('nonce'));
    assert.throws(() => checkNonce({}, 'n1'), isSsoError('nonce'));
  });
});

describe('PendingLogins', () => {
  it('gives a login back once, for its state and its browser', () => {
    const logins = new PendingLogins();
    const { state, login } = logins.begin('https://k.example.com/ui/auth/callback');
    assert.match(state, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set([state, login.verifier, login.nonce, login.binding]).size, 4, 'four random values');
    assert.deepEqual(logins.take(state, login.binding), login);
    assert.throws(() => logins.take(state, login.binding), isSsoError('state'), 'used up');
    assert.throws(() => logins.take(undefined, login.binding), isSsoError('state'));
  });

  it("refuses another browser's callback, and the login is then used up", () => {
    const logins = new PendingLogins();
    const { state, login } = logins.begin('r');
    assert.throws(() => logins.take(state, 'another-browser'), isSsoError('state'));
    assert.throws(() => logins.take(state, login.binding), isSsoError('state'));
    const second = logins.begin('r');
    assert.throws(() => logins.take(second.state, undefined), isSsoError('state'), 'no cookie');
  });

  it('expires a login after ten minutes', () => {
    let now = 0;
    const logins = new PendingLogins({ clock: () => now });
    const a = logins.begin('r');
    const b = logins.begin('r');
    now = 10 * 60_000 - 1;
    assert.ok(logins.take(a.state, a.login.binding));
    now = 10 * 60_000;
    assert.throws(() => logins.take(b.state, b.login.binding), isSsoError('state'));
  });

  it('keeps a bounded number, dropping the oldest, and drops the expired when one begins', () => {
    let now = 0;
    const logins = new PendingLogins({ max: 2, clock: () => now, ttlMs: 100 });
    const [a] = [logins.begin('r'), logins.begin('r'), logins.begin('r')];
    assert.equal(logins.size, 2);
    assert.throws(() => logins.take(a!.state, a!.login.binding), isSsoError('state'));
    now = 100;
    logins.begin('r');
    assert.equal(logins.size, 1, 'the two others expired');
  });

  it('forgets a dropped login', () => {
    const logins = new PendingLogins();
    const { state, login } = logins.begin('r');
    logins.drop(state);
    assert.throws(() => logins.take(state, login.binding), isSsoError('state'));
  });
});
