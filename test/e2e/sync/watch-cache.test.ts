// The operator's watch caches against the real control plane: an executor reads live
// objects from the managed-object watches, and KeelsonResources reads Environments from
// the Keelson watches, yet a read right after the reader's own write never returns an
// older object; what others change reaches the cache; and after a sync, comparing costs
// no dry-run even though the Deployment's status kept changing while it rolled out; an
// object the cache has not seen is probed with one dry-run, not a GET and a dry-run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { KeelsonResources } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { ResourceMap } from '../../../operator/src/adapters/kubernetes/resource-map.ts';
import { onKubernetesRequest, RestTransport } from '../../../operator/src/adapters/kubernetes/rest-transport.ts';
import { silentLogger } from '../../../operator/src/core/logger.ts';
import { keyOf, type KubeObject } from '../../../operator/src/core/manifest.ts';
import { inventoryEntry } from '../../../operator/src/core/sync/prune-set.ts';
import {
  ManagedObjectWatches,
  WatchedShards,
} from '../../../operator/src/adapters/kubernetes/managed-object-watches.ts';
import { watchKeelsonResources } from '../../../operator/src/main-watches.ts';
import { createTestNamespace, deleteNamespace, eventually } from '../../harness/kube.ts';
import { configMap, createEnvironment, deployment, executorFor, kc } from './sync-fixtures.ts';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const roundOf = (obj: KubeObject | undefined) => (obj?.data as Record<string, string> | undefined)?.round;

