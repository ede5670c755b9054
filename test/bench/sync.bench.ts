// The sync engine: diff of 10,000 objects in memory, plan of 10,000, and server-side
// apply of the same 500 objects with Keelson's applier against `kubectl apply
// --server-side` (the reference, measured in the same run on the same control plane).
//   make bench BENCH=sync
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../operator/src/core/manifest.ts';
import { compareResource, pairResources } from '../../operator/src/core/diff/index.ts';
import { planSync } from '../../operator/src/core/sync/plan-sync.ts';
import { Applier } from '../../operator/src/adapters/kubernetes/applier.ts';
import { ResourceMap } from '../../operator/src/adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../../operator/src/adapters/kubernetes/rest-transport.ts';
import { createTestNamespace, deleteNamespace, loadKubeConfig } from '../harness/kube.ts';
import { percentile, report, time, type Measurement } from './report.ts';

function desiredObject(i: number): KubeObject {
  const ns = `team-${i % 20}`;
  const annotations: Record<string, string> | undefined =
    i % 10 === 0
      ? { 'keelson.dev/sync-wave': String(i % 3) }
      : i % 97 === 0
        ? { 'keelson.dev/hook': 'PreSync' }
        : undefined;
  const metadata = {
    name: `obj-${i}`,
    namespace: ns,
    labels: { app: `app-${i % 50}` },
    ...(annotations ? { annotations } : {}),
  };
  switch (i % 3) {
    case 0:
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: `obj-${i}` } },
          template: {
            metadata: { labels: { app: `obj-${i}` } },
            spec: {
              containers: [
                {
                  name: 'main',
                  image: `registry.example/app:${i % 7}`,
                  ports: [{ containerPort: 8080 }],
                  env: [{ name: 'MODE', value: 'prod' }],
                },
              ],
            },
          },
        },
      };
    case 1:
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: { selector: { app: `obj-${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    default:
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: { 'config.yaml': `id: ${i}\nmode: prod\n`, region: 'eu' },
      };
  }
}

/** What the API server would return: defaults, server metadata, status; every 10th drifted. */
function liveObject(desired: KubeObject, i: number): KubeObject {
  const live = structuredClone(desired);
  Object.assign(live.metadata, {
    uid: `uid-${i}`,
    resourceVersion: String(1000 + i),
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'keelson', operation: 'Apply' }],
  });
  const spec = live.spec as Record<string, unknown> | undefined;
  if (live.kind === 'Deployment' && spec) {
    Object.assign(spec, {
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    if (i % 10 === 0) spec.replicas = 3;
    live.status = { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 };
  }
  if (live.kind === 'Service' && spec)
    Object.assign(spec, { type: 'ClusterIP', clusterIP: '10.0.0.1', sessionAffinity: 'None' });
  return live;
}

const N = 10_000;
const desired = Array.from({ length: N }, (_, i) => desiredObject(i));
const live = desired.map(liveObject);
const measurements: Measurement[] = [];

const diffSamples = await time(
  () => {
    for (const pair of pairResources(desired, live)) compareResource({ desired: pair.desired, live: pair.live });
  },
  10,
  2,
);
const diffMs = percentile(diffSamples, 50);
measurements.push({
  name: 'diff 10,000 objects in memory (median)',
  value: diffMs,
  unit: 'ms',
  target: '≤ 300 ms',
  met: diffMs <= 300,
});
measurements.push({ name: 'diff 10,000 objects in memory (p90)', value: percentile(diffSamples, 90), unit: 'ms' });

const planSamples = await time(() => planSync({ desired }), 10, 2);
const planMs = percentile(planSamples, 50);
measurements.push({
  name: 'plan 10,000 objects (median)',
  value: planMs,
  unit: 'ms',
  target: '≤ 100 ms',
  met: planMs <= 100,
});

// Apply: 500 objects (300 ConfigMaps, 100 Secrets, 100 ServiceAccounts) into a fresh namespace each run.
function applySet(namespace: string): KubeObject[] {
  return Array.from({ length: 500 }, (_, i): KubeObject => {
    const metadata = { name: `bench-${i}`, namespace, labels: { bench: 'sync' } };
    if (i % 5 === 3)
      return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', stringData: { token: `t-${i}` } };
    if (i % 5 === 4) return { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { index: String(i), payload: 'x'.repeat(256) } };
  });
}

const kubectl = process.env.KUBECTL ?? 'kubectl';
const hasKubectl = spawnSync(kubectl, ['version', '--client'], { stdio: 'ignore' }).status === 0;
const kc = loadKubeConfig();
const transport = await RestTransport.fromKubeConfig(kc, { maxSockets: 16 });
const applier = new Applier(transport, new ResourceMap(transport), { concurrency: 16 });
const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-'));
const keelsonSec: number[] = [];
const kubectlSec: number[] = [];
const namespaces: string[] = [];

async function keelsonApply(objects: KubeObject[]): Promise<number> {
  const t0 = performance.now();
  const outcomes = await applier.applyAll(objects);
  const failed = outcomes.find((o) => o.error);
  if (failed) throw new Error(`keelson apply failed: ${failed.error}`);
  return (performance.now() - t0) / 1000;
}

function kubectlApply(objects: KubeObject[]): number {
  const file = join(dir, `${objects[0]!.metadata.namespace}.yaml`);
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  const t0 = performance.now();
  execFileSync(kubectl, ['apply', '--server-side', '--force-conflicts', '--field-manager=kubectl-bench', '-f', file], {
    stdio: 'ignore',
    env: process.env,
  });
  return (performance.now() - t0) / 1000;
}

await applier.applyAll(applySet('default'), { dryRun: true }); // discovery and connections warm for both
for (let run = 0; run < 3; run++) {
  const a = await createTestNamespace(kc, 'bench-keelson');
  namespaces.push(a);
  keelsonSec.push(await keelsonApply(applySet(a)), await keelsonApply(applySet(a)));
  if (hasKubectl) {
    const b = await createTestNamespace(kc, 'bench-kubectl');
    namespaces.push(b);
    kubectlSec.push(kubectlApply(applySet(b)), kubectlApply(applySet(b)));
  }
}
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((x, y) => x - y),
    50,
  );
const keelsonRate = 500 / median(keelsonSec);
measurements.push({ name: 'apply 500 objects, keelson applier (median of 6)', value: keelsonRate, unit: 'objects/s' });
if (hasKubectl) {
  const kubectlRate = 500 / median(kubectlSec);
  measurements.push({
    name: 'apply 500 objects, kubectl apply --server-side (median of 6)',
    value: kubectlRate,
    unit: 'objects/s',
  });
  measurements.push({
    name: 'apply throughput ratio keelson / kubectl',
    value: keelsonRate / kubectlRate,
    unit: '×',
    target: '≥ 2×',
    met: keelsonRate / kubectlRate >= 2,
  });
} else {
  console.log(`kubectl not found (${kubectl}): set KUBECTL to measure the reference`);
}
measurements.push({ name: 'diff ratio to target (median / 300 ms)', value: diffMs / 300, unit: '×' });
measurements.push({ name: 'plan ratio to target (median / 100 ms)', value: planMs / 100, unit: '×' });

for (const ns of namespaces) await deleteNamespace(kc, ns);
transport.close();
rmSync(dir, { recursive: true, force: true });
report('sync', measurements);
