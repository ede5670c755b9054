// One run of the reconcile of one Environment: it builds the desired state of the source's latest
// revision, compares it with the cluster (compare-desired.ts), decides whether to sync (automated
// policy, manual request, retry, self-heal), and starts or steps the operation for a bounded time
// (sync-operation.ts). The skeleton patches status once, in a finally, whatever happened. A sync
// in progress lives in status.operation, so a restarted operator continues it here.
import { planSync, SyncPlanError } from '../../core/sync/plan-sync.ts';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import type { EnvironmentExecutor } from './ports.ts';
import type { EnvironmentStatus, Operation } from '../../api/v1alpha1/environment.ts';
import { decideSync, type SyncDecision } from '../../core/environment/sync-decision.ts';
import { resolveRetry } from '../../core/environment/retry.ts';
import type { ResourceSummary } from '../../core/environment/resource-summary.ts';
import { isNewRequest, parseSyncRequest, type SyncRequest } from '../../core/environment/sync-request.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED, ANNOTATION_SYNC_REQUESTED_AT } from '../../core/keys.ts';
import { hashObject } from '../../core/diff/index.ts';
import { redactObject } from '../../core/redact.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { formatRevision, parseRevision } from '../../core/source/git-ref.ts';
import { buildDesiredState, classifyDesiredStateError, type DesiredState } from './desired-state.ts';
import { environmentConditions, SOURCE_READY, SYNCED } from './environment-conditions.ts';
import type { Condition, ConditionContext } from '../../core/conditions.ts';
import { StalledError, WaitingError, isReconcileError, type ReconcileError } from '../reconcile-errors.ts';
import type { EnvironmentReconcilerDeps } from './environment-reconciler.ts';
import { EventReason, Reason } from '../../api/v1alpha1/conditions.ts';
import { compareDesired, driftedObjects } from './compare-desired.ts';
import { runEvent, type RunScope } from './run-scope.ts';
import { expireStuckOperation, startOperation, stepOperation } from './sync-operation.ts';
import { refuseSyncRequest, syncWindowOf } from './sync-window-status.ts';

/**
 * One reconcile of one Environment: what its steps found, and the steps. The skeleton
 * (reconcile.ts) calls the steps in order, then `onError` when one threw, then `conditions`;
 * `status` is the skeleton's draft, written once at the end.
 */
export class ReconcileRun {
  readonly #scope: RunScope;
  #repo: GitRepositoryResource | undefined;
  #executor: EnvironmentExecutor | undefined;
  #summary: ResourceSummary | undefined;
  #desired: DesiredState | undefined;
  #holdReason: string | undefined;
  /** Reconcile again after this long (a sync in progress, a retry due); the periodic check when unset. */
  requeueAfterMs: number | undefined;
  /** A sync is under way (a wave waits on a hook or health): its next step goes ahead of Environments not begun. */
  underWay = false;
  #error: ReconcileError | undefined;
  #failure: string | undefined;

  constructor(deps: EnvironmentReconcilerDeps, env: EnvironmentResource, status: EnvironmentStatus) {
    const log = deps.log.child({ environment: `${env.metadata.namespace}/${env.metadata.name}` });
    this.#scope = { deps, env, status, log, stage: 'starting' };
  }

