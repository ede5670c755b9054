// The operator process: the only place that knows the concrete adapters. It builds them
// from the configuration, wires the controllers to their watches, serves the probes,
// /metrics, the REST API and the webhook receiver, and stops it all in order.
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import { randomBytes } from 'node:crypto';
import { GitSource } from './adapters/git/git-source.ts';
import { GitMetrics } from './adapters/metrics/git-metrics.ts';
import { loadKubeConfig } from './adapters/kubernetes/client.ts';
import { EventRecorder } from './adapters/kubernetes/events.ts';
import { KubernetesExecutorFactory } from './adapters/kubernetes/executor-factory.ts';
import {
  KeelsonResources,
  type EnvironmentResource,
  type GitRepositoryResource,
  type KeelsonResourceCache,
} from './adapters/kubernetes/keelson-resources.ts';
import { ResourceMap } from './adapters/kubernetes/resource-map.ts';
import { onKubernetesRequest, RestTransport } from './adapters/kubernetes/rest-transport.ts';
import { JsonLogger } from './adapters/log/json-logger.ts';
import { EnvironmentMetrics } from './adapters/metrics/environment-metrics.ts';
import { createRegistry } from './adapters/metrics/registry.ts';
import { watchedObjectsGauge } from './adapters/metrics/watch-metrics.ts';
import { KubernetesRequestMetrics, ReconcileMetrics } from './adapters/metrics/reconcile-metrics.ts';
import { EntryCache } from './adapters/pass/entry-cache.ts';
import { ChartAccessLoader } from './controllers/environment/chart-access.ts';
import { EnvironmentController } from './controllers/environment/environment-controller.ts';
import { EnvironmentReconciler } from './controllers/environment/environment-reconciler.ts';
import { DiffStore } from './controllers/environment/diff-store.ts';
import { PassSecrets } from './controllers/environment/pass-secrets.ts';
import type { ArtifactSource } from './controllers/environment/ports.ts';
import { LeaderElection } from './adapters/kubernetes/leader-election.ts';
import type { Logger } from './core/logger.ts';
import type { OperatorConfig } from './core/operator-config.ts';
import { SecretRedactor } from './core/redact.ts';
import { HealthRulesController, parseConfigMapRef } from './controllers/health-rules.ts';
import { NpmAccessLoader } from './controllers/environment/npm-access.ts';
import { GitRepositoryController } from './controllers/git-repository.ts';
import { NotificationMetrics } from './adapters/metrics/notification-metrics.ts';
import { NotificationController } from './controllers/notification/notification-controller.ts';
import { KubernetesNotificationStore } from './controllers/notification/notification-store.ts';
import { ManagedObjectWatches, WatchedShards } from './adapters/kubernetes/managed-object-watches.ts';
import { watchCustomResourceDefinitions, watchKeelsonResources } from './main-watches.ts';
import { createClusters } from './main-clusters.ts';
import { createSynthesis, touchedBy } from './main-synthesis.ts';
import { SyncWindowWatch } from './adapters/kubernetes/sync-window-watch.ts';
import { createSharding, fencedStore, shardListener } from './main-shards.ts';
import { createServers } from './main-http.ts';

export interface RunningOperator {
  readonly metricsPort: number;
  readonly apiPort: number;
  /** True once this replica runs the controllers (it holds the Lease, or needs none). */
  isLeader(): boolean;
  /** Graceful stop: no new reconciles, the current ones finish (their operations are persisted). */
  stop(): Promise<void>;
}

export interface RunOptions {
  readonly log?: Logger;
  /** Called when this replica loses its Lease; the CLI exits so the pod restarts clean. */
  readonly onLostLeadership?: () => void;
}

