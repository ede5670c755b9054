// The clusters main.ts wires the Environment reconciler to: the operator's own (its executor
// factory and managed-object watches, as before) and, per distinct cluster Secret content, one
// connection to a remote cluster with its own transports, discovery, managed-object watches,
// CustomResourceDefinition watch and executors (controllers/cluster/cluster-registry.ts shares
// and probes them). Remote requests have a shorter time limit, so a cluster that does not
// answer holds a reconcile for seconds, not half a minute.
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeConfigOf } from './adapters/kubernetes/cluster-kubeconfig.ts';
import { KubernetesExecutorFactory } from './adapters/kubernetes/executor-factory.ts';
import type { KeelsonResources } from './adapters/kubernetes/keelson-resources.ts';
import { ResourceMap } from './adapters/kubernetes/resource-map.ts';
import { LazyRestTransport, onKubernetesRequest } from './adapters/kubernetes/rest-transport.ts';
import { ClusterMetrics } from './adapters/metrics/cluster-metrics.ts';
import type { Registry } from 'prom-client';
import { ClusterExecutors } from './controllers/cluster/cluster-executors.ts';
import { ClusterRegistry, type ClusterConnection } from './controllers/cluster/cluster-registry.ts';
import { ClusterSecrets, type ResolvedCluster } from './controllers/cluster/cluster-secret.ts';
import type { HealthAssessor } from './core/health/index.ts';
import type { Logger } from './core/logger.ts';
import type { KubeObject } from './core/manifest.ts';
import type { SecretRedactor } from './core/redact.ts';
import { ManagedObjectWatches, type WatchedShards } from './adapters/kubernetes/managed-object-watches.ts';
import { watchCustomResourceDefinitions } from './main-watches.ts';

/** Time limit of one request to a remote cluster. */
const REMOTE_REQUEST_TIMEOUT_MS = 10_000;
/** Time limit of the probe that says whether a remote cluster answers. */
const PROBE_TIMEOUT_MS = 5000;

export interface ClustersOptions {
  /** The operator's own cluster, where the Keelson resources and the cluster Secrets are. */
  readonly kubeConfig: KubeConnection;
  readonly local: { readonly executors: KubernetesExecutorFactory; readonly watches: ManagedObjectWatches };
  readonly resources: KeelsonResources;
  readonly redactor: SecretRedactor;
  readonly registry: Registry;
  /** The cluster-registration namespace (--cluster-namespace); Secrets there serve other namespaces. */
  readonly clusterNamespace?: string;
  readonly assessHealth?: HealthAssessor;
  readonly log: Logger;
  /** A managed object changed on any cluster. */
  readonly onObject: (obj: KubeObject) => void;
  /** A cluster answers again: reconcile each of its Environments now. */
  readonly onReachable: (namespace: string, name: string) => void;
  /** The shards' fence, for the executors of remote clusters as for the local one (ADR 0023). */
  readonly fence?: (key: string) => void;
  /** The shard of an Environment and the shards watched, run sharded (ADR 0026). */
  readonly shards?: { readonly shardOf: (key: string) => number; readonly watched: WatchedShards };
}

export interface Clusters {
  readonly executors: ClusterExecutors;
  close(): Promise<void>;
}

export function createClusters(options: ClustersOptions): Clusters {
  const metrics = new ClusterMetrics(options.registry);
  const stopCounting = onKubernetesRequest(metrics.observe);
  const secrets = new ClusterSecrets(options.kubeConfig, options.redactor, options.clusterNamespace);
  const local: ClusterConnection<KubernetesExecutorFactory> = {
    executors: options.local.executors,
    track: (inventory) => options.local.watches.track(inventory),
    forget: (namespace, name) => options.local.executors.forget(namespace, name),
    probe: async () => undefined,
    close: async () => undefined,
  };
  const registry = new ClusterRegistry<KubernetesExecutorFactory>({
    local,
    resolve: (env) => secrets.resolve(env),
    connect: (cluster) => connectRemote(cluster, options),
    metrics,
    onReachable: options.onReachable,
    log: options.log,
  });
  return {
    executors: new ClusterExecutors(registry),
    close: async () => {
      await registry.close();
      stopCounting();
    },
  };
}

function connectRemote(
  cluster: ResolvedCluster,
  options: ClustersOptions,
): ClusterConnection<KubernetesExecutorFactory> {
  const log = options.log.child({ cluster: cluster.label });
  const kubeConfig = kubeConfigOf(cluster.credentials);
  const transport = new LazyRestTransport(kubeConfig, { maxSockets: 4, timeoutMs: REMOTE_REQUEST_TIMEOUT_MS });
  const probeTransport = new LazyRestTransport(kubeConfig, { maxSockets: 1, timeoutMs: PROBE_TIMEOUT_MS });
  const resourceMap = new ResourceMap(transport);
  // Every namespace of the remote cluster: --namespaces names the operator's own.
  const watches = new ManagedObjectWatches({
    kubeConfig,
    resourceMap,
    namespaces: [],
    log,
    onObject: options.onObject,
    shards: options.shards?.watched,
  });
  const executors = new KubernetesExecutorFactory({
    kubeConfig,
    resources: options.resources,
    resourceMap,
    cache: watches,
    assessHealth: options.assessHealth,
    timeoutMs: REMOTE_REQUEST_TIMEOUT_MS,
    log,
    fence: options.fence,
    shardOf: options.shards?.shardOf,
  });
  const closing = new AbortController();
  const crdWatch = watchCrdsUntilClosed(kubeConfig, resourceMap, watches, log, closing.signal);
  return {
    executors,
    track: (inventory) => watches.track(inventory),
    forget: (namespace, name) => executors.forget(namespace, name),
    probe: async () => void (await probeTransport.request({ method: 'GET', path: '/version' })),
    close: async () => {
      closing.abort();
      executors.close();
      transport.close();
      probeTransport.close();
      await watches.stop();
      await (await crdWatch)?.stop();
    },
  };
}

/** The remote cluster's CRD watch (discovery follows its CRDs), started again until it lists. */
async function watchCrdsUntilClosed(
  kubeConfig: KubeConnection,
  resourceMap: ResourceMap,
  watches: ManagedObjectWatches,
  log: Logger,
  closed: AbortSignal,
): Promise<{ stop(): Promise<void> } | undefined> {
  while (!closed.aborted) {
    try {
      const watch = await watchCustomResourceDefinitions({
        kubeConfig,
        log,
        onChange: (group, kind, deleted) => {
          resourceMap.forgetGroup(group);
          if (deleted) void watches.forgetKind(group, kind);
        },
      });
      if (closed.aborted) await watch.stop();
      return watch;
    } catch {
      await sleep(10_000, undefined, { signal: closed }).catch(() => undefined);
    }
  }
  return undefined;
}
