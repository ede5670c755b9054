// Deleting an Environment with deletionPolicy Delete, as an Argo CD user expects of an
// Application with its finalizer: the PreDelete hook runs first (Argo CD's annotation), the
// managed objects are deleted in reverse wave order, then the PostDelete hook runs, and the
// Environment goes. A failing PreDelete hook blocks the deletion with a clear condition and
// leaves everything in place; a commit that fixes the hook lets the deletion finish.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { objectsDeployRepo } from '../../harness/objects-repo.ts';
import { Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);

type Obj = Record<string, unknown>;

const deployRepo = (objects: readonly Obj[]) => objectsDeployRepo('dev', objects);

const configMap = (name: string, wave: number): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, annotations: { 'keelson.dev/sync-wave': String(wave) } },
  data: { a: '1' },
});

/** A hook Job, kept after it ends (deleted only before the next of its kind), so the test can see that it ran. */
const hookJob = (name: string, phase: string, outcome: 'succeed' | 'fail'): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    annotations: { 'argocd.argoproj.io/hook': phase, 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
  },
  spec: {
    backoffLimit: 0,
    template: {
      metadata: { annotations: outcome === 'fail' ? { 'test.keelson.dev/outcome': 'fail' } : {} },
      spec: { restartPolicy: 'Never', containers: [{ name, image: 'tools:1' }] },
    },
  },
});

describe('deleting an Environment with deletionPolicy Delete', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let failedBackup = '';
  const ns = () => story.targets.dev!;
  const environments = () => ({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace: story.ns,
    plural: 'environments',
  });
  const exists = (name: string) =>
    core.readNamespacedConfigMap({ name, namespace: ns() }).then(
      () => true,
      () => false,
    );
  const hookJobs = async (prefix: string) =>
    (await batch.listNamespacedJob({ namespace: ns() })).items.filter((j) => j.metadata?.name?.startsWith(prefix));

  before(async () => {
    const objects = [configMap('early', 0), configMap('late', 1), hookJob('backup', 'PreDelete', 'fail')];
    await story.setUp({
      prefix: 'envdel',
      files: deployRepo([...objects, hookJob('goodbye', 'PostDelete', 'succeed')]),
      environments: { dev: { deletionPolicy: 'Delete', sync: { automated: { prune: true } } } },
    });
    operator = await story.startOperator();
    await story.until('dev', 'dev synced', (e) => e.status?.operation?.phase === 'Succeeded');
    await story.until('dev', 'the finalizer on dev', (e) =>
      (e.metadata.finalizers ?? []).includes('keelson.dev/finalizer'),
    );
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
  });

  it('a sync runs no delete hook', async () => {
    assert.ok((await exists('early')) && (await exists('late')));
    assert.deepEqual(await hookJobs('backup'), []);
    assert.deepEqual(await hookJobs('goodbye'), []);
  });

  it('a failing PreDelete hook blocks the deletion, says so, and leaves everything in place', async () => {
    await story.custom.deleteNamespacedCustomObject({ ...environments(), name: 'dev' });
    const env = await story.until('dev', 'deletion blocked', (e) =>
      Boolean(e.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'DeletionBlocked')),
    );
    const ready = env.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.match(ready.message, /deletion blocked: .*backup/);
    assert.match(ready.message, /remove the finalizer keelson\.dev\/finalizer by hand/);
    assert.equal(env.status?.operation?.deletion, true);
    assert.ok((await exists('early')) && (await exists('late')), 'nothing deleted');
    const [backup] = await hookJobs('backup');
    assert.ok(backup, 'the PreDelete hook ran');
    failedBackup = backup.metadata!.uid!;
    assert.deepEqual(await hookJobs('goodbye'), [], 'no PostDelete hook before the objects are deleted');
  });

  it('a commit that fixes the hook lets the deletion finish: objects deleted, then the PostDelete hook', async () => {
    const fixed = [configMap('early', 0), configMap('late', 1), hookJob('backup', 'PreDelete', 'succeed')];
    await story.repo.commit(deployRepo([...fixed, hookJob('goodbye', 'PostDelete', 'succeed')]), 'fix the backup hook');
    await story.refresh();
    await eventually(
      () =>
        story.environment('dev').then(
          () => false,
          () => true,
        ),
      { message: 'dev gone', timeoutMs: 90_000 },
    );
    assert.equal(await exists('early'), false);
    assert.equal(await exists('late'), false);
    const [goodbye] = await hookJobs('goodbye');
    assert.ok(goodbye, 'the PostDelete hook ran');
    const backups = await hookJobs('backup');
    assert.equal(backups.length, 1, 'the failed PreDelete hook made way for the fixed one');
    assert.notEqual(backups[0]!.metadata!.uid, failedBackup, 'the PreDelete hook ran again, at the fixed revision');
    const created = (j: k8s.V1Job) => Date.parse(String(j.metadata!.creationTimestamp));
    assert.ok(created(goodbye) >= created(backups[0]!), 'PostDelete after PreDelete');
    const events = await core.listNamespacedEvent({ namespace: story.ns });
    const reasons = events.items.filter((e) => e.involvedObject.name === 'dev').map((e) => e.reason);
    for (const reason of ['DeletionStarted', 'DeletionBlocked'])
      assert.ok(reasons.includes(reason), reasons.join(', '));
  });
});
