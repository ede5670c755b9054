// Health of a custom resource in a sync, on the real control plane: a CRD's object whose
// controller reports Ready=False with Reconciling=True (kstatus: still working) keeps its wave
// waiting, not failing, and the next wave starts only once it reports Ready=True; one whose
// controller reports Stalled=True fails the sync. Before the kstatus rule, Ready=False alone
// was Degraded and the first sync failed at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import type { Operation } from '../../../operator/src/core/sync/operation.ts';
import type { SyncExecutor } from '../../../operator/src/adapters/kubernetes/sync-executor.ts';
import { createTestNamespace, deleteNamespace, eventually } from '../../harness/kube.ts';
import { configMap, createEnvironment, executorFor, kc } from './sync-fixtures.ts';

const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('health of a custom resource in a sync', () => {
  let ns = '';
  let group = '';
  const gadget = (name: string): KubeObject => ({
    apiVersion: `${group}/v1`,
    kind: 'Gadget',
    metadata: { name, namespace: ns },
    spec: { size: 1 },
  });
  /** Plays the Gadget's controller: writes its status conditions for the current generation. */
  const report = async (name: string, conditions: Condition[]) => {
    const live = (await custom.getNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns,
      plural: 'gadgets',
      name,
    })) as KubeObject;
    const status = {
      observedGeneration: live.metadata.generation,
      conditions: conditions.map((c) => ({ ...c, lastTransitionTime: new Date().toISOString() })),
    };
    await custom.replaceNamespacedCustomObjectStatus({
      group,
      version: 'v1',
      namespace: ns,
      plural: 'gadgets',
      name,
      body: { ...live, status },
    });
  };
  const exists = async (name: string) =>
    core.readNamespacedConfigMap({ namespace: ns, name }).then(
      () => true,
      () => false,
    );
  /** Steps the operation until `until` holds or it ends; returns the operation. */
  const stepUntil = async (
    executor: SyncExecutor,
    operation: Operation,
    desired: KubeObject[],
    until: (op: Operation) => boolean | Promise<boolean>,
  ) => {
    const deadline = Date.now() + 60_000;
    while (operation.phase === 'Running' && !(await until(operation))) {
      if (Date.now() > deadline) assert.fail(`the operation did not get there: ${JSON.stringify(operation.tasks)}`);
      operation = (await executor.step(operation, desired)).operation;
      await new Promise((r) => setTimeout(r, 200));
    }
    return operation;
  };

  before(async () => {
    ns = await createTestNamespace(kc, 'health-waits');
    group = `${ns}.test.keelson.dev`;
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `gadgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
    await eventually(
      async () =>
        (await extensions.readCustomResourceDefinition({ name: `gadgets.${group}` })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      { message: 'the Gadget CRD Established' },
    );
  });
  after(async () => {
    await deleteNamespace(kc, ns);
    await extensions.deleteCustomResourceDefinition({ name: `gadgets.${group}` }).catch(() => undefined);
  });

  it('Ready=False with Reconciling=True keeps the wave waiting until Ready=True, then the next wave runs', async () => {
    await createEnvironment(ns, 'reconciling');
    const executor = await executorFor(ns, 'reconciling');
    const desired = [gadget('slow'), configMap(ns, 'after', { a: 'b' }, { 'keelson.dev/sync-wave': '1' })];
    try {
      let { operation } = await executor.start({
        id: 'reconciling-1',
        revision: 'main@sha1:1',
        desired,
        inventory: [],
        prune: false,
      });
      operation = await stepUntil(
        executor,
        operation,
        desired,
        (op) => op.tasks?.some((t) => t.key.includes('Gadget') && t.applied) ?? false,
      );
      await report('slow', [
        { type: 'Ready', status: 'False', reason: 'Provisioning', message: 'waiting for the gadget to warm up' },
        { type: 'Reconciling', status: 'True', reason: 'Provisioning', message: 'warming up' },
      ]);
      // Several steps with the Gadget not ready: still running, and wave 1 not started.
      for (let i = 0; i < 8; i++) {
        operation = (await executor.step(operation, desired)).operation;
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.equal(operation.phase, 'Running', operation.message);
      assert.equal(await exists('after'), false, 'wave 1 waited for the Gadget');
      assert.match(JSON.stringify(operation.tasks), /warming up|waiting for the gadget/);
      await report('slow', [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'warm' }]);
      operation = await stepUntil(executor, operation, desired, () => false);
      assert.equal(operation.phase, 'Succeeded', operation.message);
      assert.equal(await exists('after'), true, 'wave 1 ran once the Gadget was Ready');
    } finally {
      executor.close();
    }
  });

  it("Stalled=True fails the sync with the controller's words", async () => {
    await createEnvironment(ns, 'stalled');
    const executor = await executorFor(ns, 'stalled');
    const desired = [gadget('stuck'), configMap(ns, 'never', { a: 'b' }, { 'keelson.dev/sync-wave': '1' })];
    try {
      let { operation } = await executor.start({
        id: 'stalled-1',
        revision: 'main@sha1:1',
        desired,
        inventory: [],
        prune: false,
      });
      operation = await stepUntil(
        executor,
        operation,
        desired,
        (op) => op.tasks?.some((t) => t.key.includes('Gadget') && t.applied) ?? false,
      );
      await report('stuck', [
        { type: 'Ready', status: 'False', reason: 'QuotaExceeded', message: 'no capacity left for gadgets' },
        { type: 'Stalled', status: 'True', reason: 'QuotaExceeded', message: 'no capacity left for gadgets' },
      ]);
      operation = await stepUntil(executor, operation, desired, () => false);
      assert.equal(operation.phase, 'Failed');
      assert.match(JSON.stringify(operation), /no capacity left for gadgets/);
      assert.equal(await exists('never'), false, 'wave 1 never ran');
    } finally {
      executor.close();
    }
  });
});
