// Every operation ends, and ends once: an operation whose step throws (its ServiceAccount lost
// the right to read what it waits for) fails at spec.timeout naming the step and the reason,
// and the next revision is synced; an operator killed inside a slow Sync wave resumes it,
// applies every object, and runs nothing twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);

/**
 * A deploy repo whose Sync waits `seconds` on a Job of wave 1 (not a hook: kwok completes its
 * pod after that long), between a ConfigMap of wave 0 and one of wave 2; with a PreSync hook.
 */
function slowWaveRepo(version: string, seconds: number): Record<string, string> {
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, Hook, defineEnvironments } from '@keelson/cdk8s-app';

const job = (scope: any, id: string, seconds: number) => new ApiObject(scope, id, {
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: id },
  spec: { backoffLimit: 0, template: { metadata: { annotations: { 'test.keelson.dev/complete-after': seconds + 's' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/job:${version}' }] } } },
});

class Slow extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    Hook.mark(job(this, 'prepare', 1), { phase: 'PreSync' });
    new ApiObject(this, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', annotations: { 'keelson.dev/sync-wave': '0' } }, data: { version: '${version}' } });
    job(this, 'slow-${version}', ${seconds}).metadata.addAnnotation('keelson.dev/sync-wave', '1');
    new ApiObject(this, 'last', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'last', annotations: { 'keelson.dev/sync-wave': '2' } }, data: { version: '${version}' } });
  }
}