export async function runOperator(config: OperatorConfig, options: RunOptions = {}): Promise<RunningOperator> {
  const redactor = new SecretRedactor({ now: Date.now });
  const log = options.log ?? new JsonLogger({ level: config.logLevel, redact: (t) => redactor.redactText(t) });
  const kc: KubeConnection = loadKubeConfig(config.kubeconfig);
  const registry = createRegistry({ processMetrics: true });
  const resources = new KeelsonResources(kc);
  const events = new EventRecorder(kc, { redact: (t) => redactor.redactText(t) });
  const state = { started: false, leader: !config.leaderElect };
  // With --shards, the objects of this replica's shards only (ADR 0023); `gate` undefined without.
  const sharding = createSharding(config, kc, { registry, log, listener: () => listener });
  const gate = sharding.enabled ? sharding : undefined;
  // Run sharded, the managed objects carry their shard and each replica watches its own (ADR 0026).
  const watchedShards = gate ? new WatchedShards({ keepMs: config.leaseDurationMs }) : undefined;
  const shardLabels = gate && watchedShards ? { shardOf: gate.shardOf, watched: watchedShards } : undefined;

  // One Git source (one object cache per URL) shared by the GitRepository controllers of
  // every watched namespace.
  const gitMetrics = new GitMetrics(registry);
  const reconcileMetrics = new ReconcileMetrics(registry);
  const source = new GitSource({ cacheDir: `${config.cacheDir}/git`, onRequest: gitMetrics.observe });
  const gitControllers = (config.namespaces.length ? config.namespaces : [undefined]).map(
    (ns) =>
      new GitRepositoryController(kc, {
        cacheDir: `${config.cacheDir}/git`,
        source,
        log,
        // Every namespace's reconciles are counted (not only the first's).
        observe: reconcileMetrics.observe,
        namespace: ns,
        concurrency: Math.max(2, Math.ceil(config.concurrency / 2)),
        shards: gate,
      }),
  );
  const artifacts: ArtifactSource = gitControllers[0]!;
  const transport = await RestTransport.fromKubeConfig(kc, { maxSockets: 4 });
  const resourceMap = new ResourceMap(transport);
  // The watches of managed objects wake an Environment on a change and are the cache its executor reads.
  const managed = new ManagedObjectWatches({
    kubeConfig: kc,
    resourceMap,
    namespaces: config.namespaces,
    log,
    onObject: (obj) => environments.onManagedObject(obj),
    shards: watchedShards,
  });
  watchedObjectsGauge(registry, () => managed.counts());
  // The users' health rules (--health-rules), watched; every assessment goes through them.
  const healthRules = config.healthRules
    ? new HealthRulesController(kc, {
        ...parseConfigMapRef(config.healthRules, config.leaseNamespace),
        log,
        compile: async (data, origin) =>
          (await import('./adapters/health/argocd-health-rules.ts')).compileHealthRulesConfigMap(data, origin),
        onChange: ({ applied }) => {
          if (applied) environments.enqueueAll();
        },
      })
    : undefined;
  const assessHealth = healthRules ? { assessHealth: healthRules.assess } : {};
  const executors = new KubernetesExecutorFactory({
    kubeConfig: kc,
    resources,
    resourceMap,
    cache: managed,
    ...assessHealth,
    log,
    fence: gate?.fence,
    shardOf: gate?.shardOf,
  });
  // Environments with spec.destination: one connection per remote cluster, shared (docs/clusters.md).
  const clusters = createClusters({
    kubeConfig: kc,
    resources,
    redactor,
    registry,
    log,
    clusterNamespace: config.clusterNamespace,
    local: { executors, watches: managed },
    ...assessHealth,
    onObject: (obj) => environments.onManagedObject(obj),
    onReachable: (namespace, name) => environments.enqueue(namespace, name),
    fence: gate?.fence,
    shards: shardLabels,
  });
  const chartAccess = new ChartAccessLoader(kc, redactor);
  const npmAccess = new NpmAccessLoader(kc, redactor);
  const passSecrets = new PassSecrets({ kubeConfig: kc, resources, artifacts, cache: new EntryCache(), redactor });
  const metrics = new EnvironmentMetrics(registry);
  // The reuse records follow the Environments of this replica (the controller is made below).
  const { synthesizer, synthesize, touches } = createSynthesis(config, metrics, log, () => environments.size);
  const diffs = new DiffStore();
  // Shared sync windows (ADR 0021): the reconciler reads them from this watch; a change re-queues the namespace.
  const syncWindows = new SyncWindowWatch({
    kubeConfig: kc,
    namespaces: config.namespaces,
    log,
    onChange: (namespace) =>
      void resources.listEnvironments(namespace).then(
        (envs) => envs.forEach((e) => environments.enqueue(namespace, e.metadata.name)),
        (err: unknown) => log.warn('listing Environments after a SyncWindow change failed', { error: String(err) }),
      ),
  });
  const reconciler = new EnvironmentReconciler(
    {
      resources: fencedStore(resources, gate),
      artifacts,
      executors: clusters.executors,
      metrics,
      log,
      redactor,
      diffs,
      syncWindows,
      reconciledBy: gate?.reconciledBy,
      events: {
        record: async (env, type, reason, message) => {
          gate?.fence(`${env.metadata.namespace}/${env.metadata.name}`);
          await events.record(env, type, reason, message);
        },
      },
      ...assessHealth,
      clock: Date.now,
      newOperationId: () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      desired: {
        synthesize,
        chartAccess: (env) => chartAccess.load(env),
        npmAccess: (env) => npmAccess.load(env),
        resolveSecrets: (env, objects) => passSecrets.resolve(env, objects),
        isNamespaced: async (env, apiVersion, kind) =>
          (await clusters.executors.connectionFor(env)).resourceMap.lookup(apiVersion, kind).then(
            (r) => r.namespaced,
            () => undefined,
          ),
      },
    },
    {
      resyncIntervalMs: config.resyncIntervalMs,
      observe: reconcileMetrics.observe,
      onForget: (key) => environments.forget(key),
    },
  );
  const stopCountingRequests = onKubernetesRequest(new KubernetesRequestMetrics(registry).observe);
  const environments = new EnvironmentController({
    reconciler,
    log,
    concurrency: config.concurrency,
    touches: touchedBy({ touches }, resources, artifacts),
    shards: gate,
  });
  // Notifications (ADR 0018): told of every Environment the watches see, delivering off the reconcile path.
  const notifications = new NotificationController({
    kubeConfig: kc,
    namespaces: config.namespaces,
    store: new KubernetesNotificationStore(kc, redactor),
    metrics: new NotificationMetrics(registry),
    log,
    uiUrl: config.uiUrl,
    shards: gate,
  });
  const listener = shardListener({
    environments,
    gitRepositories: gitControllers,
    notifications,
    metrics,
    held: () => sharding.describe().held,
    watched: watchedShards,
  });
  let keelsonWatches: (KeelsonResourceCache & { stop(): Promise<void> }) | undefined;
  let crdWatch: { stop(): Promise<void> } | undefined;

  const startControllers = async () => {
    await synthesizer.start();
    // Discovery follows CRDs that come and go; the watches of a deleted CRD's kind stop.
    crdWatch = await watchCustomResourceDefinitions({
      kubeConfig: kc,
      log,
      onChange: (group, kind, deleted) => {
        resourceMap.forgetGroup(group);
        if (deleted) void managed.forgetKind(group, kind);
        log.debug('a CustomResourceDefinition changed; discovery of its group starts again', { group, kind, deleted });
      },
    });
    await Promise.all(gitControllers.map((c) => c.start()));
    await healthRules?.start();
    environments.start();
    await notifications.start();
    await syncWindows.start();
    keelsonWatches = await watchKeelsonResources({
      kubeConfig: kc,
      namespaces: config.namespaces,
      log,
      onEnvironment: (env: EnvironmentResource, deleted: boolean) => {
        environments.onEnvironment(env, deleted);
        notifications.onEnvironment(env, deleted);
        // Watch the kinds it manages, on its cluster, as soon as its status names them (ADR 0010).
        clusters.executors.track(env);
      },
      onGitRepository: (repo: GitRepositoryResource, deleted: boolean) => {
        environments.onGitRepository(repo, deleted);
        notifications.onGitRepository(repo, deleted);
      },
    });
    resources.useCache(keelsonWatches);
    // The shards' Leases once the watches know every object: a shard taken queues its objects.
    await sharding.start();
    state.started = true;
    state.leader = true;
    log.info('controllers started');
  };

  // The probes and /metrics; the REST API, the web UI and the webhook receiver (every replica serves them).
  const { probes, api, ui } = createServers({
    config,
    kc,
    log,
    registry,
    state,
    resources,
    diffs,
    redactor,
    clusters,
    events,
    assessHealth: healthRules?.assess,
  });
  const [metricsPort, apiPort] = await Promise.all([probes.start(), api.start()]);
  log.info('keelson operator serving', {
    metricsPort,
    apiPort,
    // Which API server, and how: `inCluster` for the pod's service account, else the kubeconfig's context.
    apiServer: kc.getCurrentCluster()?.server,
    kubeContext: kc.getCurrentContext(),
    namespaces: config.namespaces.length ? config.namespaces : 'all',
    concurrency: config.concurrency,
    leaderElect: config.leaderElect,
    shards: config.shards,
  });

  let elector: LeaderElection | undefined;
  if (config.leaderElect) {
    elector = new LeaderElection(kc, {
      name: config.leaseName,
      namespace: config.leaseNamespace,
      identity: config.identity,
      leaseDurationMs: config.leaseDurationMs,
      renewIntervalMs: config.leaseDurationMs / 3,
      retryIntervalMs: Math.max(500, config.leaseDurationMs / 7.5),
      onError: (err) => log.warn('lease error', { error: String(err) }),
    });
    void elector.run(
      async () => {
        log.info('became the leader', {
          lease: `${config.leaseNamespace}/${config.leaseName}`,
          identity: config.identity,
        });
        await startControllers();
      },
      () => {
        log.error('lost the Lease; stopping', { identity: config.identity });
        options.onLostLeadership?.();
      },
    );
  } else {
    await startControllers();
  }

  let stopping: Promise<void> | undefined;
  return {
    metricsPort,
    apiPort,
    isLeader: () => state.started,
    stop: () =>
      (stopping ??= (async () => {
        log.info('stopping: finishing the reconciles in progress');
        resources.useCache(undefined);
        await keelsonWatches?.stop();
        await crdWatch?.stop();
        await healthRules?.stop();
        await notifications.stop();
        await syncWindows.stop();
        await managed.stop();
        log.debug('stopping: watches stopped');
        // The Lease is held until the reconciles end, so no other replica acts meanwhile. With
        // the API server gone they cannot end: after shutdownTimeoutMs they are abandoned (a
        // sync resumes from status.operation at the next start) and closing the transports
        // fails their requests at once.
        const drained = await within(
          Promise.all([environments.stop(), ...gitControllers.map((c) => c.stop())]),
          config.shutdownTimeoutMs,
        );
        if (!drained)
          log.warn('reconciles still waiting for the API server; abandoning them', {
            waitedMs: config.shutdownTimeoutMs,
          });
        // Handed back once their reconciles ended: the other replicas take them at once.
        if (!(await within(sharding.stop(), 5000))) log.warn('could not hand the shards back in time');
        executors.close();
        await clusters.close();
        transport.close();
        resources.close();
        events.close();
        // Releasing the Lease lets a standby take over at once; without an API server the
        // standby takes over when the Lease expires.
        if (!(await within(elector?.stop(), 3000))) log.warn('could not release the Lease in time');
        // The UI's open streams would hold the API server's close.
        await ui?.close();
        await Promise.all([api.stop(), probes.stop(), synthesizer.stop()]);
        stopCountingRequests();
        log.info('stopped');
      })()),
  };
}

/** Whether `work` settled within `ms` (it goes on in the background otherwise). */
async function within(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      (work ?? Promise.resolve()).then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
