// Pruning and comparison against the real control plane: prune removes exactly what the
// desired state dropped; an unchanged state is compared from the cache without a dry-run;
// a change by hand shows as drift on the field that changed; Secret values never show.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import { nextInventory, PruneRefusedError } from '../../../operator/src/core/sync/prune-set.ts';
import { withOwnership } from '../../../operator/src/core/sync/ownership.ts';
import { formatChanges } from '../../../operator/src/core/diff/index.ts';
import { createTestNamespace, deleteNamespace } from '../../harness/kube.ts';
import { configMap, createEnvironment, deployment, executorFor, kc } from './sync-fixtures.ts';

const core = kc.makeApiClient(k8s.CoreV1Api);

async function configMapNames(namespace: string): Promise<string[]> {
  const list = await core.listNamespacedConfigMap({ namespace });
  return list.items
    .map((c) => c.metadata!.name!)
    .filter((n) => n !== 'kube-root-ca.crt')
    .sort();
}

describe('prune', () => {
  let ns = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'sync-prune');
    await createEnvironment(ns, 'prune');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('removes exactly what the desired state dropped, and keeps what it must', async () => {
    const executor = await executorFor(ns, 'prune');
    const v1 = [
      configMap(ns, 'a'),
      configMap(ns, 'b'),
      configMap(ns, 'kept', {}, { 'keelson.dev/prune': 'false' }),
      configMap(ns, 'c'),
    ];
    const first = await executor.start({ id: 'prune-1', revision: 'r1', desired: v1, inventory: [], prune: true });
    assert.equal((await executor.run(first.operation, v1)).phase, 'Succeeded');
    const inventory = nextInventory([], v1, new Set(), new Set());
    // Owned by this Environment but never in its inventory: not Keelson's to delete.
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: withOwnership(configMap(ns, 'stranger'), { name: 'prune', namespace: ns }) as k8s.V1ConfigMap,
    });

    const v2 = [configMap(ns, 'a'), configMap(ns, 'c')];
    const second = await executor.start({ id: 'prune-2', revision: 'r2', desired: v2, inventory, prune: true });
    assert.deepEqual(
      second.prune.prune.map((o) => o.metadata.name),
      ['b'],
    );
    assert.deepEqual(
      second.prune.kept.map((k) => k.key),
      [`/ConfigMap/${ns}/kept`],
    );
    const done = await executor.run(second.operation, v2);
    assert.equal(done.phase, 'Succeeded', done.message);
    assert.deepEqual(await configMapNames(ns), ['a', 'c', 'kept', 'stranger']);

    await assert.rejects(
      executor.start({
        id: 'prune-3',
        revision: 'r3',
        desired: [],
        inventory: nextInventory(inventory, v2, new Set([`/ConfigMap/${ns}/b`]), new Set()),
        prune: true,
      }),
      PruneRefusedError,
    );
    assert.deepEqual(await configMapNames(ns), ['a', 'c', 'kept', 'stranger'], 'the refused prune deleted nothing');
    executor.close();
  });
});

describe('compare', () => {
  let ns = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'sync-diff');
    await createEnvironment(ns, 'diff');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('is Synced after a sync, costs no dry-run when nothing changed, and shows drift made by hand', async () => {
    const executor = await executorFor(ns, 'diff');
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: ns },
      stringData: { password: 'correct-horse-battery' },
    };
    const desired = [
      deployment(ns, 'web', 'registry.example/web:1', { replicas: 2 }),
      configMap(ns, 'settings'),
      secret,
    ];
    const { operation } = await executor.start({ id: 'diff-1', revision: 'r1', desired, inventory: [], prune: false });
    assert.equal((await executor.run(operation, desired)).phase, 'Succeeded');
    const compare = async () => (await executor.compareWithCluster(desired)).report;

    const first = await compare();
    assert.deepEqual(first.errors, []);
    assert.deepEqual(
      first.resources.map((r) => r.status),
      ['Synced', 'Synced', 'Synced'],
      JSON.stringify(first.resources),
    );
    const again = await compare();
    assert.equal(again.dryRuns, 0, 'an unchanged desired and live state is answered from the cache');

    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { replicas: 5 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.patchNamespacedSecret(
      { name: 'db', namespace: ns, body: { stringData: { password: 'changed-by-hand' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const drifted = await compare();
    assert.equal(drifted.dryRuns, 2, 'only the two changed objects are dry-run again');
    const byName = new Map(drifted.resources.map((r) => [r.key.split('/').at(-1), r]));
    assert.equal(byName.get('settings')!.status, 'Synced');
    assert.equal(byName.get('web')!.status, 'OutOfSync');
    assert.deepEqual(
      byName.get('web')!.changes.map((c) => c.path),
      ['/spec/replicas'],
    );
    assert.equal(formatChanges(byName.get('web')!), '/spec/replicas: 5 → 2');
    assert.equal(byName.get('db')!.status, 'OutOfSync');
    const printed = JSON.stringify(drifted) + formatChanges(byName.get('db')!);
    for (const leak of ['correct-horse', 'changed-by-hand', Buffer.from('changed-by-hand').toString('base64')])
      assert.ok(!printed.includes(leak), `the diff shows ${leak}`);
    executor.close();
  });
});
