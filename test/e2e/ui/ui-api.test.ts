// The web UI's backend in the operator process against the real control plane: login with a
// ServiceAccount token (TokenReview) into a server-side session, an overview that lists only
// what RBAC lets the user list (SubjectAccessReview), its live stream, CSRF on every change,
// the actions and their verbs, events, and the static files with their headers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { HttpServer } from '../../../operator/src/adapters/http/http-server.ts';
import { KubernetesAuth } from '../../../operator/src/adapters/http/kubernetes-auth.ts';
import { KeelsonResources } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { mountUi } from '../../../operator/src/adapters/ui/ui-routes.ts';
import { silentLogger } from '../../../operator/src/core/logger.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { openStream, serviceAccountWith, type Reply } from './ui-fixtures.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const SECRET_VALUE = 'ui-test-s3cret-value-7f3a';
let nsA = '';
let nsB = '';
let base = '';
let operator: OperatorProcess;
const tokens: Record<string, string> = {};
/** Every response body of the test, to look for tokens and Secret values in the end. */
const seen: string[] = [];
const sessions: Record<string, { cookie: string; csrf: string }> = {};

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  seen.push(text, JSON.stringify([...res.headers]));
  const reply: Reply = {
    status: res.status,
    headers: res.headers,
    text,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
  return reply;
}

/** A request with the session of `user`: its cookie, and its CSRF value unless `csrf` is false. */
function as(user: string, method: string, path: string, csrf = true): Promise<Reply> {
  const headers: Record<string, string> = { cookie: sessions[user]!.cookie };
  if (csrf) headers['x-keelson-csrf'] = sessions[user]!.csrf;
  return call(method, path, { headers });
}

async function createEnvironment(namespace: string, name: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace,
    plural: 'environments',
    body: {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name },
      // No such GitRepository: the Environment waits for it, which is all a listing needs.
      spec: { sourceRef: { name: 'absent' }, environment: 'prod' },
    },
  });
}

const patchEnvironment = (namespace: string, name: string, patch: unknown) =>
  custom.patchNamespacedCustomObject(
    { group: 'keelson.dev', version: 'v1alpha1', namespace, plural: 'environments', name, body: patch },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );

