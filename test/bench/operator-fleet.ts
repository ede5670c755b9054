// The fleet workload of the operator benchmark (operator.bench.ts): the deploy repository of
// N tiny environments, the same objects as plain manifests, and the floor they are measured
// against (those objects applied straight to a fresh control plane).
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { ControlPlane } from '../harness/control-plane.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../harness/kube.ts';
import { serviceAccountKubeconfig } from '../harness/service-account.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { cpuByProcess, cpuSince } from './process-stats.ts';
import { Applier } from '../../operator/src/adapters/kubernetes/applier.ts';
import { ResourceMap } from '../../operator/src/adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../../operator/src/adapters/kubernetes/rest-transport.ts';
import { ResourceWatch } from '../../operator/src/adapters/kubernetes/watch.ts';
import type { KubeObject } from '../../operator/src/core/manifest.ts';
import type { Measurement } from './report.ts';

/**
 * The kwok nodes a benchmark of `environments` one-pod Deployments needs: each takes 250 pods
 * (kwok's capacity), with a tenth to spare, and at least the 6 the benchmarks always had.
 */
export function benchNodes(environments: number): number {
  return Math.max(6, Math.ceil((environments * 1.1) / 250));
}

/**
 * The floor: `environments` fleet environments' objects applied straight to the API server of a
 * fresh control plane (server-side apply, 16 at a time), until every Deployment is Available; seconds.
 */
export async function measureFloor(environments: number): Promise<number> {
  const floorCp = await ControlPlane.start({ nodes: benchNodes(environments) });
  try {
    const floorKc = loadKubeConfig(floorCp.kubeconfig);
    await floorKc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'bench-floor' } } });
    const available = new Set<string>();
    const watch = new ResourceWatch(floorKc, {
      resource: { group: 'apps', version: 'v1', plural: 'deployments' },
      namespace: 'bench-floor',
      onEvent: (type, obj) => {
        const d = obj as {
          metadata: { name: string; generation?: number };
          status?: { availableReplicas?: number; observedGeneration?: number };
        };
        if (
          type !== 'DELETED' &&
          d.status?.availableReplicas === 1 &&
          d.status.observedGeneration === d.metadata.generation
        )
          available.add(d.metadata.name);
        else available.delete(d.metadata.name);
      },
    });
    await watch.start();
    const cpu = cpuByProcess(floorCp.pids());
    const started = performance.now();
    const transport = await RestTransport.fromKubeConfig(floorKc, { maxSockets: 16 });
    const applier = new Applier(transport, new ResourceMap(transport), { concurrency: 16 });
    await applier.applyAll(Array.from({ length: environments }, (_, i) => tinyObjects(i, 'bench-floor')).flat());
    await until(async () => available.size === environments, 900_000, 'the floor Deployments Available', 100);
    const seconds = (performance.now() - started) / 1000;
    console.log(`floor CPU seconds by process: ${JSON.stringify(cpuSince(cpu, cpuByProcess(floorCp.pids())))}`);
    transport.close();
    await watch.stop();
    return seconds;
  } finally {
    await floorCp.stop();
  }
}

/** The floor of `environments` (measureFloor) as the benchmarks report it, or NaN and nothing when `run` is false. */
export async function floorPart(
  environments: number,
  run: boolean,
): Promise<{ seconds: number; measurements: Measurement[] }> {
  if (!run) return { seconds: Number.NaN, measurements: [] };
  const seconds = await measureFloor(environments);
  const name = 'floor: the same objects applied directly, Deployments Available';
  return { seconds, measurements: [{ name, value: seconds, unit: 's' }] };
}

/** The four objects of fleet environment `i`, as the fleet repository synthesizes them. */
export function tinyObjects(i: number, namespace: string): KubeObject[] {
  const labels = { app: `t${i}` };
  const meta = { name: `t${i}`, namespace };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { index: String(i) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta },
    { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: labels, ports: [{ port: 80 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'registry.example/tiny:1' }] } },
      },
    },
  ];
}

/** The fleet deploy repository: `n` environments `e0`…, each one Tiny app of four objects. */
export function fleetRepo(n: number, image = 'registry.example/tiny:1'): string {
  return tinyFleetCode(n, `'${image}'`, '');
}

/**
 * The fleet deploy repository with its images in images.json, so one environment's tag can be
 * bumped alone (what CI does): `n` environments `e0`…, each one Tiny app whose Deployment runs
 * its own entry; `tag(i)` is environment i's tag. `generation` goes into every ConfigMap: a
 * change of it touches every environment.
 */
export function fleetFiles(n: number, tag: (i: number) => string, generation = 1): Record<string, string> {
  const main = tinyFleetCode(n, "env.image('tiny')", `, generation: '${generation}'`);
  const images = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`e${i}`, { tiny: `registry.example/tiny:${tag(i)}` }]),
  );
  return { 'main.ts': main, 'images.json': `${JSON.stringify(images, null, 1)}\n` };
}

