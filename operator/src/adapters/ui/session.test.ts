// The UI's sessions: random ids and CSRF values, the 8-hour life, the bound on their number,
// the cookie, and how an API request authenticates with a session instead of a bearer token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AuthError, type Caller } from '../http/kubernetes-auth.ts';
import {
  authenticateRequest,
  isTls,
  parseCookies,
  SESSION_COOKIE,
  sessionCookie,
  SessionStore,
  type Session,
} from './session.ts';

const alice: Caller = { username: 'alice', groups: ['devs'] };

function request(method: string, headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { method, headers, socket: { encrypted } } as unknown as IncomingMessage;
}

/** An authenticator that accepts `Bearer good` only, counting its calls. */
function fakeAuth() {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    authenticate: async (authorization: string | undefined): Promise<Caller> => {
      calls.push(authorization);
      if (!authorization) throw new AuthError(401, 'a Kubernetes bearer token is required');
      if (authorization !== 'Bearer good') throw new AuthError(401, 'the token was not accepted by the cluster');
      return alice;
    },
  };
}

describe('SessionStore', () => {
  it('makes 256-bit random ids and a separate CSRF value', () => {
    const store = new SessionStore();
    const a = store.create('t', alice);
    const b = store.create('t', alice);
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.id, 'base64url').length, 32);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.id, a.csrf);
    assert.equal(Buffer.from(a.csrf, 'base64url').length, 32);
    assert.equal(store.get(a.id)?.token, 't');
  });

  it('forgets a session 8 hours after login, and on delete', () => {
    let now = 1_000;
    const store = new SessionStore({ clock: () => now });
    const s = store.create('t', alice);
    now += 8 * 3600_000 - 1;
    assert.ok(store.get(s.id));
    now += 1;
    assert.equal(store.get(s.id), undefined);
    assert.equal(store.size, 0);
    const t = store.create('t', alice);
    store.delete(t.id);
    assert.equal(store.get(t.id), undefined);
    assert.equal(store.get(undefined), undefined);
  });

  it("ends a session at notAfter (an ID token's expiry) when that comes before the 8 hours", () => {
    let now = 1_000;
    const store = new SessionStore({ clock: () => now });
    const s = store.create('t', alice, now + 60_000);
    assert.equal(s.expiresAt, 61_000);
    now += 59_999;
    assert.ok(store.get(s.id));
    now += 1;
    assert.equal(store.get(s.id), undefined);
    assert.equal(store.create('t', alice, now + 9 * 3600_000).expiresAt, now + 8 * 3600_000, 'the TTL still bounds it');
  });

  it('keeps a bounded number, dropping the oldest', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const [a, b, c] = [store.create('a', alice), store.create('b', alice), store.create('c', alice)];
    assert.equal(store.size, 2);
    assert.equal(store.get(a.id), undefined);
    assert.ok(store.get(b.id) && store.get(c.id));
  });

  it('sweeps expired sessions', () => {
    let now = 0;
    const store = new SessionStore({ clock: () => now, ttlMs: 10 });
    store.create('a', alice);
    now = 5;
    store.create('b', alice);
    now = 12;
    store.sweep();
    assert.equal(store.size, 1);
  });
});

describe('cookies', () => {
  it('parses a Cookie header, first name wins, quotes dropped', () => {
    const c = parseCookies('a=1; keelson_session="xyz"; a=2; junk; =x');
    assert.equal(c.get('a'), '1');
    assert.equal(c.get(SESSION_COOKIE), 'xyz');
    assert.equal(c.size, 2);
    assert.equal(parseCookies(undefined).size, 0);
  });

  it('serialises HttpOnly, SameSite=Strict, Path=/, Max-Age, and Secure over TLS', () => {
    assert.equal(
      sessionCookie('abc', { maxAgeSeconds: 28800, secure: false }),
      'keelson_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800',
    );
    assert.match(sessionCookie('', { maxAgeSeconds: 0, secure: true }), /Max-Age=0; Secure$/);
  });

  it('knows a TLS request, directly or through a proxy that says so', () => {
    assert.equal(isTls(request('GET', {}, true)), true);
    assert.equal(isTls(request('GET', { 'x-forwarded-proto': 'https' })), true);
    assert.equal(isTls(request('GET', { 'x-forwarded-proto': 'http' })), false);
    assert.equal(isTls(request('GET', {})), false);
  });
});

describe('authenticateRequest', () => {
  const setup = (): { store: SessionStore; session: Session; auth: ReturnType<typeof fakeAuth> } => {
    const store = new SessionStore();
    return { store, session: store.create('good', alice), auth: fakeAuth() };
  };

  it('takes a bearer header as before', async () => {
    const { store, auth } = setup();
    assert.equal(await authenticateRequest(request('POST', { authorization: 'Bearer good' }), auth, store), alice);
    await assert.rejects(authenticateRequest(request('GET', {}), auth, store), { status: 401 });
  });

  it('takes the session cookie, checking its token like a bearer token', async () => {
    const { store, session, auth } = setup();
    const caller = await authenticateRequest(
      request('GET', { cookie: `${SESSION_COOKIE}=${session.id}` }),
      auth,
      store,
    );
    assert.equal(caller, alice);
    assert.deepEqual(auth.calls, ['Bearer good']);
    await assert.rejects(
      authenticateRequest(request('GET', { cookie: `${SESSION_COOKIE}=nope` }), auth, store),
      (err: unknown) => err instanceof AuthError && err.status === 401,
    );
  });

  it('wants the CSRF header on a request that changes something', async () => {
    const { store, session, auth } = setup();
    const cookie = `${SESSION_COOKIE}=${session.id}`;
    await assert.rejects(authenticateRequest(request('POST', { cookie }), auth, store), {
      status: 403,
      message: 'missing or wrong X-Keelson-CSRF header',
    });
    await assert.rejects(authenticateRequest(request('DELETE', { cookie, 'x-keelson-csrf': 'x' }), auth, store), {
      status: 403,
    });
    assert.equal(
      await authenticateRequest(request('POST', { cookie, 'x-keelson-csrf': session.csrf }), auth, store),
      alice,
    );
  });

  it('drops a session whose token the cluster no longer accepts', async () => {
    const store = new SessionStore();
    const session = store.create('revoked', alice);
    await assert.rejects(
      authenticateRequest(request('GET', { cookie: `${SESSION_COOKIE}=${session.id}` }), fakeAuth(), store),
      { status: 401 },
    );
    assert.equal(store.get(session.id), undefined);
  });
});
