// The control plane is real: a Deployment rolls out on kwok nodes and a Job completes,
// driven by the real controller manager and scheduler.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../harness/kube.ts';

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
let ns = '';

const labels = { app: 'web' };
const podSpec = { containers: [{ name: 'main', image: 'registry.example/web:1.0.0' }] };

describe('local control plane', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'smoke');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('reports the Kubernetes version it was built as', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    assert.match(version.gitVersion, /^v1\.\d+\.\d+$/);
    assert.notEqual(version.gitVersion, 'v0.0.0');
  });

  it('rolls a Deployment out until it is Available with every replica ready', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
      },
    });
    const d = await eventually(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
        const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True';
        return available && d.status?.readyReplicas === 3 ? d : undefined;
      },
      { timeoutMs: 60_000, message: 'Deployment web Available with 3 ready replicas' },
    );
    assert.equal(d.status?.updatedReplicas, 3);
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    assert.equal(pods.items.length, 3);
    for (const pod of pods.items) {
      assert.equal(pod.status?.phase, 'Running');
      assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
    }
  });

  it('runs a Job to completion', async () => {
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'migrate' },
        spec: { backoffLimit: 0, template: { spec: { ...podSpec, restartPolicy: 'Never' } } },
      },
    });
    const job = await eventually(
      async () => {
        const j = await batch.readNamespacedJob({ name: 'migrate', namespace: ns });
        return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
      },
      { timeoutMs: 60_000, message: 'Job migrate Complete' },
    );
    assert.equal(job.status?.succeeded, 1);
  });

  it('fails a Job whose pod is marked to fail', async () => {
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'broken' },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'test.keelson.dev/outcome': 'fail' } },
            spec: { ...podSpec, restartPolicy: 'Never' },
          },
        },
      },
    });
    const job = await eventually(
      async () => {
        const j = await batch.readNamespacedJob({ name: 'broken', namespace: ns });
        return j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? j : undefined;
      },
      { timeoutMs: 60_000, message: 'Job broken Failed' },
    );
    assert.equal(job.status?.succeeded ?? 0, 0);
    assert.equal(job.status?.failed, 1);
  });
});
