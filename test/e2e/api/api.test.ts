// The REST API and the webhook receiver against the real API server: callers authenticate
// with ServiceAccount tokens (TokenReview) and RBAC decides (SubjectAccessReview), with a
// custom verb `sync` on environments; GitHub-signed deliveries refresh a GitRepository.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { HttpServer } from '../../../operator/src/adapters/http/http-server.ts';
import { KubernetesAuth } from '../../../operator/src/adapters/http/kubernetes-auth.ts';
import { mountApi } from '../../../operator/src/adapters/http/api-routes.ts';
import { mountWebhook } from '../../../operator/src/adapters/http/webhook-routes.ts';
import { KeelsonResources } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { silentLogger } from '../../../operator/src/core/logger.ts';
import { createTestNamespace, deleteNamespace, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
let ns = '';
let base = '';
let server: HttpServer;
const tokens: Record<string, string> = {};

async function serviceAccountWith(name: string, verbs: string[]): Promise<string> {
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  if (verbs.length > 0) {
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name }, rules: [{ apiGroups: ['keelson.dev'], resources: ['environments'], verbs }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    });
  }
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns,
    body: { spec: { expirationSeconds: 3600 } },
  });
  return tr.status?.token ?? assert.fail(`no token for ${name}`);
}

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

async function annotations(plural: string, name: string): Promise<Record<string, string>> {
  const obj = (await custom.getNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace: ns,
    plural,
    name,
  })) as { metadata: { annotations?: Record<string, string> } };
  return obj.metadata.annotations ?? {};
}

describe('REST API and webhook receiver', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'api');
    const create = (plural: string, kind: string, name: string, spec: unknown) =>
      custom.createNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural,
        body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
      });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'webhook' }, stringData: { token: 'hook-s3cret' } },
    });
    await create('gitrepositories', 'GitRepository', 'deploy', {
      url: `https://git.example.com/${ns}/deploy.git`,
      webhookSecretRef: { name: 'webhook' },
    });
    await create('environments', 'Environment', 'prod', { sourceRef: { name: 'deploy' }, environment: 'prod' });
    tokens.nobody = await serviceAccountWith('nobody', []);
    tokens.viewer = await serviceAccountWith('viewer', ['get', 'list']);
    tokens.deployer = await serviceAccountWith('deployer', ['get', 'sync', 'rollback']);
    const resources = new KeelsonResources(kc);
    server = new HttpServer({ listen: '127.0.0.1:0' });
    mountApi(server, { resources, auth: new KubernetesAuth(kc), log: silentLogger });
    mountWebhook(server, { resources, kubeConfig: kc, log: silentLogger });
    base = `http://127.0.0.1:${await server.start()}`;
  });
  after(async () => {
    await server?.stop();
    await deleteNamespace(kc, ns);
  });

  it('refuses a caller without a token, and one whose token the cluster does not accept', async () => {
    assert.equal((await call('GET', `/api/v1/environments?namespace=${ns}`)).status, 401);
    const r = await call('GET', `/api/v1/environments?namespace=${ns}`, 'not-a-token');
    assert.equal(r.status, 401);
    assert.match(String(r.json.error), /not accepted by the cluster/);
  });

  it('lets RBAC decide: no role means 403, naming what was refused', async () => {
    const r = await call('GET', `/api/v1/environments?namespace=${ns}`, tokens.nobody);
    assert.equal(r.status, 403);
    assert.equal(r.json.error, `system:serviceaccount:${ns}:nobody may not list environments in namespace ${ns}`);
  });

  it('lets a viewer list and read, but not sync', async () => {
    const list = await call('GET', `/api/v1/environments?namespace=${ns}`, tokens.viewer);
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.json.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
      ['prod'],
    );
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/environments/prod`, tokens.viewer)).status, 200);
    assert.deepEqual((await call('GET', `/api/v1/namespaces/${ns}/environments/prod/history`, tokens.viewer)).json, {
      items: [],
    });
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/environments/staging`, tokens.viewer)).status, 404);
    const sync = await call('POST', `/api/v1/namespaces/${ns}/environments/prod/sync`, tokens.viewer, {});
    assert.equal(sync.status, 403);
    assert.match(String(sync.json.error), /may not sync environments prod/);
  });

  it('lets a deployer with verb sync ask for a sync, recorded with who asked', async () => {
    const commit = 'd'.repeat(40);
    const r = await call('POST', `/api/v1/namespaces/${ns}/environments/prod/sync`, tokens.deployer, {
      revision: commit,
    });
    assert.equal(r.status, 202);
    const a = await annotations('environments', 'prod');
    assert.match(a['keelson.dev/sync-requested-at']!, new RegExp(`@${commit}$`));
    assert.equal(a['keelson.dev/sync-requested-by'], `system:serviceaccount:${ns}:deployer`);
    assert.equal(
      (await call('POST', `/api/v1/namespaces/${ns}/environments/prod/sync`, tokens.deployer, { revision: 'HEAD' }))
        .status,
      400,
    );
    assert.equal(
      (await call('POST', `/api/v1/namespaces/${ns}/environments/prod/sync`, tokens.deployer, '[1]')).status,
      400,
    );
  });

  it('answers a rollback with nothing to roll back to with 409', async () => {
    const r = await call('POST', `/api/v1/namespaces/${ns}/environments/prod/rollback`, tokens.deployer, {});
    assert.equal(r.status, 409);
    assert.match(String(r.json.error), /nothing to roll back to/);
  });

  it('refreshes the GitRepository named by a GitHub push signed with its webhook token', async () => {
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      repository: { clone_url: `https://git.example.com/${ns}/deploy.git` },
    });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    const bad = await call('POST', '/api/webhook', undefined, payload, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign('wrong'),
    });
    assert.equal(bad.status, 401);
    assert.equal((await annotations('gitrepositories', 'deploy'))['keelson.dev/refresh-requested-at'], undefined);
    const good = await call('POST', '/api/webhook', undefined, payload, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign('hook-s3cret'),
    });
    assert.equal(good.status, 202);
    assert.deepEqual(good.json, { refreshed: 1 });
    assert.ok((await annotations('gitrepositories', 'deploy'))['keelson.dev/refresh-requested-at']);
  });
});
