// The operator end to end, on its own control plane (audit log on), in one run:
//  - commit-to-applied latency, the refresh triggered at commit time (as a webhook does), p50
//    and p95 over 20 commits: of an environment without hooks (target p50 ≤ 1 s), and of the
//    example dev environment, whose PreSync migration Job runs before the Deployment changes
//    (target p50 ≤ 1 s more than the same Job created directly, measured in the same run;
//    adr/0010);
//  - self-heal latency: a hand edit reverted (target ≤ 2 s);
//  - 1,000 Environments of 4 objects each, from creation to all Synced and Healthy (target
//    ≤ 60 s; Flux's published figure for this workload is 4m13s on a 16-core runner), with
//    the operator's peak memory (its process and its synthesis workers), against the floor:
//    the same objects applied directly on a fresh control plane of the same configuration;
//  - API requests per minute once nothing changes, counted from the API server's audit log
//    (target: none beyond watches and the periodic check).
//   make bench BENCH=operator
//   KEELSON_BENCH_PARTS=fleet,idle KEELSON_BENCH_ENVIRONMENTS=200 make bench BENCH=operator
//   (parts: latency (commit-to-applied and self-heal), floor, fleet, idle; all by default)
//   KEELSON_OPERATOR_NODE_OPTIONS=--cpu-prof\ --cpu-prof-dir=/tmp/prof profiles the operator;
//   KEELSON_BENCH_APISERVER_PROFILE=/tmp/apiserver.pprof profiles the API server for 30 s of
//   the fleet (read it with `go tool pprof -top`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { ControlPlane } from '../harness/control-plane.ts';
import { exampleFiles, pushExamplePassStore } from '../harness/example-deploy-repo.ts';
import { GitServer } from '../harness/git-server.ts';
import { installCrds, loadKubeConfig } from '../harness/kube.ts';
import type { OperatorProcess } from '../harness/operator-process.ts';
import { auditRequests, cpuByProcess, cpuSince, sampleMemory } from './process-stats.ts';
import { percentile, report, type Measurement } from './report.ts';
import {
  fleetRepo,
  createFleetEnvironments,
  startBenchOperator,
  floorPart,
  until,
  OPERATOR_USER,
  prepareBenchCluster,
} from './operator-fleet.ts';
import { RestTransport } from '../../operator/src/adapters/kubernetes/rest-transport.ts';
import { ResourceWatch } from '../../operator/src/adapters/kubernetes/watch.ts';

const COMMITS = 20;
const HEALS = 10;
const ENVIRONMENTS = Number(process.env.KEELSON_BENCH_ENVIRONMENTS ?? 1000);
const FLUX_PUBLISHED_S = 4 * 60 + 13;
const PARTS = new Set((process.env.KEELSON_BENCH_PARTS ?? 'latency,floor,fleet,idle').split(',').map((p) => p.trim()));

const measurements: Measurement[] = [];

// The floor, first, on a control plane of its own (the same configuration), so neither run
// inherits what the other left behind: the same 4,000 objects applied straight to the API
// server (server-side apply, 16 at a time) and the control plane rolling out the 1,000
// Deployments on its own.
const floor = await floorPart(ENVIRONMENTS, PARTS.has('floor'));
const floorS = floor.seconds;
measurements.push(...floor.measurements);

// Only the operator's requests are audited: the control plane's own traffic costs no auditing.
const APISERVER_PROFILE = process.env.KEELSON_BENCH_APISERVER_PROFILE;
const cp = await ControlPlane.start({ nodes: 6, audit: [OPERATOR_USER], profiling: APISERVER_PROFILE !== undefined });
const kc = loadKubeConfig(cp.kubeconfig);
await installCrds(kc);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const git = await GitServer.start();
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