export default defineEnvironments({ dev: (env) => { new Slow(env, 'slow'); } });
`,
  };
}

describe('operations that always end, and end once', () => {
  const story = new Story(kc);
  const started: OperatorProcess[] = [];
  const operator = async (cacheDir?: string) => {
    const op = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
      ...(cacheDir ? { cacheDir } : {}),
    });
    started.push(op);
    await op.start();
    return op;
  };
  const role = (verbs: string[]): k8s.V1Role => ({
    metadata: { name: 'deployer' },
    rules: [
      {
        apiGroups: [''],
        resources: ['configmaps'],
        verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
      },
      { apiGroups: ['batch'], resources: ['jobs'], verbs },
    ],
  });
  const allJobVerbs = ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'];

  before(async () => {
    await story.setUp({
      prefix: 'ends',
      files: slowWaveRepo('v1', 1),
      environments: { dev: { sync: { automated: { prune: true } }, serviceAccountName: 'deployer', timeout: '20s' } },
    });
    const ns = story.ns;
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'deployer' } } });
    // The ServiceAccount acts in the target namespace; its Role there grants what the repo needs.
    await rbac.createNamespacedRole({ namespace: story.targets.dev!, body: role(allJobVerbs) });
    await rbac.createNamespacedRoleBinding({
      namespace: story.targets.dev!,
      body: {
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
    });
  });
  after(async () => {
    for (const op of started) await op.kill();
    await story.tearDown();
  });

  it('fails an operation whose step keeps throwing at spec.timeout, naming the step and why, and syncs the next revision', async () => {
    const op = await operator();
    await story.until('dev', 'v1 synced', (e) => e.status?.operation?.phase === 'Succeeded');
    const slow = await story.repo.commit(slowWaveRepo('v2', 120), 'v2 with a slow wave');
    await story.refresh();
    await story.until(
      'dev',
      'v2 waiting on its slow Job',
      (e) =>
        e.status?.operation?.phase === 'Running' &&
        commitOf(e.status.operation.revision) === slow &&
        /Sync wave 1/.test(e.status.operation.message ?? ''),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // The ServiceAccount may no longer read Jobs: every step (and comparison) of the sync now throws.
    await rbac.replaceNamespacedRole({
      name: 'deployer',
      namespace: story.targets.dev!,
      body: role(['create', 'patch', 'update', 'delete']),
    });
    const failed = await story.until(
      'dev',
      'v2 failed at its timeout',
      (e) => e.status?.operation?.phase === 'Failed' && commitOf(e.status.operation.revision) === slow,
      { timeoutMs: 60_000 },
    );
    const message = failed.status!.operation!.message!;
    assert.match(message, /^the operation did not finish within 20 s: /);
    assert.match(message, /failed: .*forbidden/i, message);
    const started = Date.parse(failed.status!.operation!.startedAt);
    const finished = Date.parse(failed.status!.operation!.finishedAt!);
    assert.ok(finished - started < 45_000, `ended ${(finished - started) / 1000} s after it started`);
    assert.equal(failed.status!.operation!.tasks!.find((t) => t.key.endsWith('/last'))!.status, 'Skipped');
    const events = await core.listNamespacedEvent({
      namespace: story.ns,
      fieldSelector: 'involvedObject.name=dev,reason=SyncFailed',
    });
    assert.ok(
      events.items.some((e) => /did not finish within 20 s/.test(e.message ?? '')),
      'a SyncFailed event says why',
    );

    await rbac.replaceNamespacedRole({ name: 'deployer', namespace: story.targets.dev!, body: role(allJobVerbs) });
    const next = await story.repo.commit(slowWaveRepo('v3', 1), 'v3');
    await story.refresh();
    await story.until(
      'dev',
      'v3 synced',
      (e) => e.status?.operation?.phase === 'Succeeded' && commitOf(e.status.operation.revision) === next,
      { timeoutMs: 90_000 },
    );
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'last', namespace: story.targets.dev! })).data?.version,
      'v3',
    );
    await op.kill();
  });

  it('resumes a sync killed inside a slow Sync wave: every object applied, nothing run twice', async () => {
    const ns = story.targets.dev!;
    const first = await operator();
    await story.until(
      'dev',
      'settled',
      (e) => e.status?.operation?.phase === 'Succeeded' || e.status?.operation?.phase === 'Failed',
    );
    const commit = await story.repo.commit(slowWaveRepo('v4', 10), 'v4 with a slow wave');
    await story.refresh();
    const running = await story.until(
      'dev',
      'v4 waiting on its slow Job',
      (e) =>
        e.status?.operation?.phase === 'Running' &&
        commitOf(e.status.operation.revision) === commit &&
        /Sync wave 1/.test(e.status.operation.message ?? ''),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const opId = running.status!.operation!.id;
    const hookJobs = async () =>
      (await batch.listNamespacedJob({ namespace: ns, labelSelector: 'keelson.dev/hook-of=prepare' })).items.filter(
        (j) => j.metadata?.annotations?.['keelson.dev/operation'] === opId,
      );
    const hookBefore = await hookJobs();
    const slowBefore = await batch.readNamespacedJob({ name: 'slow-v4', namespace: ns });
    const firstBefore = await core.readNamespacedConfigMap({ name: 'first', namespace: ns });
    await first.kill();
    assert.equal(hookBefore.length, 1, 'the PreSync hook ran before the kill');
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'last', namespace: ns })).data?.version,
      'v3',
      'wave 2 not applied before the kill',
    );

    const second = await operator(first.cacheDir);
    const done = await story.until(
      'dev',
      'v4 finished after the restart',
      (e) => e.status?.operation?.id === opId && e.status.operation.phase !== 'Running',
      { timeoutMs: 90_000 },
    );
    assert.equal(done.status!.operation!.phase, 'Succeeded', done.status!.operation!.message);
    const hookAfter = await hookJobs();
    assert.deepEqual(
      hookAfter.map((j) => j.metadata!.uid),
      hookBefore.map((j) => j.metadata!.uid),
      'the hook ran once',
    );
    assert.equal(
      (await batch.readNamespacedJob({ name: 'slow-v4', namespace: ns })).metadata!.uid,
      slowBefore.metadata!.uid,
      'the slow Job was not made again',
    );
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'first', namespace: ns })).metadata!.resourceVersion,
      firstBefore.metadata!.resourceVersion,
      'wave 0 was not changed again',
    );
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'last', namespace: ns })).data?.version,
      'v4',
      'wave 2 applied after the restart',
    );
    assert.match(second.logs(), /resuming a sync/);
    await second.stop();
  });
});
