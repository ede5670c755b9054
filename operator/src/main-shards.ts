// Sharding's wiring (ADR 0023): with --shards, this replica holds some shards through Leases
// (adapters/kubernetes/shard-leases.ts) and works only on the Environments, GitRepositories
// and Notifications in them; a write for an object whose shard it no longer holds is refused
// before it is sent (the fence). Without --shards every object is this replica's.
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import type { Registry } from 'prom-client';
import { ShardLeases } from './adapters/kubernetes/shard-leases.ts';
import { ShardMetrics } from './adapters/metrics/shard-metrics.ts';
import type { Logger } from './core/logger.ts';
import type { OperatorConfig } from './core/operator-config.ts';
import { FencedError, shardOf } from './core/sharding.ts';
import type { EnvironmentStore } from './controllers/environment/ports.ts';
import type { WatchedShards } from './adapters/kubernetes/managed-object-watches.ts';

/** What the controllers ask: whether an object (by `namespace/name`) is this replica's now. */
export interface ShardGate {
  /** Whether to start a reconcile of it: its shard held and not being handed back. */
  accepts(key: string): boolean;
  /** Throws FencedError unless its shard is held (renewed within the deadline). */
  fence(key: string): void;
  shardOf(key: string): number;
  /** The replica and shard status.reconciledBy names; undefined without sharding. */
  reconciledBy(key: string): { replica: string; shard: number } | undefined;
  /** A queued reconcile was dropped: its object is not this replica's (keelson_shard_fenced_total). */
  turnedAway(): void;
}

/** What a shard coming or going means to the controllers (main.ts). */
export interface ShardListener {
  acquired(shard: number): void;
  /** Resolves when the reconciles of the shard in progress have ended. */
  drain(shard: number): Promise<void>;
  lost(shard: number): void;
  /** Environments per held shard, for keelson_shard_environments. */
  environments(): ReadonlyMap<number, number>;
}

export interface Sharding extends ShardGate {
  readonly enabled: boolean;
  /** Takes part in the shards' Leases (first look done when it resolves). */
  start(): Promise<void>;
  /** Hands every shard back and leaves. */
  stop(): Promise<void>;
  /** The shards held and the replicas seen, for /readyz and the logs. */
  describe(): { held: number[]; replicas: number; conflict?: string };
}

const splitKey = (key: string): [string, string] => {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
};

export function createSharding(
  config: OperatorConfig,
  kc: KubeConnection,
  deps: { readonly registry: Registry; readonly log: Logger; readonly listener: () => ShardListener },
): Sharding {
  if (config.shards === 0)
    return {
      enabled: false,
      accepts: () => true,
      fence: () => undefined,
      shardOf: () => 0,
      reconciledBy: () => undefined,
      turnedAway: () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
      describe: () => ({ held: [], replicas: 1 }),
    };
  const { log } = deps;
  const shards = config.shards;
  let conflict: string | undefined;
  const leases: ShardLeases = new ShardLeases(kc, {
    group: config.leaseName,
    namespace: config.leaseNamespace,
    identity: config.identity,
    shards,
    leaseDurationMs: config.leaseDurationMs,
    onAcquired: (shard) => {
      metrics.changed(shard, 'acquired');
      log.info('took a shard', { shard, replica: config.identity });
      deps.listener().acquired(shard);
    },
    onReleasing: (shard) => {
      log.info('handing a shard back once its reconciles end', { shard });
      return deps.listener().drain(shard);
    },
    onLost: (shard, why) => {
      metrics.changed(shard, why);
      log[why === 'released' ? 'info' : 'warn']('no longer holds a shard', { shard, why });
      deps.listener().lost(shard);
    },
    onConflict: (message) => {
      conflict = message;
      if (message) log.error('sharding stopped', { problem: message });
      else log.info('every replica runs with the same shards again');
    },
    onError: (err) => log.warn('shard lease error', { error: String(err) }),
  });
  const metrics = new ShardMetrics(deps.registry, shards, {
    replicas: () => leases.view().members.length,
    environments: () => deps.listener().environments(),
  });
  const of = (key: string) => shardOf(...splitKey(key), shards);
  return {
    enabled: true,
    shardOf: of,
    accepts: (key) => leases.accepts(of(key)),
    turnedAway: () => metrics.fenced.inc({ what: 'reconcile' }),
    fence: (key) => {
      const shard = of(key);
      if (leases.owns(shard)) return;
      metrics.fenced.inc({ what: 'write' });
      throw new FencedError(shard, key);
    },
    reconciledBy: (key) => ({ replica: config.identity, shard: of(key) }),
    start: () => leases.start(),
    stop: () => leases.stop(),
    describe: () => ({ held: leases.held(), replicas: leases.view().members.length, conflict }),
  };
}

/** The controllers a shard coming or going concerns. */
export interface ShardedControllers {
  readonly environments: {
    enqueueShard(shard: number): void;
    drainShard(shard: number): Promise<void>;
    keysOf(shard: number): string[];
  };
  readonly gitRepositories: readonly { enqueueShard(shard: number): void; drainShard(shard: number): Promise<void> }[];
  readonly notifications: { reshard(): void };
  /** Per-Environment metrics: a shard gone, its Environments are reported by their new holder only. */
  readonly metrics: { forget(namespace: string, name: string): void };
  readonly held: () => readonly number[];
  /** The shards the managed-object watches select (ADR 0026). */
  readonly watched?: WatchedShards;
}

export function shardListener(c: ShardedControllers): ShardListener {
  return {
    acquired: (shard) => {
      // Its objects listed first, so its Environments' first reconciles read them from the cache.
      void (c.watched?.add(shard) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => c.environments.enqueueShard(shard));
      for (const g of c.gitRepositories) g.enqueueShard(shard);
      c.notifications.reshard();
    },
    drain: async (shard) => {
      c.notifications.reshard();
      await Promise.all([c.environments.drainShard(shard), ...c.gitRepositories.map((g) => g.drainShard(shard))]);
    },
    lost: (shard) => {
      void c.watched?.remove(shard).catch(() => undefined);
      for (const key of c.environments.keysOf(shard)) c.metrics.forget(...splitKey(key));
      c.notifications.reshard();
    },
    environments: () => new Map(c.held().map((shard) => [shard, c.environments.keysOf(shard).length])),
  };
}

/**
 * The Environment store with its writes fenced: a replica out of the shard writes no status or
 * finalizer. The fence is checked at once and again last before the request goes out (a
 * replica paused between the two, on its way to the API server, would send a write its Lease
 * no longer allows: the sharding test's paused replica did).
 */
export function fencedStore(store: EnvironmentStore, gate: ShardGate | undefined): EnvironmentStore {
  if (!gate) return store;
  return {
    getEnvironment: (namespace, name) => store.getEnvironment(namespace, name),
    getGitRepository: (namespace, name) => store.getGitRepository(namespace, name),
    setEnvironmentFinalizers: async (namespace, name, finalizers) => {
      const guard = () => gate.fence(`${namespace}/${name}`);
      guard();
      return store.setEnvironmentFinalizers(namespace, name, finalizers, guard);
    },
    patchEnvironmentStatus: async (namespace, name, status, options) => {
      const guard = () => gate.fence(`${namespace}/${name}`);
      guard();
      return store.patchEnvironmentStatus(namespace, name, status, { ...options, guard });
    },
  };
}
