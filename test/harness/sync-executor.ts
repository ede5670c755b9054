// A SyncExecutor for tests, built from the production class's public API only: made from a
// kubeconfig (its own connection pool, impersonating spec.serviceAccountName like the
// operator's executor factory), and run() steps an operation until it finishes, as the
// Environment reconciler does over its reconciles, with the waits shortened.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../operator/src/core/manifest.ts';
import type { Operation } from '../../operator/src/core/sync/operation.ts';
import { ResourceMap } from '../../operator/src/adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../../operator/src/adapters/kubernetes/rest-transport.ts';
import { SyncExecutor, type SyncExecutorOptions } from '../../operator/src/adapters/kubernetes/sync-executor.ts';

export class RunningSyncExecutor extends SyncExecutor {
  readonly #persist: SyncExecutorOptions['persist'];

  constructor(transport: RestTransport, resources: ResourceMap, options: SyncExecutorOptions) {
    super(transport, resources, options);
    this.#persist = options.persist;
  }

  static async fromKubeConfig(kc: KubeConfig, options: SyncExecutorOptions): Promise<RunningSyncExecutor> {
    const impersonate = options.serviceAccountName
      ? `system:serviceaccount:${options.owner.namespace}:${options.serviceAccountName}`
      : undefined;
    const transport = await RestTransport.fromKubeConfig(kc, { maxSockets: options.concurrency ?? 16, impersonate });
    return new RunningSyncExecutor(transport, new ResourceMap(transport), options);
  }

  /** Steps until the operation finishes, then persists it (as the reconciler's status write would). */
  async run(operation: Operation, desired: readonly KubeObject[], signal?: AbortSignal): Promise<Operation> {
    let current = operation;
    for (;;) {
      signal?.throwIfAborted();
      const outcome = await this.step(current, desired);
      current = outcome.operation;
      if (outcome.done) {
        await this.#persist(current);
        return current;
      }
      if (outcome.requeueAfterMs > 0) await sleep(Math.min(outcome.requeueAfterMs, 500), undefined, { signal });
    }
  }
}