describe('web UI backend', () => {
  before(async () => {
    nsA = await createTestNamespace(kc, 'ui-a');
    nsB = await createTestNamespace(kc, 'ui-b');
    await core.createNamespacedSecret({
      namespace: nsA,
      body: { metadata: { name: 'app-secret' }, stringData: { password: SECRET_VALUE } },
    });
    await Promise.all([
      ...Array.from({ length: 25 }, (_, i) => createEnvironment(nsA, `app-${String(i).padStart(2, '0')}`)),
      ...Array.from({ length: 5 }, (_, i) => createEnvironment(nsB, `other-${i}`)),
    ]);
    await custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: nsA,
      plural: 'gitrepositories',
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'GitRepository',
        metadata: { name: 'deploy' },
        spec: { url: 'https://127.0.0.1:1/deploy.git', suspend: true },
      },
    });
    const envs = (verbs: string[]) => ({ apiGroups: ['keelson.dev'], resources: ['environments'], verbs });
    tokens.viewer = await serviceAccountWith(kc, nsA, 'viewer', [envs(['get', 'list'])]);
    tokens.deployer = await serviceAccountWith(kc, nsA, 'deployer', [
      envs(['get', 'list', 'sync', 'patch']),
      { apiGroups: ['keelson.dev'], resources: ['gitrepositories'], verbs: ['patch'] },
    ]);
    const dist = mkdtempSync(join(tmpdir(), 'keelson-ui-dist-'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>Keelson</title><script src="/ui/assets/app-abc123.js"></script>',
    );
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), `console.log(${JSON.stringify('keelson '.repeat(400))});`);
    mkdirSync(join(dist, 'fonts'));
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      identity: 'ui-api',
      args: [`--namespaces=${nsA},${nsB}`, `--ui-dir=${dist}`],
    });
    await operator.start();
    base = `http://127.0.0.1:${operator.apiPort}`;
  });
  after(async () => {
    await operator?.stop();
    await deleteNamespace(kc, nsA);
    await deleteNamespace(kc, nsB);
  });

  it('logs in with a token into an HttpOnly, SameSite=Strict cookie; a bad token is 401', async () => {
    for (const user of ['viewer', 'deployer']) {
      const r = await call('POST', '/ui/api/session', { body: { token: tokens[user] } });
      assert.equal(r.status, 200, r.text);
      const cookie = r.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^keelson_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/);
      assert.equal(r.json.user, `system:serviceaccount:${nsA}:${user}`);
      assert.ok(Array.isArray(r.json.groups));
      assert.equal(typeof r.json.csrf, 'string');
      sessions[user] = { cookie: cookie.split(';')[0]!, csrf: r.json.csrf as string };
    }
    const again = await as('viewer', 'GET', '/ui/api/session');
    assert.equal(again.status, 200);
    assert.equal(again.json.csrf, sessions.viewer!.csrf);
    const bad = await call('POST', '/ui/api/session', { body: { token: 'not-a-token' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('set-cookie'), null);
    assert.equal((await call('GET', '/ui/api/session')).status, 401);
    assert.equal(
      (await call('GET', '/api/v1/overview', { headers: { cookie: 'keelson_session=forged' } })).status,
      401,
    );
    const form = await call('POST', '/ui/api/session', {
      headers: { 'content-type': 'text/plain' },
      body: { token: tokens.viewer },
    });
    assert.equal(form.status, 415, 'a cross-site form cannot log in');
  });

  it('lists only the namespaces the user may list; filters, sorts and pages small rows', async () => {
    const first = await eventually(
      async () => {
        const r = await as('viewer', 'GET', '/api/v1/overview');
        return r.status === 200 && r.json.total === 25 && r;
      },
      { message: 'the overview lists the 25 Environments of the first namespace' },
    );
    assert.deepEqual(first.json.namespaces, [nsA]);
    const items = first.json.items as { namespace: string; name: string }[];
    assert.equal(items.length, 25);
    assert.ok(items.every((i) => i.namespace === nsA));
    assert.ok(Buffer.byteLength(first.text) < 40_000, `the page is ${Buffer.byteLength(first.text)} bytes`);
    const byName = await as('viewer', 'GET', '/api/v1/overview?sort=name&offset=20&limit=10');
    assert.deepEqual(
      (byName.json.items as { name: string }[]).map((i) => i.name),
      ['app-20', 'app-21', 'app-22', 'app-23', 'app-24'],
    );
    assert.equal(byName.json.offset, 20);
    const q = await as('viewer', 'GET', '/api/v1/overview?q=APP-1&sort=name&limit=3');
    assert.equal(q.json.total, 10);
    assert.deepEqual(
      (q.json.items as { name: string }[]).map((i) => i.name),
      ['app-10', 'app-11', 'app-12'],
    );
    assert.equal((await as('viewer', 'GET', `/api/v1/overview?namespace=${nsB}`)).json.total, 0);
    assert.equal((await as('viewer', 'GET', '/api/v1/overview?health=Green')).status, 400);
    const bearer = await call('GET', '/api/v1/overview?limit=1', {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    assert.equal(bearer.status, 200);
    assert.equal((bearer.json.items as unknown[]).length, 1);
    assert.equal((await call('GET', '/api/v1/overview')).status, 401);
  });

  it('streams an upsert within a second of a change', async () => {
    const stream = await openStream(`${base}/api/v1/overview/stream?q=app-07`, sessions.viewer!.cookie);
    try {
      const reset = await stream.next('reset');
      assert.equal((reset as { total: number }).total, 1);
      const started = Date.now();
      await patchEnvironment(nsA, 'app-07', { metadata: { annotations: { 'keelson.dev/auto-sync-paused': 'test' } } });
      const row = (await stream.until('upsert', (r) => (r as { policy: string }).policy === 'paused', 5000)) as {
        name: string;
      };
      const ms = Date.now() - started;
      assert.equal(row.name, 'app-07');
      assert.ok(ms < 1000, `the upsert came after ${ms} ms`);
    } finally {
      stream.close();
    }
  });

  it('wants X-Keelson-CSRF with the cookie, and RBAC decides: 403 without sync, 202 with it', async () => {
    const path = `/api/v1/namespaces/${nsA}/environments/app-01/sync`;
    const noCsrf = await as('deployer', 'POST', path, false);
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error, 'missing or wrong X-Keelson-CSRF header');
    const viewer = await as('viewer', 'POST', path);
    assert.equal(viewer.status, 403);
    assert.match(String(viewer.json.error), /may not sync environments app-01/);
    const deployer = await as('deployer', 'POST', path);
    assert.equal(deployer.status, 202, deployer.text);
    assert.equal(typeof deployer.json.requestedAt, 'string');
  });

  it('reports what the caller may do', async () => {
    const path = `/api/v1/namespaces/${nsA}/environments/app-02/access`;
    assert.deepEqual((await as('viewer', 'GET', path)).json, {
      get: true,
      sync: false,
      rollback: false,
      patch: false,
      action: false,
    });
    assert.deepEqual((await as('deployer', 'GET', path)).json, {
      get: true,
      sync: true,
      rollback: false,
      patch: true,
      action: false,
    });
  });

  it('resource actions take the session cookie with CSRF, and verb action', async () => {
    const path = `/api/v1/namespaces/${nsA}/environments/app-02/actions`;
    const noCsrf = await as('deployer', 'POST', path, false);
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error, 'missing or wrong X-Keelson-CSRF header');
    const denied = await as('deployer', 'POST', path);
    assert.equal(denied.status, 403);
    assert.match(String(denied.json.error), /may not action environments app-02/);
  });

  it('suspends and resumes with verb patch, and refreshes a GitRepository', async () => {
    const env = `/api/v1/namespaces/${nsA}/environments/app-03`;
    assert.equal((await as('viewer', 'POST', `${env}/suspend`)).status, 403);
    assert.equal((await as('deployer', 'POST', `${env}/suspend`)).status, 204);
    const spec = async () =>
      (
        (await custom.getNamespacedCustomObject({
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: nsA,
          plural: 'environments',
          name: 'app-03',
        })) as { spec: { suspend?: boolean } }
      ).spec;
    assert.equal((await spec()).suspend, true);
    assert.equal((await as('deployer', 'POST', `${env}/resume`)).status, 204);
    assert.equal((await spec()).suspend, false);
    assert.equal((await as('deployer', 'POST', `/api/v1/namespaces/${nsA}/environments/nope/suspend`)).status, 404);
    const refresh = await as('deployer', 'POST', `/api/v1/namespaces/${nsA}/gitrepositories/deploy/refresh`);
    assert.equal(refresh.status, 202, refresh.text);
    assert.equal((await as('viewer', 'POST', `/api/v1/namespaces/${nsA}/gitrepositories/deploy/refresh`)).status, 403);
  });

  it("lists an Environment's events, and streams the Environment as it changes", async () => {
    await core.createNamespacedEvent({
      namespace: nsA,
      body: {
        metadata: { name: 'app-04.test' },
        involvedObject: { apiVersion: 'keelson.dev/v1alpha1', kind: 'Environment', name: 'app-04', namespace: nsA },
        type: 'Warning',
        reason: 'TestReason',
        message: 'something to see',
        count: 3,
        lastTimestamp: new Date() as unknown as Date,
        firstTimestamp: new Date() as unknown as Date,
        source: { component: 'test' },
      },
    });
    const events = await eventually(async () => {
      const r = await as('viewer', 'GET', `/api/v1/namespaces/${nsA}/environments/app-04/events`);
      return (r.json.items as { reason: string }[] | undefined)?.some((e) => e.reason === 'TestReason') && r;
    });
    const ours = (events.json.items as Record<string, unknown>[]).find((e) => e.reason === 'TestReason')!;
    assert.equal(ours.type, 'Warning');
    assert.equal(ours.count, 3);
    assert.equal(ours.message, 'something to see');
    assert.equal((await call('GET', `/api/v1/namespaces/${nsA}/environments/app-04/events`)).status, 401);

    const stream = await openStream(
      `${base}/api/v1/namespaces/${nsA}/environments/app-05/stream`,
      sessions.viewer!.cookie,
    );
    try {
      const env = (await stream.next('environment')) as { metadata: { name: string } };
      assert.equal(env.metadata.name, 'app-05');
      await patchEnvironment(nsA, 'app-05', { metadata: { labels: { touched: 'yes' } } });
      await stream.until(
        'environment',
        (e) => (e as { metadata: { labels?: Record<string, string> } }).metadata.labels?.touched === 'yes',
        5000,
      );
    } finally {
      stream.close();
    }
    assert.equal((await as('viewer', 'GET', `/api/v1/namespaces/${nsB}/environments/other-0/stream`)).status, 403);
  });

  it('serves index.html with the CSP for any path under /ui/, hashed assets immutable and gzipped', async () => {
    const index = await call('GET', '/ui/');
    assert.equal(index.status, 200);
    assert.match(index.text, /<title>Keelson<\/title>/);
    assert.match(
      index.headers.get('content-security-policy') ?? '',
      /^default-src 'self'; script-src 'self';.*frame-ancestors 'none'/,
    );
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const deep = await call('GET', `/ui/environments/${nsA}/app-01`);
    assert.equal(deep.text, index.text);
    assert.equal((await call('GET', '/ui/fonts')).text, index.text, 'a folder is no file');
    assert.equal((await call('GET', '/ui/..%2f..%2fetc%2fpasswd')).text, index.text);
    const js = await call('GET', '/ui/assets/app-abc123.js', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(js.text, /keelson keelson/);
    const root = await call('GET', '/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/ui/');
  });

  it('logs out with the CSRF value, clearing the cookie', async () => {
    assert.equal((await as('viewer', 'DELETE', '/ui/api/session', false)).status, 403);
    const out = await as('viewer', 'DELETE', '/ui/api/session');
    assert.equal(out.status, 204);
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^keelson_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0$/,
    );
    assert.equal((await as('viewer', 'GET', '/ui/api/session')).status, 401);
    assert.equal((await as('viewer', 'GET', '/api/v1/overview')).status, 401);
  });

  it('answers 503 on /ui/ when the UI is not built, and the API still serves', async () => {
    const server = new HttpServer({ listen: '127.0.0.1:0' });
    const ui = mountUi(server, {
      kubeConfig: kc,
      resources: new KeelsonResources(kc),
      auth: new KubernetesAuth(kc),
      log: silentLogger,
      distDir: join(tmpdir(), 'keelson-no-such-dist'),
      watch: async () => ({ stop: async () => undefined }),
      redact: (text) => text,
    });
    const port = await server.start();
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ui/environments/a/b`);
      assert.equal(r.status, 503);
      assert.deepEqual(await r.json(), { error: 'the UI is not built: run make ui' });
      await ui.ready;
      const o = await fetch(`http://127.0.0.1:${port}/api/v1/overview`, {
        headers: { authorization: `Bearer ${tokens.deployer}` },
      });
      assert.equal(o.status, 200);
    } finally {
      await ui.close();
      await server.stop();
    }
  });

  it('never sent a token or a Secret value', () => {
    const all = seen.join('\n');
    for (const [user, token] of Object.entries(tokens)) assert.ok(!all.includes(token), `the ${user} token was sent`);
    assert.ok(!all.includes(SECRET_VALUE), 'a Secret value was sent');
    assert.ok(!all.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'a Secret value was sent (base64)');
  });
});
