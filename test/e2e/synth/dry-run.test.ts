// The example deploy repository, synthesized by the operator's synthesizer, is accepted by the
// real API server: every object of dev and prod passes a server-side apply dry-run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as k8s from '@kubernetes/client-node';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { describeKey, keyOf } from '../../../operator/src/core/manifest.ts';
import { apiErrorMessage, createTestNamespace, deleteNamespace, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const client = k8s.KubernetesObjectApi.makeApiClient(kc);
const synthesizer = new Synthesizer({ cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'), size: 1 });
const example = new DirectoryTree(join(REPO_ROOT, 'cdk8s-app', 'example'));
let ns = '';

describe('the example deploy repository against the API server', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'synth-dry-run');
    await synthesizer.start();
  });
  after(async () => {
    await synthesizer.stop();
    await deleteNamespace(kc, ns);
  });

  for (const environment of ['dev', 'prod']) {
    it(`${environment}: every object passes a server-side apply dry-run`, async () => {
      const { result } = await synthesizer.synthesize({ tree: example }, environment);
      const objects = result.apps.flatMap((a) => a.objects);
      assert.ok(objects.length >= 11, `only ${objects.length} objects`);
      const rejected: string[] = [];
      for (const obj of objects) {
        const body = { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? ns } };
        try {
          const applied = await client.patch(body as k8s.KubernetesObject, undefined, 'All', 'keelson', true, k8s.PatchStrategy.ServerSideApply);
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
    assert.deepEqual((await core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt'), []);
    assert.deepEqual((await batch.listNamespacedJob({ namespace: ns })).items, []);
  });
});
