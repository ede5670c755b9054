// The registry of cluster connections: one per cluster identity (a hash of the Secret's
// credentials), shared by every Environment whose spec.destination leads to it, closed when
// the last one leaves or moves. Each connection is probed on its own timer with a short
// timeout; a cluster that does not answer is marked down (a metric, and the ClusterReachable
// condition of its Environments through the error executorFor throws), and when it answers
// again its Environments are reconciled at once. Nothing here waits on another cluster.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { describeConnectionError } from '../../cli/connection-error.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import type { Logger } from '../../core/logger.ts';
import { WaitingError } from '../reconcile-errors.ts';
import type { ResolvedCluster } from './cluster-secret.ts';

/** One cluster's connection, over the adapters (main-clusters.ts builds it). */
export interface ClusterConnection<E> {
  /** The executors of the Environments on this cluster. */
  readonly executors: E;
  /** Watches the kinds of these inventory entries on this cluster. */
  track(inventory: readonly string[]): Promise<void>;
  /** The Environment left this cluster: what the connection keeps for it goes. */
  forget(namespace: string, name: string): void;
  /** One cheap request with a short timeout: resolves when the cluster answers, throws otherwise. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** What the registry reports, per cluster (adapters/metrics/cluster-metrics.ts). */
export interface ClusterMetricsSink {
  connection(cluster: string, up: boolean): void;
  environments(cluster: string, count: number): void;
  forget(cluster: string): void;
}

export interface ClusterRegistryOptions<E> {
  /** The cluster the operator runs in: Environments without spec.destination. */
  readonly local: ClusterConnection<E>;
  readonly resolve: (env: EnvironmentResource) => Promise<ResolvedCluster>;
  /** Builds a connection; it does no I/O until used. */
  readonly connect: (cluster: ResolvedCluster) => ClusterConnection<E>;
  readonly metrics: ClusterMetricsSink;
  /** A cluster answers again: reconcile each of its Environments now. */
  readonly onReachable: (namespace: string, name: string) => void;
  readonly log: Logger;
  /** Between probes of a cluster that answers. @default 10 s */
  readonly probeIntervalMs?: number;
  /** Between probes of a cluster that does not. @default 2 s */
  readonly downProbeIntervalMs?: number;
  /** How long an Environment of an unreachable cluster waits before it is reconciled again. @default 10 s */
  readonly unreachableDelayMs?: number;
}

interface Entry<E> {
  readonly cluster: ResolvedCluster;
  readonly connection: ClusterConnection<E>;
  readonly users: Set<string>;
  up: boolean | undefined;
  /** Why it is down, without credentials: the server and the error code. */
  problem: string;
  timer: NodeJS.Timeout | undefined;
}

export class ClusterRegistry<E> {
  readonly #options: ClusterRegistryOptions<E>;
  readonly #entries = new Map<string, Entry<E>>();
  /** `namespace/name` → the identity of its cluster (absent: the local one). */
  readonly #placement = new Map<string, string>();
  #closed = false;

  constructor(options: ClusterRegistryOptions<E>) {
    this.#options = options;
  }