describe('watch caches', () => {
  let ns = '';
  let transport: RestTransport;
  let managed: ManagedObjectWatches;
  before(async () => {
    ns = await createTestNamespace(kc, 'watch-cache');
    transport = await RestTransport.fromKubeConfig(kc);
    managed = new ManagedObjectWatches({
      kubeConfig: kc,
      resourceMap: new ResourceMap(transport),
      namespaces: [ns],
      log: silentLogger,
      onObject: () => undefined,
    });
    await managed.track([inventoryEntry(configMap(ns, 'x')), inventoryEntry(deployment(ns, 'x', 'x'))]);
  });
  after(async () => {
    await managed.stop();
    transport.close();
    await deleteNamespace(kc, ns);
  });

  it('an executor reads its own writes, then what others wrote, from the cache of managed objects', async () => {
    await createEnvironment(ns, 'cached');
    const executor = await executorFor(ns, 'cached', { cache: managed });
    const address = { apiVersion: 'v1', key: { kind: 'ConfigMap', namespace: ns, name: 'settings' } };
    for (let i = 0; i < 15; i++) {
      const desired = [configMap(ns, 'settings', { round: String(i) })];
      const { operation } = await executor.start({
        id: `cached-${i}`,
        revision: `r${i}`,
        desired,
        inventory: [],
        prune: false,
      });
      assert.equal((await executor.run(operation, desired)).phase, 'Succeeded');
      // Right after the write: never the object before it, whether the watch caught up or not.
      assert.equal(roundOf(await executor.live.get(address)), String(i), `round ${i}`);
    }
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: ns, body: { data: { round: 'by hand' } } },
      mergePatch,
    );
    await eventually(async () => roundOf(await executor.live.get(address)) === 'by hand', {
      message: 'the hand edit in the cache',
    });
    const before = executor.live.reads.requested;
    assert.equal(roundOf(await executor.live.get(address)), 'by hand');
    assert.equal(executor.live.reads.requested, before, 'a read of a watched object the cache holds sends no request');
    assert.ok(executor.live.reads.cached > 0);
    executor.close();
  });

  it('after a sync, the comparison is answered without a dry-run although the Deployment rolled out meanwhile', async () => {
    await createEnvironment(ns, 'fingerprint');
    const executor = await executorFor(ns, 'fingerprint', { cache: managed });
    const desired: KubeObject[] = [
      deployment(ns, 'web', 'registry.example/web:1', { replicas: 2 }),
      configMap(ns, 'web-settings'),
    ];
    const { operation } = await executor.start({
      id: 'fingerprint-1',
      revision: 'r1',
      desired,
      inventory: [],
      prune: false,
    });
    assert.equal((await executor.run(operation, desired)).phase, 'Succeeded');
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const rolledOut = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    assert.equal(rolledOut.status?.availableReplicas, 2, 'the status changed after the apply');
    // The comparison reads what the cache holds; what it has not seen yet it would probe with a dry-run.
    await eventually(async () => desired.every((o) => managed.cached({ apiVersion: o.apiVersion, key: keyOf(o) })), {
      message: 'the synced objects in the cache',
    });
    const { report } = await executor.compareWithCluster(desired);
    assert.deepEqual(
      report.resources.map((r) => r.status),
      ['Synced', 'Synced'],
    );
    assert.equal(report.dryRuns, 0, 'what the sync applied is known Synced until someone changes it');
    await apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: { spec: { replicas: 4 } } }, mergePatch);
    const drifted = await eventually(
      async () => {
        const { report: r } = await executor.compareWithCluster(desired);
        return r.resources.some((c) => c.status === 'OutOfSync') && r;
      },
      { message: 'the hand edit seen as drift' },
    );
    assert.equal(drifted.dryRuns, 1, 'only the changed Deployment is dry-run again');
    executor.close();
  });

  it('an object a watch covers but has not seen costs one dry-run, which also validates it; one that exists unmanaged is read and compared', async () => {
    await createEnvironment(ns, 'probe');
    // ConfigMaps watched in every namespace; Secrets not watched at all.
    const everywhere = new ManagedObjectWatches({
      kubeConfig: kc,
      resourceMap: new ResourceMap(transport),
      namespaces: [],
      log: silentLogger,
      onObject: () => undefined,
    });
    await everywhere.track([inventoryEntry(configMap(ns, 'x'))]);
    const executor = await executorFor(ns, 'probe', { cache: everywhere });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'unmanaged' }, data: { key: 'by hand' } },
    });
    const requests: string[] = [];
    // Requests for objects (discovery left out).
    const unsubscribe = onKubernetesRequest((r) => r.resource && requests.push(`${r.verb} ${r.resource}`));
    try {
      const desired: KubeObject[] = [
        configMap(ns, 'new'),
        configMap(ns, 'unmanaged'),
        configMap(`${ns}-absent`, 'elsewhere'),
        // Rejected by the API server (not a DNS name): neither found nor an error yet; the sync's validation says why.
        configMap(ns, 'Not_Valid'),
        // No watch covers Secrets: read, as before (the comparison cache may then spare the dry-run).
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'uncovered', namespace: ns }, stringData: { a: 'b' } },
      ];
      const { live, report } = await executor.compareWithCluster(desired);
      const byKey = new Map(report.resources.map((r) => [r.key, r]));
      assert.equal(byKey.get(`/ConfigMap/${ns}/new`)?.reason, 'Missing');
      assert.equal(byKey.get(`/ConfigMap/${ns}-absent/elsewhere`)?.reason, 'Missing');
      assert.equal(byKey.get(`/ConfigMap/${ns}/Not_Valid`)?.reason, 'Missing');
      const unmanaged = byKey.get(`/ConfigMap/${ns}/unmanaged`);
      assert.equal(unmanaged?.reason, 'Drift');
      assert.ok(
        unmanaged.changes.some((c) => c.path === '/data/key' && c.live === 'by hand'),
        JSON.stringify(unmanaged.changes),
      );
      assert.deepEqual([...live.keys()], [`/ConfigMap/${ns}/unmanaged`]);
      assert.deepEqual(report.errors, []);
      assert.equal(byKey.get(`/Secret/${ns}/uncovered`)?.reason, 'Missing');
      assert.equal(report.dryRuns, 4);
      assert.deepEqual(
        requests.sort(),
        [
          'GET configmaps',
          'GET configmaps',
          'GET secrets',
          'PATCH (dry run) configmaps',
          'PATCH (dry run) configmaps',
          'PATCH (dry run) configmaps',
          'PATCH (dry run) configmaps',
        ],
        'one dry-run per ConfigMap; a read for the one that exists, for the rejected one, and for the Secret no watch covers',
      );

      // The sync of the valid ones validates nothing again: the probes vouch for them.
      requests.length = 0;
      const valid = desired.slice(0, 2);
      const { operation } = await executor.start({
        id: 'probe-1',
        revision: 'r1',
        desired: valid,
        inventory: [],
        prune: false,
      });
      assert.equal((await executor.run(operation, valid)).phase, 'Succeeded');
      assert.equal(requests.filter((r) => r.includes('dry run')).length, 0, requests.join(', '));
      assert.equal(requests.filter((r) => r === 'PATCH configmaps').length, 2);

      // The rejected object: the sync's validation names it, and nothing is applied.
      const failing = [configMap(ns, 'also-new'), desired[3]!];
      const { operation: started } = await executor.start({
        id: 'probe-2',
        revision: 'r2',
        desired: failing,
        inventory: [],
        prune: false,
      });
      const failed = await executor.run(started, failing);
      assert.equal(failed.phase, 'Failed');
      assert.match(failed.failure ?? '', /dry-run failed, nothing was applied: ConfigMap .*Not_Valid/);
      await assert.rejects(core.readNamespacedConfigMap({ name: 'also-new', namespace: ns }));
    } finally {
      unsubscribe();
      executor.close();
      await everywhere.stop();
    }
  });

  it('KeelsonResources reads an Environment from the watch, never older than its own last write', async () => {
    await createEnvironment(ns, 'resources');
    const resources = new KeelsonResources(kc);
    const watches = await watchKeelsonResources({
      kubeConfig: kc,
      namespaces: [ns],
      log: silentLogger,
      onEnvironment: () => undefined,
      onGitRepository: () => undefined,
    });
    resources.useCache(watches);
    try {
      for (let i = 0; i < 15; i++) {
        await resources.patchEnvironmentStatus(
          ns,
          'resources',
          { lastHandledSyncAt: `round-${i}` },
          { firstStatus: i === 0 },
        );
        assert.equal((await resources.getEnvironment(ns, 'resources')).status?.lastHandledSyncAt, `round-${i}`);
      }
      await resources.patchEnvironment(ns, 'resources', {
        metadata: { annotations: { 'test.keelson.dev/seen': 'yes' } },
      });
      const env = await resources.getEnvironment(ns, 'resources');
      assert.equal(env.metadata.annotations?.['test.keelson.dev/seen'], 'yes');
      await assert.rejects(resources.getEnvironment(ns, 'absent'), /Environment .*\/absent not found/);
    } finally {
      resources.useCache(undefined);
      resources.close();
      await watches.stop();
    }
  });

  it('run sharded, watches only the shards held, listed again as a shard comes or goes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const labelled = (name: string, shard: string) => ({
      metadata: {
        name,
        labels: { 'keelson.dev/environment': 'e', 'keelson.dev/environment-namespace': ns, 'keelson.dev/shard': shard },
      },
    });
    for (const shard of ['0', '1', '2'])
      await core.createNamespacedConfigMap({ namespace: ns, body: labelled(`in-${shard}`, shard) });
    const shards = new WatchedShards();
    const reported: string[] = [];
    const sharded = new ManagedObjectWatches({
      kubeConfig: kc,
      resourceMap: new ResourceMap(transport),
      namespaces: [ns],
      log: silentLogger,
      onObject: (obj) => reported.push(obj.metadata.name),
      shards,
    });
    const address = (name: string) => ({ apiVersion: 'v1', key: { kind: 'ConfigMap', namespace: ns, name } });
    const held = () => ['in-0', 'in-1', 'in-2'].filter((n) => sharded.cached(address(n)));
    try {
      await sharded.track([inventoryEntry(configMap(ns, 'x'))]);
      assert.equal(sharded.covers(address('in-0')), false, 'no shard held: nothing is watched, every read a request');
      await shards.add(0);
      assert.deepEqual(held(), ['in-0']);
      assert.equal(sharded.covers(address('in-1')), true);
      await shards.add(2);
      assert.deepEqual(held(), ['in-0', 'in-2']);
      assert.deepEqual(reported, ['in-0', 'in-2'], 'an object listed again unchanged is not reported again');
      await core.patchNamespacedConfigMap(
        { namespace: ns, name: 'in-2', body: { data: { round: 'yes' } } },
        mergePatch,
      );
      await eventually(async () => roundOf(sharded.cached(address('in-2'))) === 'yes', {
        message: 'an edit of a held shard’s object seen',
      });
      await shards.remove(0);
      assert.deepEqual(held(), ['in-2'], 'a shard gone: its objects leave the cache');
      assert.deepEqual(sharded.counts(), new Map([['ConfigMap', 1]]));
      await shards.remove(2);
      assert.equal(sharded.covers(address('in-2')), false);
    } finally {
      await sharded.stop();
    }
  });
});
