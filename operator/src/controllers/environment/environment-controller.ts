// Wires the Environment reconciler to its triggers: a de-duplicating work queue (never two
// reconciles of one Environment at once), watch events on Environments, on the
// GitRepositories they use (deploy repo and pass store), and on the objects they manage
// (self-heal), and a periodic requeue with jitter so a missed event cannot strand one.
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { LABEL_ENVIRONMENT, LABEL_ENVIRONMENT_NAMESPACE } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { FencedError } from '../../core/sharding.ts';
import type { ShardGate } from '../../main-shards.ts';
import { WorkQueue, type Requeue } from '../work-queue.ts';
import { StatusNotWritten, type EnvironmentReconciler } from './environment-reconciler.ts';

export interface EnvironmentControllerOptions {
  readonly reconciler: EnvironmentReconciler;
  readonly log: Logger;
  /** Environments reconciled at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Whether a GitRepository's current artifact touches what the Environment (by key) last
   * synthesized from it: the others wait in the work queue's low lane, so a commit to one of a
   * thousand Environments does not wait behind the rest recording the revision (ADR 0022).
   * @default every one is touched, queued in no particular order
   */
  readonly touches?: (key: string, repo: GitRepositoryResource) => Promise<boolean>;
  /** With sharding (ADR 0023): only the Environments of the shards this replica holds are queued. */
  readonly shards?: Pick<ShardGate, 'accepts' | 'shardOf' | 'turnedAway'>;
  /** How soon a reconcile stopped by a fence looks again whether this replica holds the shard. @default 5 s */
  readonly fencedRetryMs?: number;
}

export class EnvironmentController {
  readonly #options: EnvironmentControllerOptions;
  readonly #queue: WorkQueue;
  /** GitRepository key → keys of the Environments that use it. */
  readonly #bySource = new Map<string, Set<string>>();
  /** Environment key → the GitRepository keys it uses. */
  readonly #sources = new Map<string, string[]>();
  /** Environment key → what last triggered it (spec generation, annotations, deletion). */
  readonly #triggers = new Map<string, string>();
  /** GitRepository key → what of it its Environments last reconciled on (artifact, generation, deletion). */
  readonly #sourceTriggers = new Map<string, string>();

