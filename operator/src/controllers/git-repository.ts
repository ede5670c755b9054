// The GitRepository controller: watches GitRepositories, and for each one polls its remote
// every spec.interval (with jitter), or at once when keelson.dev/refresh-requested-at
// changes, through the shared Git source; records the artifact in status and keeps the
// last good one when a fetch fails. It runs in-process: `start()` / `stop()`.
//
// The Environment reconciler gets trees from it through `tree(repo, commit)` (the
// ArtifactSource port): the artifact of the GitRepository's status, or an earlier commit
// for a rollback, read from the same warm cache.
import type * as k8s from '@kubernetes/client-node';
import { gitRepositoryDefinition, type GitRepositorySpec, type GitRepositoryStatus } from '../api/v1alpha1/index.ts';
import { parseDuration } from '../core/duration.ts';
import { ANNOTATION_REFRESH_REQUESTED_AT } from '../core/keys.ts';
import type { Logger } from '../core/logger.ts';
import { SecretRedactor } from '../core/redact.ts';
import type { GitArtifact } from '../adapters/git/artifact.ts';
import { GitSource, GitSourceError, type GitSourceOptions, type RefreshRequest } from '../adapters/git/git-source.ts';
import { collectionPath, isNotFound } from '../adapters/kubernetes/client.ts';
import { EventRecorder } from '../adapters/kubernetes/events.ts';
import type { KubeConnection } from '../adapters/kubernetes/kubeconfig.ts';
import { LazyRestTransport } from '../adapters/kubernetes/rest-transport.ts';
import { StatusWriter } from '../adapters/kubernetes/status.ts';
import { secretsOf, type SecretReader } from '../adapters/kubernetes/secret-reader.ts';
import { ResourceWatch, type WatchedObject, type WatchEventType } from '../adapters/kubernetes/watch.ts';
import { loadCredentials } from './git-credentials.ts';
import { reconcileKey, type ReconcilerDefinition, type StepContext } from './reconcile.ts';
import { StalledError, TransientError } from './reconcile-errors.ts';
import { WorkQueue } from './work-queue.ts';
import type { ShardGate } from '../main-shards.ts';
import { EventReason } from '../api/v1alpha1/conditions.ts';

export interface GitRepositoryObject {
  apiVersion: string;
  kind: string;
  metadata: k8s.V1ObjectMeta & { name: string; namespace: string };
  spec: GitRepositorySpec;
  status?: GitRepositoryStatus;
}

export interface GitRepositoryControllerOptions {
  /** Where the Git object caches live (one directory per repository URL). */
  readonly cacheDir: string;
  /** Only this namespace; every namespace when undefined. */
  readonly namespace?: string;
  /** GitRepositories reconciled at once. @default 2 */
  readonly concurrency?: number;
  /** Fetches at once across all repositories. @default 4 */
  readonly maxConcurrentFetches?: number;
  /** A shared Git source; one is made from the options above when absent. */
  readonly source?: GitSource;
  /** Each request to a Git server, for the Git source made here (GitMetrics.observe). */
  readonly onRequest?: GitSourceOptions['onRequest'];
  /** Each reconcile's kind, result and duration (ReconcileMetrics.observe). */
  readonly observe?: ReconcilerDefinition<GitRepositoryObject, GitRepositoryStatus>['observe'];
  /** How often unused caches and retired objects are deleted. @default 5 min */
  readonly gcIntervalMs?: number;
  /** Where failures that reach no status go (messages are redacted first). */
  readonly log: Pick<Logger, 'error'>;
  /**
   * With sharding (ADR 0023): only the GitRepositories of this replica's shards are fetched and
   * their status written here; another replica's Environments read their trees at the commit
   * their status names (tree() fetches it).
   */
  readonly shards?: Pick<ShardGate, 'accepts' | 'shardOf'>;
}

const FETCH_FAILED = 'FetchFailed';
const resource = {
  group: gitRepositoryDefinition.group,
  version: gitRepositoryDefinition.version,
  plural: gitRepositoryDefinition.plural,
};

