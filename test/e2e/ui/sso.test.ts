// Single sign-on in a real Chromium against a real OIDC provider (zitadel/oidc's OP, HTTPS),
// a control plane of its own that trusts it (--oidc-*) and the real operator: the login page
// offers "Log in with SSO"; the provider's form signs the user in; the overview shows the
// Environments of the one namespace RBAC lets `oidc:<email>` read, and SYNC only where it may
// sync. No URL the browser loads holds a token (the callback holds a code and a state only),
// the session cookie is HttpOnly and ends with the ID token, a forged, used or another
// browser's callback is refused with a message, and the operator's log holds neither the code
// nor a token.
// The screenshot sso-login goes to .keelson/screenshots/ (KEELSON_UI_SCREENSHOTS=docs: docs/screenshots/).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { watchedPage } from '../../harness/browser.ts';
import { eventually } from '../../harness/kube.ts';
import { DESKTOP, rows, shot, text, unexpected, waitForText } from './browser-fixtures.ts';
import { ENVIRONMENTS, OIDC_GROUP, OIDC_USER, startSsoWorld, stopSsoWorld, type SsoWorld } from './sso-fixtures.ts';

/** A JWS in compact form (an ID or access token): a JSON header and a JSON payload, base64url. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** The page's session as the page's own script sees it. */
const sessionOf = (page: Page) =>
  page.evaluate(`fetch('/ui/api/session').then(async (r) => ({ status: r.status, body: await r.text() }))`) as Promise<{
    status: number;
    body: string;
  }>;

/** A page in a browser context of its own (its own cookies), recording the URL of every request. */
async function freshPage(browser: Browser) {
  const context = await browser.createBrowserContext();
  const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
  const urls: string[] = [];
  page.on('request', (req) => void urls.push(req.url()));
  return { context, page, problems, urls };
}

/** Fills the provider's login form (the page shows it) and submits it. */
async function signInAtProvider(page: Page, world: SsoWorld): Promise<void> {
  assert.ok(page.url().startsWith(`${world.idp.issuer}/login/`), `the provider's login form, not ${page.url()}`);
  await page.waitForSelector('#username');
  await page.type('#username', world.idp.user.username);
  await page.type('#password', world.idp.user.password);
  await page.click('button[type=submit]');
}

/** Opens a callback URL in a browser of its own: the login page says it does not match, and there is no session. */
async function assertRefused(world: SsoWorld, url: string): Promise<void> {
  const { context, page } = await freshPage(world.browser);
  await page.goto(url);
  await waitForText(page, /did not match a sign-in started in this browser/);
  assert.equal(new URL(page.url()).pathname, '/ui/');
  // The login page takes the error code off the address once it has shown it.
  await page.waitForFunction(`location.pathname === '/ui/' && location.search === ''`, { timeout: 5000 });
  assert.ok(await page.$('a[href="/ui/auth/sso"]'), 'the login page, to try again');
  assert.ok(!(await context.cookies()).some((c) => c.name === 'keelson_session'), 'no session');
  assert.equal((await sessionOf(page)).status, 401);
  await context.close();
}