  constructor(options: EnvironmentControllerOptions) {
    this.#options = options;
    this.#queue = new WorkQueue((key) => this.#handle(key), {
      concurrency: options.concurrency ?? 4,
      // A status not written was logged where it failed; the queue backs off either way.
      onError: (key, err) =>
        err instanceof StatusNotWritten
          ? undefined
          : options.log.error('reconcile threw', {
              environment: key,
              error: err instanceof Error ? err.message : String(err),
            }),
    });
  }

  start(): void {
    this.#queue.start();
  }

  /** Stops taking Environments; a reconcile in progress finishes (its operation is persisted). */
  stop(): Promise<void> {
    return this.#queue.stop();
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * An Environment was added, changed or deleted. A change of its status only (our own
   * patches) triggers nothing: the reconcile that wrote it already asked when to come back.
   */
  onEnvironment(env: EnvironmentResource, deleted = false): void {
    const key = `${env.metadata.namespace}/${env.metadata.name}`;
    this.#index(key, deleted ? [] : sourcesOf(env));
    const trigger = JSON.stringify([
      env.metadata.generation,
      env.metadata.annotations ?? {},
      env.metadata.deletionTimestamp ?? null,
      env.metadata.finalizers ?? [],
    ]);
    if (!deleted && this.#triggers.get(key) === trigger) return;
    if (deleted) this.#triggers.delete(key);
    else this.#triggers.set(key, trigger);
    this.#add(key);
  }

  /**
   * A GitRepository changed in what its Environments read (a new artifact, usually) or handled
   * a refresh request (`keelson refresh`: fetch, then compare now): every Environment using it
   * reconciles, touched ones first. A change they do not read (the refresh annotation before it
   * is handled, a condition's time) queues none of them: at 10,000 Environments each such change
   * cost 10,000 reconciles.
   */
  onGitRepository(repo: GitRepositoryResource, deleted = false): void {
    const repoKey = `${repo.metadata.namespace}/${repo.metadata.name}`;
    const trigger = sourceTrigger(repo);
    if (!deleted && this.#sourceTriggers.get(repoKey) === trigger) return;
    if (deleted) this.#sourceTriggers.delete(repoKey);
    else this.#sourceTriggers.set(repoKey, trigger);
    const shards = this.#options.shards;
    const keys = [...(this.#bySource.get(repoKey) ?? [])].filter((key) => !shards || shards.accepts(key));
    const touches = this.#options.touches;
    if (!touches || keys.length < 2) for (const key of keys) this.#add(key);
    else void this.#touchedFirst(keys, repo, touches);
  }

  async #touchedFirst(
    keys: readonly string[],
    repo: GitRepositoryResource,
    touches: (key: string, repo: GitRepositoryResource) => Promise<boolean>,
  ): Promise<void> {
    // Unknown is touched: the lane is all this decides, never whether it reconciles. All are
    // looked at before any is queued, so no untouched one starts ahead of a touched one.
    const touched = await Promise.all(keys.map((key) => touches(key, repo).catch(() => true)));
    // An untouched one waits in the low lane, behind every other reconcile (the steps of the
    // touched ones' syncs included), to record the revision.
    for (const lane of ['normal', 'low'] as const)
      for (const [i, key] of keys.entries()) if (touched[i] === (lane === 'normal')) this.#add(key, lane);
  }

  /** A managed object changed or went away: its Environment compares again (self-heal or OutOfSync). */
  onManagedObject(obj: KubeObject): void {
    const name = obj.metadata.labels?.[LABEL_ENVIRONMENT];
    const namespace = obj.metadata.labels?.[LABEL_ENVIRONMENT_NAMESPACE];
    if (name && namespace) this.#add(`${namespace}/${name}`);
  }

  /** Every known Environment reconciles (the health rules changed: their health may have). */
  enqueueAll(): void {
    for (const key of this.#triggers.keys()) this.#add(key);
  }

  /** Reconcile now (for tests and the API). */
  enqueue(namespace: string, name: string): void {
    this.#add(`${namespace}/${name}`);
  }

  /** Every Environment of a shard this replica took reconciles. */
  enqueueShard(shard: number): void {
    for (const key of this.#triggers.keys()) if (this.#options.shards?.shardOf(key) === shard) this.#add(key);
  }

  /** Resolves when no reconcile of the shard is in progress (it is being handed back). */
  drainShard(shard: number): Promise<void> {
    return this.#queue.settled((key) => this.#options.shards?.shardOf(key) === shard);
  }

  /** The known Environments (`namespace/name`) of a shard. */
  keysOf(shard: number): string[] {
    return [...this.#triggers.keys()].filter((key) => this.#options.shards?.shardOf(key) === shard);
  }

  #add(key: string, lane: 'normal' | 'low' = 'normal'): void {
    if (this.#options.shards && !this.#options.shards.accepts(key)) return;
    this.#queue.add(key, lane);
  }

  async #handle(key: string): Promise<Requeue> {
    const shards = this.#options.shards;
    // Queued before its shard was handed back or lost.
    if (shards && !shards.accepts(key)) {
      shards.turnedAway();
      return { kind: 'done' };
    }
    try {
      return await this.#options.reconciler.reconcile(key);
    } catch (err) {
      if (!(err instanceof FencedError)) throw err;
      // The shard's Lease was not sure to be held for the write (gone elsewhere, or its renewal
      // late under load): nothing was written. Its holder resumes from status.operation; the
      // key comes back here, and is turned away above unless this replica holds the shard then
      // (at 10,000 Environments on two replicas, 15 whose writes met a late renewal were never
      // reconciled again while the replica kept their shards).
      this.#options.log.info('reconcile stopped: its shard is no longer held', { environment: key, shard: err.shard });
      return { kind: 'after', delayMs: this.#options.fencedRetryMs ?? 5000 };
    }
  }

  /** How many Environments it knows (every one it has seen and not forgotten). */
  get size(): number {
    return this.#sources.size;
  }

  /** A deleted Environment was forgotten by the reconciler: nothing triggers it any more. */
  forget(key: string): void {
    this.#index(key, []);
  }

  #index(key: string, sources: string[]): void {
    for (const s of this.#sources.get(key) ?? []) this.#bySource.get(s)?.delete(key);
    if (sources.length === 0) this.#sources.delete(key);
    else this.#sources.set(key, sources);
    for (const s of sources) {
      let set = this.#bySource.get(s);
      if (!set) this.#bySource.set(s, (set = new Set()));
      set.add(key);
    }
  }
}

/**
 * What of a GitRepository its Environments reconcile on: its generation, deletion, artifact,
 * why it has none, and the last refresh request it handled.
 */
function sourceTrigger(repo: GitRepositoryResource): string {
  const artifact = repo.status?.artifact;
  const notReady = repo.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False')?.message;
  return JSON.stringify([
    repo.metadata.generation ?? null,
    repo.metadata.deletionTimestamp ?? null,
    artifact?.revision ?? null,
    artifact?.commit ?? null,
    artifact ? null : (notReady ?? null),
    repo.status?.lastHandledRefreshAt ?? null,
  ]);
}

function sourcesOf(env: EnvironmentResource): string[] {
  const ns = env.metadata.namespace;
  const refs = [env.spec.sourceRef.name, env.spec.secrets?.pass?.sourceRef.name].filter((n): n is string => Boolean(n));
  return [...new Set(refs)].map((n) => `${ns}/${n}`);
}