  get #deps(): EnvironmentReconcilerDeps {
    return this.#scope.deps;
  }

  get #env(): EnvironmentResource {
    return this.#scope.env;
  }

  get #status(): EnvironmentStatus {
    return this.#scope.status;
  }

  /** Step: the GitRepository and its artifact, and the executor of this Environment. */
  async source(): Promise<void> {
    this.#scope.stage = 'reading the source';
    this.#repo = await this.#source();
    this.#executor = await this.#deps.executors.executorFor(this.#env);
  }

  /** Step: the desired state of the source's latest revision, its sync annotations checked. */
  async desired(): Promise<void> {
    const repo = this.#need(this.#repo);
    this.#scope.stage = 'synthesizing the latest revision';
    this.#desired = await this.#desiredAt(repo, this.#latestRevision(repo));
    await this.#checkAnnotations(this.#desired.objects);
  }

  /** Step: the desired state compared with the cluster. */
  async compare(): Promise<void> {
    this.#scope.stage = 'comparing with the cluster';
    this.#summary = await compareDesired(this.#scope, this.#need(this.#executor), this.#need(this.#desired));
  }

  /** Step: whether to sync, and a sync started or stepped for a bounded time. */
  async sync(): Promise<void> {
    this.#scope.stage = 'deciding whether to sync';
    await this.#sync(this.#need(this.#executor), this.#need(this.#repo));
  }

  /** A step threw: an operation that can no longer progress ends past spec.timeout; the error is logged. */
  async onError(err: unknown): Promise<void> {
    const { log, stage } = this.#scope;
    const message = this.#deps.redactor.redactText(err instanceof Error ? err.message : String(err));
    await expireStuckOperation(this.#scope, `${stage} failed: ${message}`);
    if (isReconcileError(err)) {
      this.#error = err;
      log.warn(err.message, { reason: err.reason, kind: err.kind });
      return;
    }
    this.#failure = message;
    log.error('reconcile failed', { error: message, stage });
  }

  /** The conditions and the summary fields of status, from what the steps found. */
  conditions(ctx: ConditionContext): Condition[] {
    const s = this.#status;
    if (this.#summary) {
      s.sync = { status: this.#summary.sync, revision: this.#desired?.revision };
      s.health = this.#summary.health;
      s.resources = this.#summary.resources;
      s.apps = this.#summary.apps;
    }
    return environmentConditions(
      s.conditions,
      {
        summary: this.#summary,
        operation: s.operation,
        secretReferences: this.#desired?.secretReferences,
        error: this.#error,
        failure: this.#failure,
        suspended: false,
        holdReason: this.#holdReason,
        destination: this.#env.spec.destination !== undefined,
      },
      ctx,
    );
  }

  /** What an earlier step found; a step that runs before it is a bug. */
  #need<V>(value: V | undefined): V {
    if (value === undefined) throw new Error(`${this.#scope.stage}: a step ran before the one it needs`);
    return value;
  }

  async #source(): Promise<GitRepositoryResource> {
    const ref = this.#env.spec.sourceRef.name;
    let repo: GitRepositoryResource;
    try {
      repo = await this.#deps.resources.getGitRepository(this.#env.metadata.namespace, ref);
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new WaitingError(Reason.SourceNotFound, `GitRepository ${ref} does not exist`, 30_000, {
          condition: SOURCE_READY,
        });
      throw err;
    }
    if (!repo.status?.artifact) {
      const why = repo.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False')?.message;
      throw new WaitingError(
        Reason.ArtifactNotReady,
        `GitRepository ${ref} has no artifact yet${why ? `: ${why}` : ''}`,
        5000,
        { condition: SOURCE_READY },
      );
    }
    return repo;
  }

  /** The revision of the artifact #source found (it refuses a GitRepository without one). */
  #latestRevision(repo: GitRepositoryResource): string {
    return this.#need(repo.status?.artifact).revision;
  }

  async #desiredAt(repo: GitRepositoryResource, revision: string): Promise<DesiredState> {
    const commit = parseRevision(revision)?.commit;
    if (!commit)
      throw new StalledError(Reason.InvalidRevision, `revision "${revision}" names no commit`, {
        condition: SOURCE_READY,
      });
    const tree = await this.#deps.artifacts.tree(repo, commit);
    try {
      return await buildDesiredState(this.#env, tree, this.#deps.desired);
    } catch (err) {
      throw classifyDesiredStateError(err, (t) => this.#deps.redactor.redactText(t));
    }
  }

  /** The desired state of `revision`: the latest one the desired step built, or another synthesized. */
  async #desiredOf(repo: GitRepositoryResource, revision: string): Promise<DesiredState> {
    const latest = this.#need(this.#desired);
    return revision === latest.revision ? latest : this.#desiredAt(repo, revision);
  }

  /** The operation in status, as decideSync weighs it. */
  #lastOperation(op: Operation | undefined): Parameters<typeof decideSync>[0]['lastOperation'] {
    if (!op) return undefined;
    return {
      revision: op.revision,
      phase: op.phase,
      finishedAt: op.finishedAt ? Date.parse(op.finishedAt) : undefined,
      retryCount: op.retryCount ?? 0,
      generation: op.generation,
      desiredHash: op.desiredHash,
    };
  }

  /** A new sync request in the annotation, parsed; an invalid one is handled (once) with an event. */
  async #request(requestText: string | undefined): Promise<SyncRequest | undefined> {
    if (!isNewRequest(requestText, this.#status.lastHandledSyncAt)) return undefined;
    try {
      return parseSyncRequest(requestText);
    } catch (err) {
      this.#status.lastHandledSyncAt = requestText;
      await runEvent(this.#scope, 'Warning', EventReason.InvalidSyncRequest, (err as Error).message);
      return undefined;
    }
  }

  async #sync(executor: EnvironmentExecutor, repo: GitRepositoryResource): Promise<void> {
    const env = this.#env;
    const annotations = env.metadata.annotations ?? {};
    const requestText = annotations[ANNOTATION_SYNC_REQUESTED_AT];
    const request = await this.#request(requestText);
    const op = this.#status.operation;
    const now = this.#deps.clock();
    const window = syncWindowOf(this.#scope, now, op?.phase === 'Running' || op?.phase === 'Terminating');
    // Reconcile when the windows next change, so an automated sync starts as one opens.
    if (window?.nextChange !== undefined) this.requeueAfterMs = Math.max(0, window.nextChange - now);
    const decision = decideSync({
      now,
      suspended: Boolean(env.spec.suspend),
      automated: Boolean(env.spec.sync?.automated),
      selfHeal: Boolean(env.spec.sync?.automated?.selfHeal),
      autoSyncPaused: Boolean(annotations[ANNOTATION_AUTO_SYNC_PAUSED]),
      latestRevision: this.#latestRevision(repo),
      syncStatus: this.#need(this.#summary).sync,
      generation: env.metadata.generation ?? 0,
      desiredHash: this.#desiredHash(),
      lastOperation: this.#lastOperation(op),
      request,
      retry: resolveRetry(env.spec.retry),
      window,
    });
    if (decision.kind === 'refuse') {
      this.#holdReason = decision.reason;
      await refuseSyncRequest(this.#scope, requestText, decision.reason);
      return;
    }
    if (decision.kind === 'none' || decision.kind === 'wait') {
      this.#holdReason = decision.reason;
      if (decision.kind === 'wait') this.requeueAfterMs = decision.delayMs;
      return;
    }
    if (
      decision.kind === 'sync' &&
      decision.trigger === 'self-heal' &&
      driftedObjects(this.#need(this.#summary), this.#need(this.#desired)).length === 0
    ) {
      // Only objects awaiting prune differ, and this sync would not prune them.
      this.#holdReason = 'objects no longer in the desired state await pruning, and automated prune is off';
      return;
    }
    let operation: Operation;
    let desired: DesiredState;
    if (decision.kind === 'sync') {
      this.#scope.stage = 'starting the sync';
      if (request) this.#status.lastHandledSyncAt = requestText;
      ({ operation, desired } = await this.#start(executor, repo, decision, request));
    } else {
      operation = this.#need(op);
      this.#scope.stage = `synthesizing revision ${operation.revision}`;
      desired = await this.#desiredOf(repo, operation.revision);
    }
    const stepped = await stepOperation(this.#scope, executor, operation, desired);
    if (!stepped.finished) {
      this.requeueAfterMs = stepped.requeueAfterMs;
      this.underWay = true;
      return;
    }
    // The live state changed: compare again. A success at the latest revision is compared
    // here, so status tells the truth without another reconcile; anything else (a failure
    // to retry, another revision) reconciles again at once.
    if (this.#status.operation?.phase === 'Succeeded' && desired === this.#desired) {
      this.#summary = await compareDesired(this.#scope, executor, desired);
      // The cluster moved on during the sync (an object went with its CRD): look again soon.
      if (this.#summary.sync !== 'Synced') this.requeueAfterMs = 1000;
    } else this.requeueAfterMs = 0;
  }

  async #start(
    executor: EnvironmentExecutor,
    repo: GitRepositoryResource,
    decision: Extract<SyncDecision, { kind: 'sync' }>,
    request: SyncRequest | undefined,
  ): Promise<{ operation: Operation; desired: DesiredState }> {
    const latest = this.#latestRevision(repo);
    const revision = decision.commit
      ? formatRevision({ name: parseRevision(latest)?.name ?? 'HEAD', commit: decision.commit })
      : latest;
    const desired = await this.#desiredOf(repo, revision);
    // Self-heal re-applies only what drifted: no hooks (they belong to a new revision), no prune.
    const selfHeal = decision.trigger === 'self-heal';
    const automatedPrune = this.#env.spec.sync?.automated?.prune ?? false;
    const operation = await startOperation(this.#scope, executor, {
      decision,
      revision,
      objects: selfHeal ? driftedObjects(this.#need(this.#summary), desired) : desired.objects,
      // A person's sync makes the cluster what the revision says, prune included unless they
      // asked not to; an automated one prunes only with spec.sync.automated.prune.
      prune: selfHeal ? false : decision.automated ? automatedPrune : request?.prune !== false,
      desiredHash: desired === this.#desired ? this.#desiredHash() : undefined,
    });
    return { operation, desired };
  }

  /**
   * Invalid sync annotations (a wave of "1.5", a hook phase "PreSnyc") stall the Environment
   * before anything is compared or applied, every object named, with one event; a new
   * revision that fixes them goes on.
   */
  async #checkAnnotations(objects: readonly KubeObject[]): Promise<void> {
    try {
      planSync({ desired: objects });
    } catch (err) {
      if (!(err instanceof SyncPlanError)) throw err;
      const message = this.#deps.redactor.redactText(err.message);
      await runEvent(this.#scope, 'Warning', EventReason.InvalidAnnotation, message);
      throw new StalledError(Reason.InvalidAnnotation, message, { condition: SYNCED });
    }
  }

  #desiredHash(): string {
    // Secret data is masked first; the keyed values hash annotation still tells changes apart.
    return hashObject(this.#need(this.#desired).objects.map((o) => redactObject(o)));
  }
}