let operator: OperatorProcess | undefined;
try {
  const kubeconfig = await prepareBenchCluster(kc, ['bench', 'bench-dev', 'bench-plain', 'bench-envs']);

  // The example deploy repo and its pass store, and a monorepo of ENVIRONMENTS small environments.
  const files = exampleFiles();
  const deploy = await git.createRepo('deploy', files);
  const store = await pushExamplePassStore(git);
  await git.createRepo('fleet', { 'main.ts': fleetRepo(ENVIRONMENTS) });
  // An environment without hooks, for Keelson's own commit-to-applied: one fleet environment.
  const plain = await git.createRepo('plain', { 'main.ts': fleetRepo(1) });
  await core.createNamespacedSecret({
    namespace: 'bench',
    body: { metadata: { name: 'git' }, stringData: { ...git.credentials } },
  });
  await core.createNamespacedSecret({
    namespace: 'bench',
    body: { metadata: { name: 'gpg' }, stringData: { 'private.asc': store.key.privateKey } },
  });
  // Over one keep-alive pool: client-node opens a TLS connection per request, which would load
  // the API server while the operator is measured against it.
  const rest = await RestTransport.fromKubeConfig(kc, { maxSockets: 16 });
  const create = (plural: string, kind: string, name: string, spec: unknown) =>
    rest.request({
      method: 'POST',
      path: `/apis/keelson.dev/v1alpha1/namespaces/bench/${plural}`,
      body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
    });
  for (const repo of ['deploy', 'pass-store', 'fleet', 'plain'])
    await create('gitrepositories', 'GitRepository', repo, {
      url: git.url(repo),
      insecure: true,
      secretRef: { name: 'git' },
      interval: '1m',
    });
  await create('environments', 'Environment', 'dev', {
    sourceRef: { name: 'deploy' },
    environment: 'dev',
    targetNamespace: 'bench-dev',
    sync: { automated: { prune: true, selfHeal: true } },
    secrets: { pass: { sourceRef: { name: 'pass-store' }, keySecretRef: { name: 'gpg' } } },
  });

  await create('environments', 'Environment', 'plain', {
    sourceRef: { name: 'plain' },
    environment: 'e0',
    targetNamespace: 'bench-plain',
    sync: { automated: { prune: true, selfHeal: true } },
  });

  operator = await startBenchOperator(kubeconfig);
  const getEnv = async (name: string) =>
    (await custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: 'bench',
      plural: 'environments',
      name,
    })) as {
      status?: {
        sync?: { status?: string };
        health?: { status?: string };
        operation?: { phase?: string; revision?: string };
      };
    };
  if (PARTS.has('latency')) {
    await until(async () => (await getEnv('dev')).status?.operation?.phase === 'Succeeded', 120_000, 'dev synced');

    // Commit-to-applied: commit a new tag, trigger the refresh, wait for the live Deployment.
    // Watches time the stages from outside: the new artifact, and each hook Job from its
    // creation to Complete (the control plane's simulated run of the migration, not Keelson's).
    const artifactAt = new Map<string, number>();
    const jobs = new Map<string, { created: number; complete?: number }>();
    const stageWatches = [
      new ResourceWatch(kc, {
        resource: { group: 'keelson.dev', version: 'v1alpha1', plural: 'gitrepositories' },
        namespace: 'bench',
        onEvent: (_type, obj) => {
          const revision = (obj as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision;
          if (revision && !artifactAt.has(revision)) artifactAt.set(revision, performance.now());
        },
      }),
      new ResourceWatch(kc, {
        resource: { group: 'batch', version: 'v1', plural: 'jobs' },
        namespace: 'bench-dev',
        onEvent: (_type, obj) => {
          const job = obj as {
            metadata: { name: string };
            status?: { conditions?: { type: string; status: string }[] };
          };
          const seen = jobs.get(job.metadata.name) ?? { created: performance.now() };
          if (!seen.complete && job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'))
            seen.complete = performance.now();
          jobs.set(job.metadata.name, seen);
        },
      }),
    ];
    await Promise.all(stageWatches.map((w) => w.start()));
    const images = JSON.parse(files['images.json']!) as Record<string, Record<string, string>>;
    const latencies: number[] = [];
    const fetches: number[] = [];
    const hookRuns: number[] = [];
    const keelsonShares: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const tag = `ghcr.io/acme/shop-worker:bench-${i}`;
      images.dev!.worker = tag;
      const t0 = performance.now();
      const commit = await deploy.commit({ 'images.json': JSON.stringify(images, null, 2) }, `worker ${i}`);
      await custom.patchNamespacedCustomObject(
        {
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: 'bench',
          plural: 'gitrepositories',
          name: 'deploy',
          body: { metadata: { annotations: { 'keelson.dev/refresh-requested-at': `bench-${i}` } } },
        },
        mergePatch,
      );
      await until(
        async () =>
          (await apps.readNamespacedDeployment({ name: 'worker', namespace: 'bench-dev' })).spec?.template.spec
            ?.containers[0]?.image === tag,
        60_000,
        `worker at ${tag}`,
        10,
      );
      const applied = performance.now();
      latencies.push(applied - t0);
      const fetched = [...artifactAt].find(([revision]) => revision.endsWith(commit))?.[1];
      if (fetched !== undefined) fetches.push(fetched - t0);
      // PreSync Jobs of this sync: created after the commit, done before the Deployment changed.
      const hookMs = [...jobs.values()]
        .filter((j) => j.created >= t0 && j.complete !== undefined && j.complete <= applied)
        .reduce((sum, j) => sum + (j.complete! - j.created), 0);
      hookRuns.push(hookMs);
      keelsonShares.push(applied - t0 - hookMs);
      await until(
        async () => (await getEnv('dev')).status?.operation?.phase === 'Succeeded',
        60_000,
        'the sync finished',
        50,
      );
    }
    // The reference, in the same run: the same migration Job created straight from the last
    // hook Job's spec, created → Complete. Kubernetes' Job controller batches a Job's pod
    // events for a second (syncJobBatchPeriod), so no Job is Complete much sooner than that.
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const hook = (await batch.listNamespacedJob({ namespace: 'bench-dev' })).items.find(
      (j) => j.metadata?.annotations?.['keelson.dev/hook'],
    );
    if (!hook) throw new Error('no hook Job in bench-dev to take the reference spec from');
    const referenceRuns: number[] = [];
    for (let i = 0; i < 10; i++) {
      const name = `reference-${i}`;
      const { selector: _selector, template, ...spec } = hook.spec!;
      const { labels: _labels, ...templateMeta } = template.metadata ?? {};
      await batch.createNamespacedJob({
        namespace: 'bench-dev',
        body: { metadata: { name }, spec: { ...spec, template: { ...template, metadata: templateMeta } } },
      });
      await until(async () => jobs.get(name)?.complete !== undefined, 30_000, `${name} Complete`, 10);
      referenceRuns.push(jobs.get(name)!.complete! - jobs.get(name)!.created);
    }
    await Promise.all(stageWatches.map((w) => w.stop()));

    // Keelson alone: an environment without hooks, the same commit-and-refresh 20 times.
    const plainLatencies: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const tag = `registry.example/tiny:bench-${i}`;
      const t0 = performance.now();
      await plain.commit({ 'main.ts': fleetRepo(1, tag) }, `tiny ${i}`);
      await custom.patchNamespacedCustomObject(
        {
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: 'bench',
          plural: 'gitrepositories',
          name: 'plain',
          body: { metadata: { annotations: { 'keelson.dev/refresh-requested-at': `bench-${i}` } } },
        },
        mergePatch,
      );
      await until(
        async () =>
          (await apps.readNamespacedDeployment({ name: 't0', namespace: 'bench-plain' })).spec?.template.spec
            ?.containers[0]?.image === tag,
        60_000,
        `t0 at ${tag}`,
        10,
      );
      plainLatencies.push(performance.now() - t0);
    }

    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const p50 = percentile(sorted(latencies), 50);
    const shareP50 = percentile(sorted(keelsonShares), 50);
    const referenceP50 = percentile(sorted(referenceRuns), 50);
    const plainP50 = percentile(sorted(plainLatencies), 50);
    measurements.push(
      {
        name: 'commit-to-applied p50, no hooks (20 commits)',
        value: plainP50,
        unit: 'ms',
        target: '≤ 1000 ms',
        met: plainP50 <= 1000,
      },
      { name: 'commit-to-applied p95, no hooks', value: percentile(sorted(plainLatencies), 95), unit: 'ms' },
      {
        name: 'commit-to-applied p50, example dev with its PreSync Job (20 commits)',
        value: p50,
        unit: 'ms',
        target: '≤ 1000 ms + the reference',
        met: p50 - referenceP50 <= 1000,
      },
      { name: 'commit-to-applied p95, example dev', value: percentile(sorted(latencies), 95), unit: 'ms' },
      {
        name: '  reference: the same Job created directly, created → Complete, p50 (10 runs)',
        value: referenceP50,
        unit: 'ms',
      },
      { name: '  of which the new artifact (fetch), p50', value: percentile(sorted(fetches), 50), unit: 'ms' },
      {
        name: '  of which PreSync Jobs running (created → Complete), p50',
        value: percentile(sorted(hookRuns), 50),
        unit: 'ms',
      },
      {
        name: "  Keelson's share (total − PreSync Jobs running), p50",
        value: shareP50,
        unit: 'ms',
        target: '≤ 1000 ms',
        met: shareP50 <= 1000,
      },
    );

    // Self-heal: scale by hand, wait for the revert.
    const heals: number[] = [];
    for (let i = 0; i < HEALS; i++) {
      const t0 = performance.now();
      await apps.patchNamespacedDeployment(
        { name: 'api', namespace: 'bench-dev', body: { spec: { replicas: 7 } } },
        mergePatch,
      );
      await until(
        async () => (await apps.readNamespacedDeployment({ name: 'api', namespace: 'bench-dev' })).spec?.replicas === 1,
        30_000,
        'api reverted',
        10,
      );
      heals.push(performance.now() - t0);
      await sleep(300);
    }
    heals.sort((a, b) => a - b);
    const healP50 = percentile(heals, 50);
    measurements.push(
      {
        name: 'self-heal latency p50 (10 edits)',
        value: healP50,
        unit: 'ms',
        target: '≤ 2000 ms',
        met: healP50 <= 2000,
      },
      { name: 'self-heal latency max', value: heals.at(-1)!, unit: 'ms' },
    );
  }

  // 1,000 Environments of 4 objects each.
  if (PARTS.has('fleet')) {
    const fleetFrom = Date.now();
    // Watched, not listed: a list of a thousand Environments every few seconds would load the
    // API server the operator is measured against.
    const done = new Set<string>();
    // When each Environment's sync operation first showed in its status: the timeline of the
    // operator's own work, apart from the control plane rolling the Deployments out.
    const operationSeen = new Map<string, number>();
    const watch = new ResourceWatch(kc, {
      resource: { group: 'keelson.dev', version: 'v1alpha1', plural: 'environments' },
      namespace: 'bench',
      onEvent: (type, obj) => {
        const e = obj as {
          metadata: { name: string };
          status?: { sync?: { status?: string }; health?: { status?: string }; operation?: { phase?: string } };
        };
        if (!e.metadata.name.startsWith('e')) return;
        if (e.status?.operation && !operationSeen.has(e.metadata.name))
          operationSeen.set(e.metadata.name, performance.now());
        if (
          type !== 'DELETED' &&
          e.status?.sync?.status === 'Synced' &&
          e.status.health?.status === 'Healthy' &&
          e.status.operation?.phase === 'Succeeded'
        )
          done.add(e.metadata.name);
        else done.delete(e.metadata.name);
      },
    });
    await watch.start();
    const memory = sampleMemory(operator.pid!);
    const cpuBefore = cpuByProcess([operator.pid!, ...cp.pids()]);
    const t0 = performance.now();
    const profiled = APISERVER_PROFILE ? profileApiServer(APISERVER_PROFILE, 30) : Promise.resolve();
    await createFleetEnvironments(ENVIRONMENTS, create);
    const createdS = (performance.now() - t0) / 1000;
    await until(
      async () => done.size === ENVIRONMENTS,
      900_000,
      `${ENVIRONMENTS} Environments Synced and Healthy`,
      100,
    ).catch((err: unknown) => console.log(`${String(err)} (${done.size} ready)`));
    const fleetS = (performance.now() - t0) / 1000;
    const ready = done.size;
    await profiled;
    await watch.stop();
    const peakMiB = memory.stop();
    const cpuAfter = cpuByProcess([operator.pid!, ...cp.pids()]);
    console.log(`fleet CPU seconds by process: ${JSON.stringify(cpuSince(cpuBefore, cpuAfter))}`);
    measurements.push(
      {
        name: `${ENVIRONMENTS} Environments × 4 objects to Synced+Healthy`,
        value: fleetS,
        unit: 's',
        target: '≤ 60 s',
        met: fleetS <= 60 && ready === ENVIRONMENTS,
      },
      { name: '  of which creating the Environments', value: createdS, unit: 's' },
      ...(Number.isNaN(floorS) ? [] : [{ name: '  Keelson / floor (same run)', value: fleetS / floorS, unit: '×' }]),
      {
        name: "  ratio to Flux's published 4m13s (16 cores; not run here)",
        value: fleetS / FLUX_PUBLISHED_S,
        unit: '×',
      },
      { name: 'operator peak memory (process + synthesis workers)', value: peakMiB, unit: 'MiB' },
    );
    const started = [...operationSeen.values()].map((at) => (at - t0) / 1000).sort((a, b) => a - b);
    console.log(
      `fleet timeline: sync operations started by ${started.at(-1)?.toFixed(1)} s (p50 ${percentile(started, 50).toFixed(1)} s), all Synced and Healthy at ${fleetS.toFixed(1)} s`,
    );
    const fleetRequests = auditRequests(join(cp.dir, 'audit.log'), OPERATOR_USER, fleetFrom, Date.now());
    measurements.push({
      name: '  operator API requests per Environment (watches left out)',
      value: fleetRequests.total / ENVIRONMENTS,
      unit: '',
    });
    console.log(`fleet requests by verb and resource: ${JSON.stringify(fleetRequests.byKind)}`);
    // Where the operator's time went: sums and counts of its own duration histograms.
    const totals: Record<string, number> = {};
    for (const line of (await operator.metrics()).split('\n')) {
      const m = /^(keelson_(?:reconcile|synthesis|sync)_duration_seconds_(?:sum|count))(?:\{[^}]*\})? (\S+)$/.exec(
        line,
      );
      if (m) totals[m[1]!] = (totals[m[1]!] ?? 0) + Number(m[2]);
    }
    console.log(`operator durations (all label sets): ${JSON.stringify(totals)}`);
  }

  // Idle: nothing changes; count the operator's requests in the audit log for 60 s.
  if (PARTS.has('idle')) {
    await sleep(30_000);
    const from = Date.now();
    await sleep(60_000);
    const to = Date.now();
    const idle = auditRequests(join(cp.dir, 'audit.log'), OPERATOR_USER, from, to);
    measurements.push(
      {
        name: 'API requests per minute at idle, not watches',
        value: idle.other,
        unit: '/min',
        target: 'none beyond the periodic check',
        met: idle.other <= ENVIRONMENTS / 5 + 30,
      },
      { name: 'watch (re)connections per minute at idle', value: idle.watch, unit: '/min' },
    );
    console.log(`idle requests by verb and resource: ${JSON.stringify(idle.byKind)}`);
  }
  await operator.stop();
  rest.close();
  store.dispose();
} finally {
  // Whatever failed, no operator is left running against a control plane that is gone.
  await operator?.kill();
  await git.stop();
  await cp.stop();
}
report('operator', measurements);

/** A CPU profile of the API server over `seconds`, written to `file`. */
async function profileApiServer(file: string, seconds: number): Promise<void> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(
    'kubectl',
    ['--kubeconfig', cp.kubeconfig, 'get', '--raw', `/debug/pprof/profile?seconds=${seconds}`],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  writeFileSync(file, stdout);
}
