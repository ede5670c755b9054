// Sync options against the real control plane and operator, each as an Argo CD user writes it
// (the Environment's spec.sync.options, Keelson's keelson.dev/sync-options annotation, Argo
// CD's argocd.argoproj.io/sync-options read unchanged): an immutable change that fails with
// the field and the fix, then Force=true re-creates the Job; Replace=true replaces; strict
// validation by default and Validate=false; CreateNamespace=true with its metadata;
// Prune=false; PrunePropagationPolicy=orphan; SkipDryRunOnMissingResource=true;
// FailOnSharedResource=true.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { objectsDeployRepo } from '../../harness/objects-repo.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);

type Obj = Record<string, unknown>;

const deployRepo = (objects: readonly Obj[]) => objectsDeployRepo('prod', objects);

const configMap = (name: string, extra: Obj = {}, annotations: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, annotations },
  data: { a: '1' },
  ...extra,
});

const job = (image: string, annotations: Record<string, string> = {}): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', annotations },
  spec: {
    template: {
      spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] },
    },
  },
});

const deployment = (name: string): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'web:1' }] } },
  },
});

const cli = runKeelson;

describe('sync options', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let made = '';
  const ns = () => story.targets.prod!;

  /** Commits `objects`, waits until prod compared the commit, and syncs it; the operation as it ended. */
  async function syncRevision(objects: readonly Obj[], message: string) {
    const commit = await story.repo.commit(deployRepo(objects), message);
    await story.refresh();
    await story.until('prod', `prod compared ${message}`, (e) => commitOf(e.status?.sync?.revision) === commit);
    const sync = await cli('sync', 'prod', '-n', story.ns, '--wait', '--timeout', '90s');
    const env = await story.environment('prod');
    assert.equal(commitOf(env.status?.operation?.revision), commit);
    return { ...sync, operation: env.status!.operation! };
  }

  before(async () => {
    await story.setUp({
      prefix: 'syncopt',
      files: deployRepo([configMap('first')]),
      environments: {
        prod: {
          sync: {
            options: ['CreateNamespace=true', 'PrunePropagationPolicy=orphan'],
            managedNamespaceMetadata: { labels: { team: 'shop' }, annotations: { 'example.com/owner': 'shop' } },
          },
        },
      },
    });
    made = `${ns()}-made`;
    operator = await story.startOperator();
    await story.until('prod', 'prod compared', (e) => e.status?.sync?.status === 'OutOfSync');
  });
  after(async () => {
    await operator?.stop();
    await deleteNamespace(kc, made).catch(() => undefined);
    await ext.deleteCustomResourceDefinition({ name: 'gadgets.syncopt.example.com' }).catch(() => undefined);
    await story.tearDown();
  });

  it('an immutable change fails naming the field and the fix; Force=true (Argo CD annotation) re-creates it', async () => {
    const first = await syncRevision([job('migrate:1')], 'a Job');
    assert.equal(first.code, 0, first.out);
    const before = await batch.readNamespacedJob({ name: 'migrate', namespace: ns() });
    const refused = await syncRevision([job('migrate:2')], 'a new Job image');
    assert.notEqual(refused.code, 0);
    assert.equal(refused.operation.phase, 'Failed');
    assert.match(
      refused.operation.message ?? '',
      /Job .*migrate: .*field is immutable; spec\.template cannot change in place/,
    );
    assert.match(refused.operation.message ?? '', /keelson\.dev\/sync-options: Force=true/);
    const forced = await syncRevision(
      [job('migrate:2', { 'argocd.argoproj.io/sync-options': 'Force=true' })],
      'the Job with Force=true',
    );
    assert.equal(forced.code, 0, forced.out);
    const after = await batch.readNamespacedJob({ name: 'migrate', namespace: ns() });
    assert.notEqual(after.metadata?.uid, before.metadata?.uid, 'a new Job');
    assert.equal(after.spec?.template.spec?.containers[0]?.image, 'migrate:2');
  });

  it('Replace=true replaces the whole object: a label someone else added goes', async () => {
    const replaced = configMap('replaced', {}, { 'keelson.dev/sync-options': 'Replace=true' });
    assert.equal((await syncRevision([replaced], 'a replaced ConfigMap')).code, 0);
    const applied = configMap('applied');
    await syncRevision([replaced, applied], 'an applied one beside it');
    for (const name of ['replaced', 'applied']) {
      const patch = [{ op: 'add', path: '/metadata/labels', value: { hand: 'made' } }];
      await core.patchNamespacedConfigMap(
        { name, namespace: ns(), body: patch },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      );
    }
    const changed = { ...replaced, data: { a: '2' } };
    const sync = await syncRevision([changed, { ...applied, data: { a: '2' } }], 'both changed');
    assert.equal(sync.code, 0, sync.out);
    const r = await core.readNamespacedConfigMap({ name: 'replaced', namespace: ns() });
    const a = await core.readNamespacedConfigMap({ name: 'applied', namespace: ns() });
    assert.equal(r.data?.a, '2');
    assert.equal(r.metadata?.labels?.hand, undefined, 'replace dropped the hand-made label');
    assert.equal(a.metadata?.labels?.hand, 'made', 'server-side apply kept it');
  });

  it('refuses a field the schema does not know, unless Validate=false', async () => {
    const strict = await syncRevision([configMap('typo', { extra: 'x' })], 'an unknown field');
    assert.notEqual(strict.code, 0);
    assert.match(
      strict.operation.message ?? '',
      /ConfigMap .*typo.*\.extra: field not declared in schema.*Validate=false drops fields/,
    );
    const loose = configMap('typo', { extra: 'x' }, { 'keelson.dev/sync-options': 'Validate=false' });
    const sync = await syncRevision([loose], 'Validate=false');
    assert.equal(sync.code, 0, sync.out);
    assert.equal((await core.readNamespacedConfigMap({ name: 'typo', namespace: ns() })).data?.a, '1');
  });

  it('CreateNamespace=true creates the namespace nobody declares, with the managed metadata', async () => {
    const elsewhere = { ...configMap('elsewhere'), metadata: { name: 'elsewhere', namespace: made } };
    const sync = await syncRevision([elsewhere], 'a ConfigMap in a namespace nobody declares');
    assert.equal(sync.code, 0, sync.out);
    const namespace = await core.readNamespace({ name: made });
    assert.equal(namespace.metadata?.labels?.team, 'shop');
    assert.equal(namespace.metadata?.annotations?.['example.com/owner'], 'shop');
    assert.equal(namespace.metadata?.annotations?.['keelson.dev/created-for'], `${story.ns}/prod`);
    assert.ok(await core.readNamespacedConfigMap({ name: 'elsewhere', namespace: made }));
  });

  it("Prune=false keeps an object; PrunePropagationPolicy=orphan leaves a pruned Deployment's ReplicaSet", async () => {
    const kept = configMap('kept', {}, { 'argocd.argoproj.io/sync-options': 'Prune=false' });
    assert.equal((await syncRevision([kept, deployment('web')], 'kept and web')).code, 0);
    const rs = await eventually(async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: ns(), labelSelector: 'app=web' });
      return list.items.length === 1 ? list.items[0] : undefined;
    });
    const sync = await syncRevision([configMap('first')], 'drop kept and web');
    assert.equal(sync.code, 0, sync.out);
    assert.ok(await core.readNamespacedConfigMap({ name: 'kept', namespace: ns() }), 'Prune=false kept it');
    const env = await story.environment('prod');
    assert.ok(env.status?.retained?.some((r) => r.name === 'kept' && /Prune=false/.test(r.message ?? '')));
    await eventually(async () =>
      apps.readNamespacedDeployment({ name: 'web', namespace: ns() }).then(
        () => undefined,
        () => true,
      ),
    );
    const left = await apps.readNamespacedReplicaSet({ name: rs.metadata!.name!, namespace: ns() });
    assert.equal(left.metadata?.uid, rs.metadata?.uid, 'orphaned, not deleted');
  });

  it('SkipDryRunOnMissingResource=true lets a custom resource of a CRD not yet served pass validation', async () => {
    const gadget = (annotations: Record<string, string>): Obj => ({
      apiVersion: 'syncopt.example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g', namespace: ns(), annotations },
      spec: { size: 1 },
    });
    const refused = await syncRevision([configMap('first'), gadget({})], 'a Gadget');
    assert.notEqual(refused.code, 0);
    assert.match(refused.operation.message ?? '', /dry-run/);
    assert.ok(
      refused.operation.tasks?.every((t) => t.status !== 'Succeeded'),
      'nothing applied',
    );
    const skip = gadget({ 'keelson.dev/sync-options': 'SkipDryRunOnMissingResource=true' });
    const applied = await syncRevision([configMap('first'), skip], 'a Gadget that skips the dry-run');
    assert.notEqual(applied.code, 0, 'the kind is still not served when it is applied');
    assert.doesNotMatch(applied.operation.message ?? '', /dry-run/);
    assert.ok(applied.operation.tasks?.some((t) => t.key.includes('ConfigMap') && t.status === 'Succeeded'));
  });

  it('FailOnSharedResource=true fails on an object another Environment owns instead of taking it over', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns(),
      body: { metadata: { name: 'shared', annotations: { 'keelson.dev/owner': 'elsewhere/other' } }, data: { b: '1' } },
    });
    const shared = configMap('shared', {}, { 'keelson.dev/sync-options': 'FailOnSharedResource=true' });
    const sync = await syncRevision([configMap('first'), shared], 'a shared ConfigMap');
    assert.notEqual(sync.code, 0);
    assert.match(sync.operation.message ?? '', /owned by Environment elsewhere\/other, and FailOnSharedResource=true/);
    const live = await core.readNamespacedConfigMap({ name: 'shared', namespace: ns() });
    assert.equal(live.metadata?.annotations?.['keelson.dev/owner'], 'elsewhere/other', 'not taken over');
  });

  it('the CRD refuses an option it does not know, naming it', async () => {
    await assert.rejects(
      story.custom.patchNamespacedCustomObject(
        {
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: story.ns,
          plural: 'environments',
          name: 'prod',
          body: { spec: { sync: { options: ['Replce=true'] } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
      (err: Error) => /spec\.sync\.options\[0\]: Unsupported value: \W{0,4}Replce=true/.test(err.message),
    );
  });
});
