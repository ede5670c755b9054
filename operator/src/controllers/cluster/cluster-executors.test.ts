import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { clusterIdentity, type ClusterCredentials } from '../../core/cluster/cluster-credentials.ts';
import { silentLogger } from '../../core/logger.ts';
import { WaitingError } from '../reconcile-errors.ts';
import type { EnvironmentExecutor } from '../environment/ports.ts';
import { ClusterExecutors, managedKinds, type ClusterExecutorFactory } from './cluster-executors.ts';
import { ClusterRegistry, type ClusterConnection } from './cluster-registry.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function env(name: string, destination?: string): EnvironmentResource {
  return {
    metadata: { namespace: 'team', name },
    spec: { destination: destination ? { secretRef: { name: destination } } : undefined },
    status: {
      inventory: ['v1/ConfigMap/team/a'],
      operation: { tasks: [{ key: 'batch/Job/team/migrate', apiVersion: 'batch/v1', hookName: 'migrate-x' }] },
    },
  } as unknown as EnvironmentResource;
}

/** A connection whose executor's step fails with `error`, recording what it was asked to watch. */
function connection(error: unknown, tracked: string[][]): ClusterConnection<ClusterExecutorFactory> {
  const fail = async () => Promise.reject(error);
  const executor = {
    step: fail,
    start: fail,
    compareWithCluster: fail,
    readInventory: fail,
  } as unknown as EnvironmentExecutor;
  return {
    executors: { executorFor: async () => executor, forget: () => undefined } as unknown as ClusterExecutorFactory,
    track: async (inventory) => void tracked.push([...inventory]),
    forget: () => undefined,
    probe: async () => undefined,
    close: async () => undefined,
  };
}

function executors(localError: unknown, remoteError: unknown) {
  const tracked: string[][] = [];
  const credentials: ClusterCredentials = { server: 'https://a:6443', token: 't' };
  const registry = new ClusterRegistry<ClusterExecutorFactory>({
    local: connection(localError, tracked),
    resolve: async () => ({
      credentials,
      identity: clusterIdentity(credentials),
      label: 'https://a:6443',
      secret: 'team/a',
    }),
    connect: () => connection(remoteError, tracked),
    metrics: { connection: () => undefined, environments: () => undefined, forget: () => undefined },
    onReachable: () => undefined,
    log: silentLogger,
  });
  return { executors: new ClusterExecutors(registry), registry, tracked };
}

describe('ClusterExecutors', () => {
  const step = (e: EnvironmentExecutor) => (e.step as unknown as () => Promise<unknown>)();

  it("turns a remote cluster's connection error into ClusterUnreachable, which the reconcile waits on", async () => {
    const { executors: x, registry } = executors(refused(), refused());
    const executor = await x.executorFor(env('prod', 'a'));
    await assert.rejects(
      step(executor),
      (err: unknown) => err instanceof WaitingError && err.reason === 'ClusterUnreachable',
    );
    await assert.rejects(x.executorFor(env('prod', 'a')), WaitingError, 'the cluster is down: no request is sent');
    await registry.close();
  });

  it("leaves the operator's own cluster's errors, and a remote cluster's HTTP answers, as they are", async () => {
    const conflict = Object.assign(new Error('conflict'), { status: 409 });
    const { executors: x, registry } = executors(refused(), conflict);
    await assert.rejects(step(await x.executorFor(env('dev'))), (err: unknown) => !(err instanceof WaitingError));
    await assert.rejects(step(await x.executorFor(env('prod', 'a'))), (err: unknown) => err === conflict);
    await registry.close();
  });

  it('watches what an Environment manages on its cluster: its inventory and its operation’s hooks', async () => {
    const { executors: x, registry, tracked } = executors(undefined, undefined);
    await x.executorFor(env('prod', 'a'));
    assert.deepEqual(tracked.at(-1), managedKinds(env('prod', 'a')));
    assert.deepEqual(managedKinds(env('prod', 'a')), ['v1/ConfigMap/team/a', 'batch/v1/Job/team/migrate-x']);
    await registry.close();
  });
});
