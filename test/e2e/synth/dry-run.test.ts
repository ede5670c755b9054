// The example deploy repository, synthesized as the operator does (charts and kustomization
// rendered), is accepted by the real API server: every object of dev and prod, the imported
// Certificate type included, passes a server-side apply dry-run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { describeKey, keyOf } from '../../../operator/src/core/manifest.ts';
import { synthesizeExample } from '../../harness/example-deploy-repo.ts';
import { apiErrorMessage, createTestNamespace, deleteNamespace, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const client = k8s.KubernetesObjectApi.makeApiClient(kc);
let ns = '';

describe('the example deploy repository against the API server', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'synth-dry-run');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  for (const environment of ['dev', 'prod']) {
    it(`${environment}: every object passes a server-side apply dry-run`, async () => {
      const objects = (await synthesizeExample(environment)).flatMap((a) => a.objects);
      assert.ok(objects.length >= 18, `only ${objects.length} objects`);
      const rejected: string[] = [];
      for (const obj of objects) {
        const body = { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? ns } };
        try {
          const applied = await client.patch(
            body as k8s.KubernetesObject,
            undefined,
            'All',
            'keelson',
            true,
            k8s.PatchStrategy.ServerSideApply,
          );
          assert.equal(applied.metadata?.name, obj.metadata.name);
        } catch (err) {
          rejected.push(`${describeKey(keyOf(obj))}: ${apiErrorMessage(err)}`);
        }
      }
      assert.deepEqual(rejected, []);
    });
  }

  it('the dry-run created nothing', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    assert.deepEqual(
      (await core.listNamespacedConfigMap({ namespace: ns })).items
        .map((c) => c.metadata?.name)
        .filter((n) => n !== 'kube-root-ca.crt'),
      [],
    );
    assert.deepEqual((await batch.listNamespacedJob({ namespace: ns })).items, []);
  });
});
