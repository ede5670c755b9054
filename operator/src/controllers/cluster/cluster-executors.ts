// The reconciler's ExecutorFactory over the cluster registry: an Environment's executor is its
// destination cluster's (the operator's own cluster without spec.destination). A failed
// connection to a remote cluster comes out of the executor as a WaitingError with reason
// ClusterUnreachable, so the Environment's ClusterReachable condition says so and it is
// reconciled again by itself; the watches of the kinds it manages start on its cluster.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { ResourceMap } from '../../adapters/kubernetes/resource-map.ts';
import type { RestTransport } from '../../adapters/kubernetes/rest-transport.ts';
import { parseKey } from '../../core/manifest.ts';
import { inventoryEntry } from '../../core/sync/prune-set.ts';
import type { EnvironmentExecutor, ExecutorFactory } from '../environment/ports.ts';
import type { ClusterRegistry } from './cluster-registry.ts';

/** What one cluster's executor factory offers (KubernetesExecutorFactory). */
export interface ClusterExecutorFactory extends ExecutorFactory {
  connectionFor(env: EnvironmentResource): Promise<{ transport: RestTransport; resourceMap: ResourceMap }>;
}

export class ClusterExecutors implements ExecutorFactory {
  readonly #registry: ClusterRegistry<ClusterExecutorFactory>;

  constructor(registry: ClusterRegistry<ClusterExecutorFactory>) {
    this.#registry = registry;
  }

  async executorFor(env: EnvironmentResource): Promise<EnvironmentExecutor> {
    const { connection, identity } = await this.#registry.connectionOf(env);
    void connection.track(managedKinds(env)).catch(() => undefined);
    const executor = await connection.executors.executorFor(env);
    if (identity === undefined) return executor;
    const guard =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await call(...args);
        } catch (err) {
          throw this.#registry.failed(identity, err);
        }
      };
    return {
      compareWithCluster: guard(executor.compareWithCluster.bind(executor)),
      readInventory: guard(executor.readInventory.bind(executor)),
      start: guard(executor.start.bind(executor)),
      step: guard(executor.step.bind(executor)),
    };
  }

  /** The transport and discovery of an Environment's cluster, with its identity (resource actions). */
  async connectionFor(env: EnvironmentResource): Promise<{ transport: RestTransport; resourceMap: ResourceMap }> {
    return (await this.#registry.connectionOf(env)).connection.executors.connectionFor(env);
  }

  /** Watches what an Environment manages on the cluster it was last placed on (from the Environment watch). */
  track(env: EnvironmentResource): void {
    void this.#registry
      .placed(env)
      ?.track(managedKinds(env))
      .catch(() => undefined);
  }

  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    // Its cluster's executors forget it (the local ones when it has none); a remote cluster no one uses closes.
    this.#registry.placedAt(key).executors.forget(namespace, name);
    this.#registry.release(key);
  }
}

/**
 * The kinds an Environment manages: its inventory, and what its sync in progress applies and
 * its hooks, as soon as the operation shows in status. Watched, a hand edit or a hook finishing
 * wakes its reconcile at once, and the comparisons of the Environments created next find these
 * kinds watched (a probe by dry-run instead of a GET: ADR 0010).
 */
export function managedKinds(env: EnvironmentResource): string[] {
  const operationKinds = (env.status?.operation?.tasks ?? [])
    .filter((t) => t.apiVersion)
    .map((t) => {
      const key = parseKey(t.key);
      return inventoryEntry({
        apiVersion: t.apiVersion!,
        kind: key.kind,
        metadata: { name: t.hookName ?? key.name, namespace: key.namespace },
      });
    });
  return [...(env.status?.inventory ?? []), ...operationKinds];
}
