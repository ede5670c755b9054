// The leak test: the operator (as its own process, at debug log level) syncs the example
// deploy repo's dev environment with secrets from a pass store fetched over Git, then an
// entry changes and the Secret follows. A known secret value — as written or base64 — must
// appear nowhere: operator logs, events, Environment and GitRepository status, metrics, the
// REST API, and the output of the keelson CLI. An environment whose key is not a recipient
// stops with SecretsResolved=False, naming the pass paths, before anything is applied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { ANNOTATION_SECRET_HASH } from '../../../operator/src/core/keys.ts';
import { pushExamplePassStore, pushExampleRepo, type ExamplePassStore } from '../../harness/example-deploy-repo.ts';
import { GitServer } from '../../harness/git-server.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { PassStoreDir, secretValuesOf } from '../../harness/pass-store.ts';

const KEELSON = join(REPO_ROOT, 'operator/src/cli/main.ts');
const ROTATED = 'dev-db-rotated-pw-6604';
const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('no secret value leaks during a full sync', () => {
  let ns = '';
  let target = '';
  let strangerTarget = '';
  let git: GitServer;
  let store: ExamplePassStore;
  let operator: OperatorProcess | undefined;
  let work: string;
  const collected: { where: string; text: string }[] = [];

  const keelson = (args: string[]) => {
    const res = spawnSync(process.execPath, [KEELSON, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, KEELSON_CACHE: join(work, 'cli-cache') },
    });
    collected.push({ where: `keelson ${args.slice(0, 2).join(' ')}`, text: `${res.stdout}\n${res.stderr}` });
    return res;
  };
  const apiSecret = (name: string) => core.readNamespacedSecret({ namespace: target, name });
  const environment = async () =>
    (await custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'environments',
      name: 'dev',
    })) as { status?: Record<string, unknown> & { sync?: { status?: string }; health?: { status?: string } } };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'keelson-leak-'));
    ns = await createTestNamespace(kc, 'leak');
    target = await createTestNamespace(kc, 'leak-dev');
    git = await GitServer.start();
    await pushExampleRepo(git, 'deploy');
    store = await pushExamplePassStore(git, 'pass-store');
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'git' },
        stringData: { username: git.credentials.username, password: git.credentials.password },
      },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'pass-key' }, stringData: { 'private.asc': store.key.privateKey } },
    });
    const create = (plural: string, kind: string, name: string, spec: unknown) =>
      custom.createNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural,
        body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
      });
    await create('gitrepositories', 'GitRepository', 'deploy', {
      url: git.url('deploy'),
      insecure: true,
      secretRef: { name: 'git' },
      interval: '10s',
    });
    await create('gitrepositories', 'GitRepository', 'pass-store', {
      url: git.url('pass-store'),
      insecure: true,
      secretRef: { name: 'git' },
      interval: '2s',
    });
    await create('environments', 'Environment', 'dev', {
      sourceRef: { name: 'deploy' },
      environment: 'dev',
      targetNamespace: target,
      sync: { automated: { prune: true, selfHeal: true } },
      secrets: { pass: { sourceRef: { name: 'pass-store' }, keySecretRef: { name: 'pass-key' } } },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      cacheDir: join(work, 'cache'),
      args: [`--namespaces=${ns}`, '--resync-interval=5s'],
    });
    await operator.start();
  });

  after(async () => {
    await operator?.stop();
    await git?.stop();
    store?.dispose();
    await deleteNamespace(kc, ns);
    await deleteNamespace(kc, target);
    if (strangerTarget) await deleteNamespace(kc, strangerTarget);
    rmSync(work, { recursive: true, force: true });
  });

  it('syncs the dev environment with the values from the store, so a leak would have something to leak', async () => {
    const first = store.entries['dev/db']!.split('\n')[0]!;
    try {
      await eventually(
        async () => {
          const s = await apiSecret('api-db').catch(() => undefined);
          return s?.data?.password === b64(first) && s.data.username === b64('dev_user');
        },
        { timeoutMs: 120_000, message: `Secret ${target}/api-db filled from the store` },
      );
      await eventually(async () => (await environment()).status?.sync?.status === 'Synced', {
        timeoutMs: 120_000,
        message: 'Environment dev Synced',
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\nEnvironment status: ${JSON.stringify((await environment()).status)}\noperator log tail:\n${operator?.logs().slice(-3000)}`,
      );
    }
  });

  it('a changed entry re-applies the Secret: the values hash changes and the data follows', async () => {
    const before = (await apiSecret('api-db')).metadata?.annotations?.[ANNOTATION_SECRET_HASH];
    assert.match(before ?? '', /^hmac-sha256:/);
    const dir = new PassStoreDir(store.home, join(store.home.dir, 'store'));
    dir.insert('dev/db', `${ROTATED}\nuser: dev_user\n`);
    await dir.push(git.authenticatedUrl('pass-store'), 'rotate dev/db');
    const after = await eventually(
      async () => {
        const s = await apiSecret('api-db');
        return s.data?.password === b64(ROTATED) && s.metadata?.annotations?.[ANNOTATION_SECRET_HASH];
      },
      { timeoutMs: 90_000, message: 'Secret api-db re-applied with the rotated value' },
    );
    assert.notEqual(after, before);
    await eventually(
      async () => {
        const s = (await environment()).status as
          { sync?: { status?: string }; operation?: { phase?: string } } | undefined;
        return s?.sync?.status === 'Synced' && s.operation?.phase === 'Succeeded';
      },
      { timeoutMs: 90_000, message: 'dev Synced again after the rotation' },
    );
  });

  it('a key that is not a recipient sets SecretsResolved=False naming the pass paths, and nothing of that environment is applied', async () => {
    const stranger = store.home.generateKey({ type: 'ed25519', name: 'Stranger' });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'stranger-key' }, stringData: { 'private.asc': stranger.privateKey } },
    });
    strangerTarget = await createTestNamespace(kc, 'leak-prod');
    await custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'environments',
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name: 'prod' },
        spec: {
          sourceRef: { name: 'deploy' },
          environment: 'prod',
          targetNamespace: strangerTarget,
          sync: { automated: {} },
          secrets: { pass: { sourceRef: { name: 'pass-store' }, keySecretRef: { name: 'stranger-key' } } },
        },
      },
    });
    const condition = await eventually(
      async () => {
        const env = (await custom.getNamespacedCustomObject({
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'environments',
          name: 'prod',
        })) as { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } };
        return env.status?.conditions?.find((c) => c.type === 'SecretsResolved' && c.status === 'False');
      },
      { timeoutMs: 90_000, message: 'SecretsResolved=False on Environment prod' },
    );
    assert.equal(condition.reason, 'NotARecipient');
    assert.match(condition.message, /prod\/db"/);
    assert.match(condition.message, /prod\/db-admin"/);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    assert.deepEqual((await apps.listNamespacedDeployment({ namespace: strangerTarget })).items, []);
    assert.deepEqual(
      (await core.listNamespacedSecret({ namespace: strangerTarget })).items
        .filter((x) => x.type !== 'kubernetes.io/service-account-token')
        .map((x) => x.metadata?.name),
      [],
    );
  });

  it('no value, as written or base64, is in logs, events, status, metrics, API responses or CLI output', async () => {
    // Status of everything Keelson owns.
    collected.push({ where: 'Environment dev', text: JSON.stringify(await environment()) });
    collected.push({
      where: 'Environment prod',
      text: JSON.stringify(
        await custom.getNamespacedCustomObject({
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'environments',
          name: 'prod',
        }),
      ),
    });
    for (const name of ['deploy', 'pass-store']) {
      collected.push({
        where: `GitRepository ${name}`,
        text: JSON.stringify(
          await custom.getNamespacedCustomObject({
            group: 'keelson.dev',
            version: 'v1alpha1',
            namespace: ns,
            plural: 'gitrepositories',
            name,
          }),
        ),
      });
    }
    // Events in both namespaces.
    for (const namespace of [ns, target, strangerTarget])
      collected.push({
        where: `events in ${namespace}`,
        text: JSON.stringify((await core.listNamespacedEvent({ namespace })).items),
      });
    // Metrics and the REST API, on the ports the operator logged.
    const serving = { metricsPort: operator!.metricsPort, apiPort: operator!.apiPort };
    assert.ok(serving?.metricsPort && serving.apiPort, 'the operator logged its ports');
    collected.push({
      where: 'metrics',
      text: await (await fetch(`http://127.0.0.1:${serving.metricsPort}/metrics`)).text(),
    });
    const token = await viewerToken(ns);
    for (const path of ['', '/resources', '/history', '/diff']) {
      const res = await fetch(`http://127.0.0.1:${serving.apiPort}/api/v1/namespaces/${ns}/environments/dev${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      collected.push({ where: `API ${path || '/'} (${res.status})`, text });
      if (path === '/resources') assert.match(text, /"kind":"Secret"[^}]*"name":"api-db"/, 'the API lists the Secret');
      else if (path !== '/diff') assert.equal(res.status, 200, text);
    }
    // The CLI a person would use.
    assert.match(keelson(['list', '-n', ns]).stdout, /^dev\s+Synced/m);
    keelson(['get', 'dev', '-n', ns, '-o', 'yaml']);
    keelson(['history', 'dev', '-n', ns]);
    writeFileSync(join(work, 'key.asc'), store.key.privateKey);
    const check = keelson([
      'secrets',
      'check',
      join(REPO_ROOT, 'cdk8s-app/example'),
      '--env',
      'dev',
      '--store',
      join(store.home.dir, 'store'),
      '--key',
      join(work, 'key.asc'),
    ]);
    assert.equal(check.status, 0, check.stderr);
    // The operator's own output, last, after everything above happened.
    collected.push({ where: 'operator logs', text: operator!.logs() });

    assert.ok(operator!.logs().includes('controllers started'), 'the operator logged');
    if (process.env.KEELSON_LEAK_DUMP) writeFileSync(process.env.KEELSON_LEAK_DUMP, JSON.stringify(collected, null, 1));
    const values = [...secretValuesOf(store.entries), ROTATED];
    const leaks: string[] = [];
    for (const { where, text } of collected) {
      for (const value of values) {
        if (text.includes(value)) leaks.push(`${where}: "${value}"`);
        if (text.includes(b64(value))) leaks.push(`${where}: base64 of "${value}"`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});

/** A ServiceAccount token allowed to get and list Environments: what the API checks with RBAC. */
async function viewerToken(namespace: string): Promise<string> {
  const name = 'leak-viewer';
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name },
      rules: [{ apiGroups: ['keelson.dev'], resources: ['environments'], verbs: ['get', 'list'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { expirationSeconds: 3600 } },
  });
  return tr.status?.token ?? assert.fail('no token');
}