/**
 * The code of a fleet of `n` Tiny apps: `image` is the expression of a Deployment's image (in
 * the scope of the builder's `env`), `data` more entries of each ConfigMap's data.
 */
function tinyFleetCode(n: number, image: string, data: string): string {
  return `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Tiny extends App {
  constructor(scope: any, name: string, i: number, image: string) {
    super(scope, name);
    const labels = { app: 't' + i };
    const metadata = { name: 't' + i };
    new ApiObject(this, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { index: String(i)${data} } });
    new ApiObject(this, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata });
    new ApiObject(this, 'svc', { apiVersion: 'v1', kind: 'Service', metadata,
      spec: { selector: labels, ports: [{ port: 80 }] } });
    const containers = [{ name: 'main', image }];
    const template = { metadata: { labels }, spec: { containers } };
    new ApiObject(this, 'deploy', { apiVersion: 'apps/v1', kind: 'Deployment', metadata,
      spec: { replicas: 1, selector: { matchLabels: labels }, template } });
  }
}

const builders: Record<string, (env: any) => void> = {};
for (let i = 0; i < ${n}; i++) builders['e' + i] = (env) => { new Tiny(env, 'tiny', i, ${image}); };
export default defineEnvironments(builders);
`;
}

/** The operator's user in the benchmarks' audit logs. */
export const OPERATOR_USER = 'system:serviceaccount:keelson-bench:keelson';

/**
 * The benchmark's namespaces, and the operator's identity in them: the service account
 * keelson-bench/keelson (cluster-admin, as the chart's ClusterRole does) and a kubeconfig of
 * its token, so the audit log tells the operator's requests apart. Returns the kubeconfig's path.
 */
export async function prepareBenchCluster(kc: k8s.KubeConfig, namespaces: readonly string[]): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const ns of [...namespaces, 'keelson-bench']) await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedServiceAccount({ namespace: 'keelson-bench', body: { metadata: { name: 'keelson' } } });
  await kc.makeApiClient(k8s.RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: 'keelson-bench' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'keelson', namespace: 'keelson-bench' }],
    },
  });
  return serviceAccountKubeconfig(kc, {
    namespace: 'keelson-bench',
    name: 'keelson',
    path: join(mkdtempSync(join(tmpdir(), 'keelson-bench-')), 'kubeconfig'),
  });
}

/** Polls `check` until it is true, or throws naming `what` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The operator as the benchmarks run it (16 reconciles at once, two synthesis workers), started and leading. */
export async function startBenchOperator(kubeconfig: string): Promise<OperatorProcess> {
  return (await startBenchOperators(kubeconfig, 1))[0]!;
}

/** Shards of the benchmarks' sharded runs (the chart's default). */
export const BENCH_SHARDS = 16;

/**
 * `replicas` operators: one without sharding, or that many with --shards (ADR 0023), started,
 * working, and holding the even share of the shards each.
 */
export async function startBenchOperators(kubeconfig: string, replicas: number): Promise<OperatorProcess[]> {
  const sharded = replicas > 1;
  const operators: OperatorProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    const operator = new OperatorProcess({
      kubeconfig,
      identity: sharded ? `keelson-bench-${i}` : 'keelson-bench',
      args: [
        '--concurrency=16',
        '--synth-workers=2',
        ...(sharded ? [`--shards=${BENCH_SHARDS}`, '--lease-name=bench', '--lease-namespace=keelson-bench'] : []),
      ],
    });
    await operator.start();
    await operator.waitLeading();
    operators.push(operator);
  }
  if (sharded)
    await until(
      async () => {
        const held = await Promise.all(
          operators.map(async (o) => (await o.metrics()).match(/^keelson_shard_held\{shard="\d+"\} 1$/gm)?.length ?? 0),
        );
        return held.every((n) => n === Math.floor(BENCH_SHARDS / replicas));
      },
      120_000,
      `${BENCH_SHARDS} shards spread over ${replicas} replicas`,
    );
  return operators;
}

/** Creates fleet Environments e0 … e(n-1) of GitRepository `fleet` in bench-envs, automated, 16 at a time. */
export function createFleetEnvironments(
  n: number,
  create: (plural: string, kind: string, name: string, spec: unknown) => Promise<unknown>,
): Promise<void> {
  return inParallel(n, 16, (i) =>
    create('environments', 'Environment', `e${i}`, {
      sourceRef: { name: 'fleet' },
      environment: `e${i}`,
      targetNamespace: 'bench-envs',
      sync: { automated: { prune: true } },
    }),
  );
}

/** Runs fn(0) … fn(n-1), at most `limit` at once. */
export async function inParallel(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