describe('single sign-on in Chromium', { timeout: 600_000 }, () => {
  let world: SsoWorld;
  /** The callback URL the provider sent the browser to (a code and a state). */
  let callbackUrl = '';

  before(async () => {
    world = await startSsoWorld();
  });
  after(async () => {
    await stopSsoWorld(world ?? {});
  });

  it('logs in with SSO and shows what RBAC lets the OIDC user see, with no token in any URL', async () => {
    const { context, page, problems, urls } = await freshPage(world.browser);
    const { base, idp, allowed, other } = world;
    await page.goto(`${base}/ui/`);
    await page.waitForSelector('a[href="/ui/auth/sso"]');
    assert.match(await text(page), /Log in with SSO[\s\S]*Kubernetes bearer token/, 'the token form stays');
    await shot(page, 'sso-login');

    await Promise.all([page.waitForNavigation(), page.click('a[href="/ui/auth/sso"]')]);
    await Promise.all([page.waitForNavigation(), signInAtProvider(page, world)]);
    await waitForText(page, new RegExp(`${allowed}/${ENVIRONMENTS[1]}`));
    assert.equal(new URL(page.url()).pathname, '/ui/');
    assert.match(await text(page), new RegExp(OIDC_USER.replaceAll('.', '\\.')), 'signed in as the OIDC user');

    const overview = await rows(page);
    for (const name of ENVIRONMENTS)
      assert.ok(
        overview.some((r) => r.includes(`${allowed}/${name}`)),
        name,
      );
    assert.ok(!overview.some((r) => r.includes(other)), `nothing of ${other}: ${overview.join('\n')}`);

    // The URLs the browser loaded: the authorize request carries the S256 challenge (never the
    // verifier), the callback a code and a state only, and none a token.
    const authorize = new URL(urls.find((u) => u.startsWith(`${idp.issuer}/auth?`))!);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.equal(authorize.searchParams.get('code_verifier'), null);
    callbackUrl = urls.find((u) => u.startsWith(`${base}/ui/auth/callback?`))!;
    assert.deepEqual([...new URL(callbackUrl).searchParams.keys()].sort(), ['code', 'state']);
    for (const url of urls) {
      assert.doesNotMatch(url, JWT, `a token in ${url}`);
      assert.doesNotMatch(url, /[?&#](id_token|access_token|token|code_verifier)=/, url);
    }

    // The session: an HttpOnly, SameSite=Strict cookie that ends with the ID token (an hour), the
    // login's binding cookie gone, the groups claim read by the API server.
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'keelson_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    const left = session.expires - Date.now() / 1000;
    assert.ok(left > 3000 && left <= 3600 + 5, `the session ends with the ID token: ${left} s left`);
    assert.ok(!cookies.some((c) => c.name === 'keelson_sso'), 'the binding cookie is cleared');
    assert.equal(await page.evaluate('document.cookie'), '', 'no cookie a script can read');
    const me = await sessionOf(page);
    assert.equal(me.status, 200);
    const body = JSON.parse(me.body) as { user: string; groups: string[] };
    assert.equal(body.user, OIDC_USER);
    assert.ok(body.groups.includes(OIDC_GROUP), body.groups.join(', '));
    assert.doesNotMatch(me.body, JWT, 'the session answer holds no token');
    // The provider's own page has no favicon: only the UI's problems count.
    assert.deepEqual(
      unexpected(problems).filter((e) => !e.includes(idp.issuer)),
      [],
    );
    assert.deepEqual(problems.csp, []);

    // SYNC where RBAC lets the user sync (api), none where it does not (web).
    for (const [name, maySync] of [
      [ENVIRONMENTS[0], true],
      [ENVIRONMENTS[1], false],
    ] as const) {
      const access = page.waitForResponse((r) => r.url().endsWith(`/environments/${name}/access`));
      await page.goto(`${base}/ui/environments/${allowed}/${name}`);
      assert.equal((await access).status(), 200);
      await waitForText(page, new RegExp(`${name}[\\s\\S]*Conditions`));
      // The page renders the access it got: SYNC appears where allowed, and is still absent two frames later where not.
      const hasSync = `[...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'SYNC')`;
      if (maySync) await page.waitForFunction(hasSync, { timeout: 10_000 });
      else await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const buttons = (await page.$$eval('button', (bs) => bs.map((b) => b.textContent?.trim()))) as string[];
      assert.equal(buttons.includes('SYNC'), maySync, `${name}: ${buttons.join(', ')}`);
    }
  });

  it('refuses a forged state and a used callback, with a message', async () => {
    assert.ok(callbackUrl, 'the first test saw a callback');
    await assertRefused(world, `${world.base}/ui/auth/callback?code=forged-code&state=forged-state`);
    await assertRefused(world, callbackUrl);
  });

  it('refuses a fresh callback in another browser than the one that started the login', async () => {
    // One browser signs in at the provider, and its way back is stopped: the callback URL, unused.
    const { context, page } = await freshPage(world.browser);
    let stolen = '';
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (!req.url().startsWith(`${world.base}/ui/auth/callback?`)) return void req.continue();
      stolen = req.url();
      void req.abort();
    });
    await page.goto(`${world.base}/ui/auth/sso`);
    await signInAtProvider(page, world);
    await eventually(async () => stolen !== '', { message: 'the provider sends the browser back' });
    await context.close();
    const logged = world.operator.logs().length;
    await assertRefused(world, stolen);
    assert.match(world.operator.logs().slice(logged), /came to another browser than the one that started the login/);
  });

  it("keeps the code and the tokens out of the operator's log", () => {
    const log = world.operator.logs();
    const code = new URL(callbackUrl).searchParams.get('code')!;
    assert.ok(code.length > 20);
    assert.ok(!log.includes(code), 'the code is not logged');
    assert.doesNotMatch(log, JWT, 'no token is logged');
    assert.ok(log.includes(`"user":"${OIDC_USER}"`) && log.includes('"via":"sso"'), 'the login is logged');
    assert.match(log, /UI single sign-on failed.*"reason":"state"/, 'the refused callbacks are logged');
  });
});