  /**
   * The connection of an Environment's cluster, reading its Secret now (a changed Secret is a
   * new identity, so a new connection). Throws a WaitingError while the cluster is down.
   */
  async connectionOf(env: EnvironmentResource): Promise<{ connection: ClusterConnection<E>; identity?: string }> {
    const key = `${env.metadata.namespace}/${env.metadata.name}`;
    if (!env.spec.destination) {
      this.release(key);
      return { connection: this.#options.local };
    }
    const cluster = await this.#options.resolve(env);
    const entry = this.#entries.get(cluster.identity) ?? this.#open(cluster);
    if (this.#placement.get(key) !== cluster.identity) {
      if (this.#placement.has(key)) this.release(key);
      else this.#options.local.forget(env.metadata.namespace, env.metadata.name);
      this.#placement.set(key, cluster.identity);
      entry.users.add(key);
      this.#options.metrics.environments(cluster.label, this.#usersOfLabel(cluster.label));
    }
    if (entry.up === false) throw this.#unreachable(entry);
    return { connection: entry.connection, identity: cluster.identity };
  }

  /** The connection an Environment was last placed on, without reading anything. */
  placed(env: EnvironmentResource): ClusterConnection<E> | undefined {
    if (!env.spec.destination) return this.#options.local;
    const id = this.#placement.get(`${env.metadata.namespace}/${env.metadata.name}`);
    return id === undefined ? undefined : this.#entries.get(id)?.connection;
  }

  /** The connection the Environment `namespace/name` was last placed on; the local one when none. */
  placedAt(key: string): ClusterConnection<E> {
    const id = this.#placement.get(key);
    return (id === undefined ? undefined : this.#entries.get(id)?.connection) ?? this.#options.local;
  }

  /**
   * A request to the cluster failed: when the connection failed (refused, timed out, TLS),
   * the cluster is marked down and the error returned is the WaitingError to throw instead.
   */
  failed(identity: string, err: unknown): unknown {
    const entry = this.#entries.get(identity);
    if (!entry) return err;
    const problem = describeConnectionError(err, 'the cluster', entry.cluster.label);
    if (!problem) return err;
    this.#mark(entry, false, problem);
    return this.#unreachable(entry);
  }

  /** The Environment left its cluster (deleted, or moved): a connection without users is closed. */
  release(key: string): void {
    const id = this.#placement.get(key);
    if (id === undefined) return;
    this.#placement.delete(key);
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.users.delete(key);
    entry.connection.forget(...splitKey(key));
    this.#options.metrics.environments(entry.cluster.label, this.#usersOfLabel(entry.cluster.label));
    if (entry.users.size === 0) void this.#close(id, entry);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#entries].map(([id, entry]) => this.#close(id, entry)));
  }

  #open(cluster: ResolvedCluster): Entry<E> {
    const entry: Entry<E> = {
      cluster,
      connection: this.#options.connect(cluster),
      users: new Set(),
      up: undefined,
      problem: '',
      timer: undefined,
    };
    this.#entries.set(cluster.identity, entry);
    this.#options.log.info('connecting to a cluster', { cluster: cluster.label, secret: cluster.secret });
    this.#schedule(cluster.identity, entry, 0);
    return entry;
  }

  #schedule(id: string, entry: Entry<E>, delayMs: number): void {
    if (this.#closed || this.#entries.get(id) !== entry) return;
    entry.timer = setTimeout(() => void this.#probe(id, entry), delayMs);
    entry.timer.unref();
  }

  async #probe(id: string, entry: Entry<E>): Promise<void> {
    try {
      await entry.connection.probe();
      this.#mark(entry, true, '');
    } catch (err) {
      // An HTTP answer (401, 403) is an answer: the cluster is there, its requests will say why.
      const problem = describeConnectionError(err, 'the cluster', entry.cluster.label);
      this.#mark(entry, problem === undefined, problem ?? '');
    }
    const o = this.#options;
    this.#schedule(id, entry, entry.up ? (o.probeIntervalMs ?? 10_000) : (o.downProbeIntervalMs ?? 2000));
  }

  #mark(entry: Entry<E>, up: boolean, problem: string): void {
    const was = entry.up;
    entry.up = up;
    entry.problem = problem;
    if (was === up) return;
    const { log, metrics, onReachable } = this.#options;
    metrics.connection(entry.cluster.label, up);
    if (!up) log.warn('the cluster does not answer', { cluster: entry.cluster.label, problem });
    else if (was === false) {
      log.info('the cluster answers again', { cluster: entry.cluster.label });
      for (const key of entry.users) onReachable(...splitKey(key));
    }
  }

  #unreachable(entry: Entry<E>): WaitingError {
    return new WaitingError(
      Reason.ClusterUnreachable,
      `${entry.problem} (cluster Secret ${entry.cluster.secret})`,
      this.#options.unreachableDelayMs ?? 10_000,
      { condition: ConditionType.ClusterReachable },
    );
  }

  #usersOfLabel(label: string): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.cluster.label === label) n += e.users.size;
    return n;
  }

  async #close(id: string, entry: Entry<E>): Promise<void> {
    clearTimeout(entry.timer);
    if (this.#entries.get(id) !== entry) return;
    this.#entries.delete(id);
    if (![...this.#entries.values()].some((e) => e.cluster.label === entry.cluster.label))
      this.#options.metrics.forget(entry.cluster.label);
    this.#options.log.info('closing the connection to a cluster', { cluster: entry.cluster.label });
    await entry.connection.close();
  }
}

/** `namespace/name` → [namespace, name]. */
function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
