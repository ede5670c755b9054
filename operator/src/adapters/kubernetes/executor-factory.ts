// One SyncExecutor per Environment, over one shared connection pool to the API server:
// the executor's owner is the Environment, it persists the operation into the
// Environment's status, and with spec.serviceAccountName every request it sends
// impersonates that ServiceAccount, so an environment can touch only what its
// ServiceAccount may.
import type { KubeConnection } from './kubeconfig.ts';
import type { HealthAssessor } from '../../core/health/index.ts';
import type { Operation } from '../../api/v1alpha1/environment.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { EnvironmentResource, KeelsonResources } from './keelson-resources.ts';
import type { WatchCache } from './live-state.ts';
import { ResourceMap } from './resource-map.ts';
import { RestTransport, TransportClosedError } from './rest-transport.ts';
import { SyncExecutor } from './sync-executor.ts';

export interface ExecutorFactoryOptions {
  readonly kubeConfig: KubeConnection;
  readonly resources: KeelsonResources;
  /** Parallel requests per executor. @default 16 */
  readonly concurrency?: number;
  /** Time limit of one request (a remote cluster's is shorter). @default RestTransport's */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
  /**
   * Discovery shared by every executor (what the API server serves does not depend on who
   * asks); the factory builds one over the operator's own transport when none is given.
   */
  readonly resourceMap?: ResourceMap;
  /**
   * The operator's watch cache of managed objects. Executors with the operator's own
   * identity read from it; one impersonating a ServiceAccount reads with requests, so it
   * sees only what that ServiceAccount may read.
   */
  readonly cache?: WatchCache;
  /** How applied objects are judged (the user's health rules included). @default assessHealth */
  readonly assessHealth?: HealthAssessor;
  /** Where the executors write their debug lines, each with its Environment. @default silentLogger */
  readonly log?: Logger;
  /**
   * Throws when this replica no longer holds the shard of the Environment (`namespace/name`):
   * checked before every write its executor sends, so a replica that lost the shard writes
   * nothing more (ADR 0023). @default every write is sent
   */
  readonly fence?: (key: string) => void;
  /**
   * The shard of the Environment (`namespace/name`) when the operator runs sharded: the objects
   * its executor applies carry it as a label, which each replica's watches select (ADR 0026).
   * @default no shard label
   */
  readonly shardOf?: (key: string) => number;
}

export class KubernetesExecutorFactory {
  readonly #options: ExecutorFactoryOptions;
  /** Transport per identity: '' is the operator's own. */
  readonly #transports = new Map<string, Promise<RestTransport>>();
  #closed = false;
  readonly #executors = new Map<string, { identity: string; executor: SyncExecutor }>();
  #resourceMap: Promise<ResourceMap> | undefined;

  constructor(options: ExecutorFactoryOptions) {
    this.#options = options;
  }

  async executorFor(env: EnvironmentResource): Promise<SyncExecutor> {
    const key = `${env.metadata.namespace}/${env.metadata.name}`;
    const identity = identityOf(env);
    const cached = this.#executors.get(key);
    if (cached && cached.identity === identity) return cached.executor;
    const fence = this.#options.fence;
    const shared = await this.#transport(identity);
    const transport = fence ? shared.guarded(() => fence(key)) : shared;
    const resources = this.#options.resources;
    const executor = new SyncExecutor(transport, await this.#resources(), {
      owner: { namespace: env.metadata.namespace, name: env.metadata.name, shard: this.#options.shardOf?.(key) },
      persist: async (operation: Operation) => {
        fence?.(key);
        await resources.patchEnvironmentStatus(env.metadata.namespace, env.metadata.name, { operation });
      },
      clock: this.#options.clock,
      concurrency: this.#options.concurrency ?? 16,
      cache: identity ? undefined : this.#options.cache,
      assessHealth: this.#options.assessHealth,
      log: (this.#options.log ?? silentLogger).child({ environment: key }),
    });
    this.#executors.set(key, { identity, executor });
    return executor;
  }

  /**
   * The transport an Environment's requests go out on (impersonating its
   * spec.serviceAccountName, if any) and the shared discovery: resource actions act with
   * the same identity as the Environment's syncs.
   */
  async connectionFor(env: EnvironmentResource): Promise<{ transport: RestTransport; resourceMap: ResourceMap }> {
    return { transport: await this.#transport(identityOf(env)), resourceMap: await this.#resources() };
  }

  forget(namespace: string, name: string): void {
    this.#executors.delete(`${namespace}/${name}`);
  }

  /** For good: executors made before fail their requests, none are made after. */
  close(): void {
    this.#closed = true;
    for (const t of this.#transports.values())
      void t.then(
        (tr) => tr.close(),
        () => undefined,
      );
    this.#transports.clear();
    this.#executors.clear();
    this.#resourceMap = undefined;
  }

  #resources(): Promise<ResourceMap> {
    this.#resourceMap ??= this.#options.resourceMap
      ? Promise.resolve(this.#options.resourceMap)
      : this.#transport('').then((t) => new ResourceMap(t));
    return this.#resourceMap;
  }

  #transport(identity: string): Promise<RestTransport> {
    if (this.#closed) return Promise.reject(new TransportClosedError('request', 'to the API server'));
    let t = this.#transports.get(identity);
    if (!t) {
      // Impersonation is the transport's, one way for every request (Impersonate-User).
      t = RestTransport.fromKubeConfig(this.#options.kubeConfig, {
        maxSockets: this.#options.concurrency ?? 16,
        timeoutMs: this.#options.timeoutMs,
        impersonate: identity || undefined,
      });
      this.#transports.set(identity, t);
    }
    return t;
  }
}

function identityOf(env: EnvironmentResource): string {
  const sa = env.spec.serviceAccountName;
  return sa ? `system:serviceaccount:${env.metadata.namespace}:${sa}` : '';
}