/** How many artifacts at other commits are kept (a few per GitRepository a replica reads but does not fetch). */
const AT_COMMIT_KEPT = 64;

export class GitRepositoryController {
  readonly source: GitSource;
  readonly #options: GitRepositoryControllerOptions;
  readonly #rest: LazyRestTransport;
  readonly #secrets: SecretReader;
  readonly #queue: WorkQueue;
  readonly #watch: ResourceWatch;
  readonly #status: StatusWriter;
  readonly #events: EventRecorder;
  readonly #redactor = new SecretRedactor({ now: Date.now });
  /** key → what last triggered a reconcile (generation and refresh token), to skip status-only events. */
  readonly #seen = new Map<string, string>();
  readonly #artifacts = new Map<string, GitArtifact>();
  /** Artifacts looked up at a commit other than the current one, oldest first (`namespace/name@commit`). */
  readonly #atCommit = new Map<string, Promise<GitArtifact>>();
  #gcTimer: NodeJS.Timeout | undefined;
  readonly #log: Pick<Logger, 'error'>;

  constructor(kc: KubeConnection, options: GitRepositoryControllerOptions) {
    this.#options = options;
    this.#log = options.log;
    this.source =
      options.source ??
      new GitSource({
        cacheDir: options.cacheDir,
        maxConcurrentFetches: options.maxConcurrentFetches || undefined,
        onRequest: options.onRequest,
      });
    this.#rest = new LazyRestTransport(kc);
    this.#secrets = secretsOf(kc);
    this.#status = new StatusWriter(kc, resource);
    this.#events = new EventRecorder(kc, { redact: (t) => this.#redactor.redactText(t) });
    const shards = options.shards;
    this.#queue = new WorkQueue(
      async (key) => (shards && !shards.accepts(key) ? { kind: 'done' } : reconcileKey(this.#definition, key)),
      {
        concurrency: options.concurrency ?? 2,
        onError: (key, err) =>
          this.#log.error('GitRepository reconcile failed', { key, error: this.#redactor.redactText(String(err)) }),
      },
    );
    this.#watch = new ResourceWatch(kc, {
      resource,
      namespace: options.namespace || undefined,
      onEvent: (type, obj) => this.#onEvent(type, obj),
      onError: (err) => this.#log.error('GitRepository watch failed; reconnecting', { error: String(err) }),
    });
  }

  async start(): Promise<void> {
    this.#queue.start();
    await this.#watch.start();
    this.#gcTimer = setInterval(() => void this.#collectGarbage(), this.#options.gcIntervalMs ?? 300_000);
    this.#gcTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#gcTimer);
    await this.#watch.stop();
    await this.#queue.stop();
    this.#status.close();
    this.#events.close();
    this.#rest.close();
  }

  /** Every GitRepository of a shard this replica took is fetched now. */
  enqueueShard(shard: number): void {
    for (const key of this.#seen.keys()) if (this.#options.shards?.shardOf(key) === shard) this.#queue.add(key);
  }

  /** Resolves when no fetch of the shard is in progress. */
  drainShard(shard: number): Promise<void> {
    return this.#queue.settled((key) => this.#options.shards?.shardOf(key) === shard);
  }

  /** The last good artifact of a GitRepository this controller fetched, if any. */
  artifact(namespace: string, name: string): GitArtifact | undefined {
    return this.#artifacts.get(`${namespace}/${name}`);
  }

  /**
   * The tree of `repo` at `commit` (ArtifactSource): the current artifact, or one looked up at
   * that commit (fetched, deepening, when missing) and kept: a replica that does not fetch the
   * GitRepository itself (sharding) reads each new commit once for all its Environments, and so
   * does a rollback.
   */
  async tree(repo: GitRepositoryObject, commit: string): Promise<GitArtifact> {
    const { namespace, name } = repo.metadata;
    const current = this.artifact(namespace, name);
    if (current?.commit === commit) return current;
    const key = `${namespace}/${name}@${commit}`;
    let found = this.#atCommit.get(key);
    if (!found) {
      found = this.#request(repo).then((request) => this.source.artifactAt(request, commit));
      found.catch(() => this.#atCommit.delete(key));
      this.#atCommit.set(key, found);
      for (const old of this.#atCommit.keys()) {
        if (this.#atCommit.size <= AT_COMMIT_KEPT) break;
        this.#atCommit.delete(old);
      }
    }
    return found;
  }

  #onEvent(type: WatchEventType, obj: WatchedObject): void {
    const o = obj as GitRepositoryObject;
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    if (type === 'DELETED') {
      this.#seen.delete(key);
      this.#queue.add(key);
      return;
    }
    const trigger = `${o.metadata.generation ?? 0}|${o.metadata.annotations?.[ANNOTATION_REFRESH_REQUESTED_AT] ?? ''}`;
    if (this.#seen.get(key) === trigger) return;
    this.#seen.set(key, trigger);
    this.#queue.add(key);
  }

  async #request(repo: GitRepositoryObject): Promise<RefreshRequest> {
    const credentials = await loadCredentials(this.#secrets, repo, this.#redactor);
    return {
      url: repo.spec.url,
      ref: repo.spec.ref,
      credentials,
      timeoutMs: parseDuration(repo.spec.timeout ?? '60s'),
    };
  }

  readonly #fetch = async (ctx: StepContext<GitRepositoryObject, GitRepositoryStatus>): Promise<void> => {
    const request = await this.#request(ctx.object);
    let artifact: GitArtifact;
    try {
      artifact = (await this.source.refresh(request)).artifact;
    } catch (err) {
      if (!(err instanceof GitSourceError)) throw err;
      const { reason, message, retryable } = err.failure;
      const text = this.#redactor.redactText(message);
      throw retryable
        ? new TransientError(reason, text, { condition: FETCH_FAILED })
        : new StalledError(reason, text, { condition: FETCH_FAILED });
    }
    this.#artifacts.set(ctx.key, artifact);
    const previous = ctx.status.artifact;
    if (previous?.revision !== artifact.revision) {
      ctx.status.artifact = { revision: artifact.revision, commit: artifact.commit, fetchedAt: artifact.fetchedAt };
      ctx.events.push({
        type: 'Normal',
        reason: EventReason.NewArtifact,
        message: `stored artifact for revision ${artifact.revision}`,
      });
    }
    const token = ctx.object.metadata.annotations?.[ANNOTATION_REFRESH_REQUESTED_AT];
    if (token !== undefined) ctx.status.lastHandledRefreshAt = token;
    ctx.readyMessage = `stored artifact for revision ${artifact.revision}`;
  };

  readonly #definition: ReconcilerDefinition<GitRepositoryObject, GitRepositoryStatus> = {
    kind: 'GitRepository',
    load: async (key) => {
      const [namespace, name] = key.split('/') as [string, string];
      try {
        return await this.#rest.request<GitRepositoryObject>({
          method: 'GET',
          path: `${collectionPath(resource, namespace)}/${name}`,
        });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    finalize: async (key) => {
      this.#artifacts.delete(key);
      this.#queue.remove(key);
    },
    isSuspended: (o) => o.spec.suspend === true,
    intervalMs: (o) => parseDuration(o.spec.interval ?? '1m'),
    steps: [this.#fetch],
    failureConditions: [FETCH_FAILED],
    patchStatus: async (o, status) => void (await this.#status.patch(o.metadata.namespace, o.metadata.name, status)),
    recordEvent: (o, e) => this.#events.record(o, e.type, e.reason, e.message),
    observe: (sample) => this.#options.observe?.(sample),
  };

  async #collectGarbage(): Promise<void> {
    await this.source
      .collectGarbage()
      .catch((err: unknown) => this.#log.error('Git cache cleanup failed', { error: String(err) }));
  }
}
