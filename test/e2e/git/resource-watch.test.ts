// The self-healing watch against the real API server: the first list reports what exists,
// later changes arrive as events, a watch the server ends is renewed from the last
// resourceVersion without a relist, and nothing is reported after stop(); a transform decides
// what is kept of each object; a watch whose API
// server went away stops at once, not after its backoff.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import {
  ResourceWatch,
  type WatchedObject,
  type WatchEventType,
} from '../../../operator/src/adapters/kubernetes/watch.ts';
import { ApiProxy } from '../../harness/api-proxy.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const resource = { group: 'keelson.dev', version: 'v1alpha1', plural: 'gitrepositories' };
let ns = '';

before(async () => {
  ns = await createTestNamespace(kc, 'watch');
});
after(async () => {
  await deleteNamespace(kc, ns);
});

function create(name: string): Promise<unknown> {
  return custom.createNamespacedCustomObject({
    ...resource,
    namespace: ns,
    body: {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'GitRepository',
      metadata: { name },
      spec: { url: `https://git.example.com/${name}.git` },
    },
  });
}

describe('ResourceWatch', () => {
  it('lists, then reports additions, changes and deletions, and renews an ended watch', async () => {
    await create('before');
    const seen: string[] = [];
    const watch = new ResourceWatch(kc, {
      resource,
      namespace: ns,
      watchTimeoutSeconds: 1,
      onEvent: (type: WatchEventType, o: WatchedObject) => seen.push(`${type} ${o.metadata?.name}`),
    });
    await watch.start();
    assert.deepEqual(seen, ['ADDED before'], 'the first list reports what exists');
    await create('after');
    await eventually(async () => seen.includes('ADDED after'), { message: 'ADDED after' });
    await custom.patchNamespacedCustomObject(
      { ...resource, namespace: ns, name: 'after', body: { spec: { suspend: true } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(async () => seen.includes('MODIFIED after'), { message: 'MODIFIED after' });
    await eventually(async () => watch.connects >= 3, {
      message: 'the watch renewed after the server ended it',
      timeoutMs: 10_000,
    });
    await custom.deleteNamespacedCustomObject({ ...resource, namespace: ns, name: 'before' });
    await eventually(async () => seen.includes('DELETED before'), { message: 'DELETED before' });
    assert.equal(watch.relists, 1, 'renewing an ended watch does not relist');
    await watch.stop();
    const count = seen.length;
    await create('late');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(seen.length, count, 'nothing after stop()');
  });
  it('keeps and reports what its transform leaves of each object, listed or watched', async () => {
    await create('trimmed-1');
    const seen: WatchedObject[] = [];
    const watch = new ResourceWatch(kc, {
      resource,
      namespace: ns,
      transform: (o) => ({ metadata: { ...o.metadata } }),
      onEvent: (_type, o) => seen.push(o),
    });
    try {
      await watch.start();
      await create('trimmed-2');
      await eventually(async () => seen.some((o) => o.metadata?.name === 'trimmed-2'), {
        message: 'trimmed-2 watched',
      });
      for (const o of seen) assert.deepEqual(Object.keys(o), ['metadata'], 'no spec reported');
      assert.deepEqual(Object.keys(watch.get(ns, 'trimmed-1') ?? {}), ['metadata'], 'the listed one kept trimmed');
      assert.deepEqual(Object.keys(watch.get(ns, 'trimmed-2') ?? {}), ['metadata'], 'the watched one kept trimmed');
    } finally {
      await watch.stop();
    }
  });

  it('keeps a quiet watch open: no event for 40 s is not a dead connection', async () => {
    const watch = new ResourceWatch(kc, {
      resource,
      namespace: ns,
      labelSelector: 'test.keelson.dev/none',
      onEvent: () => undefined,
    });
    await watch.start();
    try {
      await new Promise((r) => setTimeout(r, 40_000));
      assert.equal(watch.connects, 1, 'one connection for 40 quiet seconds (client-node alone renews after 30 s)');
    } finally {
      await watch.stop();
    }
  });

  it('stops at once while it waits to reconnect to an API server that went away', async () => {
    const proxy = await ApiProxy.start(kc);
    const errors: unknown[] = [];
    const watch = new ResourceWatch(proxy.kubeConfig, {
      resource,
      namespace: ns,
      minBackoffMs: 20_000,
      onEvent: () => undefined,
      onError: (err) => errors.push(err),
    });
    await watch.start();
    await proxy.set('refuse');
    await eventually(async () => errors.length > 0, { message: 'the watch noticed the server gone' });
    const started = Date.now();
    await watch.stop();
    assert.ok(Date.now() - started < 2000, `stop() took ${Date.now() - started} ms; the backoff is 20 s`);
  });
});
