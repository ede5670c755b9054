// The sync engine against the real control plane: waves, hooks, SyncFail, health while a
// Deployment rolls out on kwok nodes, and resuming an interrupted operation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import { assessHealth } from '../../../operator/src/core/health/index.ts';
import type { HealthStatus } from '../../../operator/src/core/health/index.ts';
import { createTestNamespace, deleteNamespace, eventually } from '../../harness/kube.ts';
import {
  configMap,
  createEnvironment,
  deployment,
  executorFor,
  hookJob,
  imageOf,
  jobsOf,
  kc,
  persistOperation,
  readDeployment,
  readOperation,
} from './sync-fixtures.ts';

describe('sync operation', () => {
  let ns = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'sync-op');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('a Deployment rolls out through kwok and reports Progressing then Healthy', async () => {
    await createEnvironment(ns, 'rollout');
    const executor = await executorFor(ns, 'rollout');
    const desired = [deployment(ns, 'web', 'registry.example/web:1', { replicas: 3 })];
    let { operation } = await executor.start({
      id: 'rollout-1',
      revision: 'main@sha1:1',
      desired,
      inventory: [],
      prune: false,
    });
    const seen: HealthStatus[] = [];
    while (operation.phase === 'Running') {
      const outcome = await executor.step(operation, desired);
      operation = outcome.operation;
      const health = assessHealth(await readDeployment(ns, 'web')).status;
      if (seen.at(-1) !== health) seen.push(health);
      if (outcome.requeueAfterMs > 0) await new Promise((r) => setTimeout(r, 200));
    }
    executor.close();
    assert.equal(operation.phase, 'Succeeded', operation.message);
    assert.ok(seen.includes('Progressing'), `health went ${seen.join(' → ')}`);
    assert.equal(seen.at(-1), 'Healthy');
    const live = await readDeployment(ns, 'web');
    assert.equal(live!.metadata.labels!['keelson.dev/environment'], 'rollout');
    assert.equal(live!.metadata.annotations!['keelson.dev/owner'], `${ns}/rollout`);
    const managers = (live!.metadata.managedFields as { manager: string; operation: string }[])
      .filter((m) => m.operation === 'Apply')
      .map((m) => m.manager);
    assert.deepEqual(managers, ['keelson']);
    // Nothing here must not run twice (no hook, no prune): step() checkpointed nothing, and
    // the caller's own status write carries the operation.
    await assert.rejects(readOperation(ns, 'rollout'), /has no status\.operation/);
  });

  it('a PreSync Job runs to completion before the Deployment changes', async () => {
    await createEnvironment(ns, 'presync');
    const executor = await executorFor(ns, 'presync');
    const v1 = [deployment(ns, 'api', 'registry.example/api:1')];
    const first = await executor.start({
      id: 'presync-1',
      revision: 'main@sha1:1',
      desired: v1,
      inventory: [],
      prune: false,
    });
    assert.equal((await executor.run(first.operation, v1)).phase, 'Succeeded');
    const migrate = hookJob(
      ns,
      'migrate',
      { 'keelson.dev/hook': 'PreSync' },
      { 'test.keelson.dev/complete-after': '3s' },
    );
    const v2 = [deployment(ns, 'api', 'registry.example/api:2'), migrate];
    let { operation } = await executor.start({
      id: 'presync-2',
      revision: 'main@sha1:2',
      desired: v2,
      inventory: [],
      prune: false,
    });
    let sawHookRunningWithOldImage = false;
    while (operation.phase === 'Running') {
      operation = (await executor.step(operation, v2)).operation;
      const [job] = await jobsOf(ns, 'migrate');
      const complete = job?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
      const image = imageOf(await readDeployment(ns, 'api'));
      if (image === 'registry.example/api:2')
        assert.ok(complete, 'the Deployment changed before the PreSync Job completed');
      if (job && !complete && image === 'registry.example/api:1') sawHookRunningWithOldImage = true;
      await new Promise((r) => setTimeout(r, 200));
    }
    executor.close();
    assert.equal(operation.phase, 'Succeeded', operation.message);
    assert.ok(sawHookRunningWithOldImage, 'the hook Job was seen running while the Deployment still had the old image');
    assert.equal(imageOf(await readDeployment(ns, 'api')), 'registry.example/api:2');
  });

  it('a failing PreSync hook Job runs the SyncFail hook and fails the operation without applying', async () => {
    await createEnvironment(ns, 'failing');
    const executor = await executorFor(ns, 'failing');
    const desired = [
      deployment(ns, 'never', 'registry.example/never:1'),
      hookJob(ns, 'broken-migrate', { 'keelson.dev/hook': 'PreSync' }, { 'test.keelson.dev/outcome': 'fail' }),
      hookJob(ns, 'page-oncall', { 'argocd.argoproj.io/hook': 'SyncFail' }),
    ];
    const { operation } = await executor.start({
      id: 'failing-1',
      revision: 'main@sha1:1',
      desired,
      inventory: [],
      prune: false,
    });
    const done = await executor.run(operation, desired);
    executor.close();
    assert.equal(done.phase, 'Failed');
    assert.match(done.message!, /PreSync Job .*\/broken-migrate.*failed/);
    assert.equal(await readDeployment(ns, 'never'), undefined, 'nothing of the Sync phase was applied');
    const [page] = await jobsOf(ns, 'page-oncall');
    assert.ok(
      page?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
      'the SyncFail Job ran to completion',
    );
    const persisted = await readOperation(ns, 'failing');
    assert.equal(persisted.phase, 'Failed');
    assert.equal(persisted.tasks!.find((t) => t.phase === 'SyncFail')!.status, 'Succeeded');
  });

  it('creates a Namespace and a CRD before the objects that need them, in one sync', async () => {
    await createEnvironment(ns, 'containers');
    const executor = await executorFor(ns, 'containers');
    const newNs = `${ns}-new`;
    const group = `${ns}.test.keelson.dev`;
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    };
    const desired: KubeObject[] = [
      configMap(newNs, 'inside'),
      { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w', namespace: newNs }, spec: { size: 3 } },
      crd,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: newNs } },
    ];
    try {
      const { operation } = await executor.start({
        id: 'containers-1',
        revision: 'main@sha1:1',
        desired,
        inventory: [],
        prune: false,
      });
      const done = await executor.run(operation, desired);
      assert.equal(done.phase, 'Succeeded', done.message);
      assert.ok(
        await executor.live.get({ apiVersion: `${group}/v1`, key: { kind: 'Widget', namespace: newNs, name: 'w' } }),
        'the Widget exists',
      );
      assert.ok(
        await executor.live.get({ apiVersion: 'v1', key: { kind: 'ConfigMap', namespace: newNs, name: 'inside' } }),
        'the ConfigMap exists',
      );
    } finally {
      executor.close();
      await deleteNamespace(kc, newNs);
      await kc
        .makeApiClient(k8s.ApiextensionsV1Api)
        .deleteCustomResourceDefinition({ name: `widgets.${group}` })
        .catch(() => undefined);
    }
  });

  it('applies nothing when the dry-run of any object fails', async () => {
    await createEnvironment(ns, 'invalid');
    const executor = await executorFor(ns, 'invalid');
    const broken = deployment(ns, 'broken', 'registry.example/broken:1');
    (broken.spec as { replicas: number }).replicas = -1;
    const desired = [configMap(ns, 'valid-but-never-applied'), broken];
    const { operation } = await executor.start({
      id: 'invalid-1',
      revision: 'main@sha1:1',
      desired,
      inventory: [],
      prune: false,
    });
    const done = await executor.run(operation, desired);
    assert.equal(done.phase, 'Failed');
    assert.match(done.message!, /dry-run failed, nothing was applied: Deployment .*\/broken: .*replicas/);
    assert.equal(
      await executor.live.get({
        apiVersion: 'v1',
        key: { kind: 'ConfigMap', namespace: ns, name: 'valid-but-never-applied' },
      }),
      undefined,
    );
    executor.close();
  });

  it('hook delete policies: BeforeHookCreation replaces the last run, HookSucceeded removes a finished hook', async () => {
    await createEnvironment(ns, 'policies');
    const executor = await executorFor(ns, 'policies');
    const desired = [
      configMap(ns, 'app-config'),
      hookJob(ns, 'prepare', { 'keelson.dev/hook': 'PreSync' }),
      hookJob(ns, 'smoke', {
        'keelson.dev/hook': 'PostSync',
        'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
      }),
    ];
    for (const id of ['policies-1', 'policies-2']) {
      const { operation } = await executor.start({ id, revision: 'main@sha1:1', desired, inventory: [], prune: false });
      const done = await executor.run(operation, desired);
      assert.equal(done.phase, 'Succeeded', done.message);
    }
    const second = await readOperation(ns, 'policies');
    const prepareName = second.tasks!.find((t) => t.key.endsWith('/prepare'))!.hookName!;
    const prepared = await eventually(
      async () => {
        const jobs = (await jobsOf(ns, 'prepare')).filter((j) => !j.metadata!.deletionTimestamp);
        return jobs.length === 1 ? jobs : undefined;
      },
      { message: 'exactly one prepare Job left' },
    );
    assert.equal(prepared[0]!.metadata!.name, prepareName, 'the Job left is the one of the latest operation');
    await eventually(
      async () => (await jobsOf(ns, 'smoke')).filter((j) => !j.metadata!.deletionTimestamp).length === 0,
      { message: 'smoke Jobs deleted after they succeeded' },
    );
    executor.close();
  });

  it("applies as the Environment's ServiceAccount, which may only do what its Role allows", async () => {
    await createEnvironment(ns, 'limited');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'deployer' } } });
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'configmaps-only' },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'patch', 'update', 'delete'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmaps-only' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
    });
    const executor = await executorFor(ns, 'limited', { serviceAccountName: 'deployer' });
    const allowed = [configMap(ns, 'allowed')];
    const first = await executor.start({
      id: 'limited-1',
      revision: 'main@sha1:1',
      desired: allowed,
      inventory: [],
      prune: false,
    });
    assert.equal((await executor.run(first.operation, allowed)).phase, 'Succeeded');
    const forbidden = [configMap(ns, 'allowed'), deployment(ns, 'not-allowed', 'registry.example/x:1')];
    const second = await executor.start({
      id: 'limited-2',
      revision: 'main@sha1:2',
      desired: forbidden,
      inventory: [],
      prune: false,
    });
    const done = await executor.run(second.operation, forbidden);
    executor.close();
    assert.equal(done.phase, 'Failed');
    assert.match(done.message!, /Deployment .*\/not-allowed: .*forbidden.*system:serviceaccount:.*:deployer/);
    assert.equal(await readDeployment(ns, 'not-allowed'), undefined);
  });

  it('an operation interrupted after its hook started resumes without running the hook again', async () => {
    await createEnvironment(ns, 'resume');
    const desired = [
      hookJob(ns, 'seed', { 'keelson.dev/hook': 'PreSync' }),
      configMap(ns, 'settings'),
      deployment(ns, 'db', 'registry.example/db:1', { annotations: { 'keelson.dev/sync-wave': '0' } }),
      deployment(ns, 'app', 'registry.example/app:1', { annotations: { 'keelson.dev/sync-wave': '1' } }),
    ];
    // The operator dies right after its checkpoint recorded the hook Job as created.
    const killed = new Error('operator killed');
    const first = await executorFor(ns, 'resume', {
      persist: async (op) => {
        await persistOperation(ns, 'resume', op);
        if (op.tasks!.some((t) => t.hookName && t.applied)) throw killed;
      },
    });
    const { operation } = await first.start({
      id: 'resume-1',
      revision: 'main@sha1:1',
      desired,
      inventory: [],
      prune: false,
    });
    await assert.rejects(first.run(operation, desired), (err) => err === killed);
    first.close();
    const persisted = await readOperation(ns, 'resume');
    assert.ok(persisted.tasks!.find((t) => t.hookName)?.applied, 'the checkpoint recorded the hook as created');
    assert.equal((await jobsOf(ns, 'seed')).length, 1, 'the hook Job exists');
    assert.equal(await readDeployment(ns, 'app'), undefined, 'wave 1 was not applied before the operator died');

    const resumed = await executorFor(ns, 'resume');
    const done = await resumed.run(persisted, desired);
    resumed.close();
    assert.equal(done.phase, 'Succeeded', done.message);
    assert.equal(imageOf(await readDeployment(ns, 'app')), 'registry.example/app:1');
    assert.equal((await jobsOf(ns, 'seed')).length, 1, 'the PreSync hook ran once');
  });
});
