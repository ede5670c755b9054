// One run of the reconcile of one Environment: it builds the desired state of the source's latest
// revision, compares it with the cluster, decides whether to sync (automated policy,
// manual request, retry, self-heal), steps a sync in progress for a bounded time, and
// patches status once, in a finally, whatever happened. A sync in progress lives in
// status.operation, so a restarted operator continues it here.
import { planSync, SyncPlanError } from '../../core/sync/plan-sync.ts';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import type { StartSyncOptions } from '../../adapters/kubernetes/sync-executor.ts';
import type { EnvironmentExecutor } from './ports.ts';
import type { EnvironmentStatus, Operation } from '../../api/v1alpha1/environment.ts';
import { decideSync, type SyncDecision } from '../../core/environment/sync-decision.ts';
import { resolveRetry } from '../../core/environment/retry.ts';
import { summarizeResources, type ResourceSummary } from '../../core/environment/resource-summary.ts';
import { isNewRequest, parseSyncRequest, type SyncRequest } from '../../core/environment/sync-request.ts';
import {
  ANNOTATION_AUTO_SYNC_PAUSED,
  ANNOTATION_SYNC_REQUESTED_AT,
  ANNOTATION_SYNC_REQUESTED_BY,
} from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { retentionOf } from '../../core/sync/ownership.ts';
import { parseInventoryEntry, PruneRefusedError } from '../../core/sync/prune-set.ts';
import { hashObject } from '../../core/diff/index.ts';
import { redactObject } from '../../core/redact.ts';
import { formatKey, keyOf, type KubeObject } from '../../core/manifest.ts';
import { formatRevision, parseRevision } from '../../core/source/git-ref.ts';
import { parseDuration } from '../../core/duration.ts';
import { expireOperation } from '../../core/sync/operation.ts';
import { buildDesiredState, classifyDesiredStateError, type DesiredState } from './desired-state.ts';
import { environmentConditions, SOURCE_READY, SYNCED } from './environment-conditions.ts';
import type { Condition, ConditionContext } from '../../core/conditions.ts';
import { finishOperation } from './operation-outcome.ts';
import { StalledError, WaitingError, isReconcileError, type ReconcileError } from '../reconcile-errors.ts';
import type { EnvironmentReconcilerDeps } from './environment-reconciler.ts';
import { recordEvent } from './environment-event.ts';
import { EventReason, Reason } from '../../api/v1alpha1/conditions.ts';

const DEFAULT_OPERATION_TIMEOUT = '10m';

/**
 * One reconcile of one Environment: what its steps found, and the steps. The skeleton
 * (reconcile.ts) calls the steps in order, then `onError` when one threw, then `conditions`;
 * `status` is the skeleton's draft, written once at the end.
 */
export class ReconcileRun {
  readonly #deps: EnvironmentReconcilerDeps;
  readonly env: EnvironmentResource;
  readonly status: EnvironmentStatus;
  readonly #log: Logger;
  #repo: GitRepositoryResource | undefined;
  #executor: EnvironmentExecutor | undefined;
  #summary: ResourceSummary | undefined;
  #desired: DesiredState | undefined;
  #holdReason: string | undefined;
  /** Reconcile again after this long (a sync in progress, a retry due); the periodic check when unset. */
  requeueAfterMs: number | undefined;
  /** What the reconcile is doing, for the message of an operation that cannot progress. */
  #stage = 'starting';
  #error: ReconcileError | undefined;
  #failure: string | undefined;

  constructor(deps: EnvironmentReconcilerDeps, env: EnvironmentResource, status: EnvironmentStatus) {
    this.#deps = deps;
    this.env = env;
    this.status = status;
    this.#log = deps.log.child({ environment: `${env.metadata.namespace}/${env.metadata.name}` });
  }

  /** Step: the GitRepository and its artifact, and the executor of this Environment. */
  async source(): Promise<void> {
    this.#stage = 'reading the source';
    this.#repo = await this.#source();
    this.#executor = await this.#deps.executors.executorFor(this.env);
  }

  /** Step: the desired state of the source's latest revision, its sync annotations checked. */
  async desired(): Promise<void> {
    const repo = this.#need(this.#repo);
    this.#stage = 'synthesizing the latest revision';
    this.#desired = await this.#desiredAt(repo, this.#latestRevision(repo));
    await this.#checkAnnotations(this.#desired.objects);
  }

  /** Step: the desired state compared with the cluster. */
  async compare(): Promise<void> {
    this.#stage = 'comparing with the cluster';
    this.#summary = await this.#compare(this.#need(this.#executor), this.#need(this.#desired));
  }

  /** Step: whether to sync, and a sync started or stepped for a bounded time. */
  async sync(): Promise<void> {
    this.#stage = 'deciding whether to sync';
    await this.#sync(this.#need(this.#executor), this.#need(this.#repo));
  }

  /** A step threw: an operation that can no longer progress ends past spec.timeout; the error is logged. */
  async onError(err: unknown): Promise<void> {
    const message = this.#deps.redactor.redactText(err instanceof Error ? err.message : String(err));
    await this.#expireOperation(`${this.#stage} failed: ${message}`);
    if (isReconcileError(err)) {
      this.#error = err;
      this.#log.warn(err.message, { reason: err.reason, kind: err.kind });
      return;
    }
    this.#failure = message;
    this.#log.error('reconcile failed', { error: message, stage: this.#stage });
  }

  /** The conditions and the summary fields of status, from what the steps found. */
  conditions(ctx: ConditionContext): Condition[] {
    const s = this.status;
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
      },
      ctx,
    );
  }

  /** What an earlier step found; a step that runs before it is a bug. */
  #need<V>(value: V | undefined): V {
    if (value === undefined) throw new Error(`${this.#stage}: a step ran before the one it needs`);
    return value;
  }

  /** spec.timeout: the time limit of one operation, hooks included (the CRD's pattern admits only durations). */
  #operationTimeoutMs(): number {
    return parseDuration(this.env.spec.timeout ?? DEFAULT_OPERATION_TIMEOUT);
  }

  /**
   * A reconcile that threw could not step the operation in progress: past spec.timeout it
   * fails here, naming the step and the reason, so every operation ends and the next
   * revision can be synced.
   */
  async #expireOperation(cause: string): Promise<void> {
    const op = this.status.operation;
    if (!op) return;
    const expired = expireOperation(op, { now: this.#deps.clock(), timeoutMs: this.#operationTimeoutMs(), cause });
    if (!expired) return;
    this.status.operation = expired;
    const finishedAt = expired.finishedAt ?? new Date(this.#deps.clock()).toISOString();
    const done = finishOperation({
      operation: expired,
      desired: [],
      inventory: this.status.inventory ?? [],
      history: this.status.history ?? [],
      historyLimit: this.env.spec.historyLimit ?? 10,
      now: finishedAt,
    });
    this.status.inventory = done.inventory;
    this.#deps.metrics?.syncFinished(
      this.env,
      'Failed',
      (Date.parse(finishedAt) - Date.parse(expired.startedAt)) / 1000,
    );
    const fields = { revision: expired.revision, operation: expired.id, message: expired.message };
    this.#log.warn('sync failed: it could not progress within spec.timeout', fields);
    await this.#event('Warning', EventReason.SyncFailed, `sync of ${expired.revision} failed: ${expired.message}`);
  }

  async #source(): Promise<GitRepositoryResource> {
    const ref = this.env.spec.sourceRef.name;
    let repo: GitRepositoryResource;
    try {
      repo = await this.#deps.resources.getGitRepository(this.env.metadata.namespace, ref);
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
      return await buildDesiredState(this.env, tree, this.#deps.desired);
    } catch (err) {
      throw classifyDesiredStateError(err, (t) => this.#deps.redactor.redactText(t));
    }
  }

  async #compare(executor: EnvironmentExecutor, desired: DesiredState): Promise<ResourceSummary> {
    const resources = desired.objects.filter((o) => !isHook(o));
    const { live, report } = await executor.compareWithCluster(resources, this.env.spec.sync?.ignoreDifferences);
    const desiredKeys = new Set(resources.map((o) => formatKey(keyOf(o))));
    const leftovers = (this.status.inventory ?? []).filter(
      (e) => !desiredKeys.has(formatKey(parseInventoryEntry(e).key)),
    );
    // What a prune would leave in place (no longer this Environment's, or prune disabled) is not awaiting one.
    const owner = { namespace: this.env.metadata.namespace, name: this.env.metadata.name };
    const extra = [...(await executor.readInventory(leftovers)).values()].filter((o) => !retentionOf(o, owner));
    this.#deps.diffs?.set(this.env.metadata.namespace, this.env.metadata.name, desired.revision, [
      ...report.resources,
      ...extra.map((o) => ({
        key: formatKey(keyOf(o)),
        status: 'OutOfSync' as const,
        reason: 'Extra' as const,
        changes: [],
      })),
    ]);
    return summarizeResources({
      extra,
      extraFate: this.#extraFate(resources.length === 0 && extra.length > 0),
      apps: desired.apps,
      comparisons: new Map(report.resources.map((r) => [r.key, r])),
      live,
      errors: new Map(report.errors.map((e) => [e.key, this.#deps.redactor.redactText(e.message)])),
      assessHealth: this.#deps.assessHealth,
    });
  }

  async #sync(executor: EnvironmentExecutor, repo: GitRepositoryResource): Promise<void> {
    const annotations = this.env.metadata.annotations ?? {};
    const requestText = annotations[ANNOTATION_SYNC_REQUESTED_AT];
    let request: SyncRequest | undefined;
    if (isNewRequest(requestText, this.status.lastHandledSyncAt)) {
      try {
        request = parseSyncRequest(requestText);
      } catch (err) {
        this.status.lastHandledSyncAt = requestText;
        await this.#event('Warning', EventReason.InvalidSyncRequest, (err as Error).message);
      }
    }
    const op = this.status.operation;
    const decision = decideSync({
      now: this.#deps.clock(),
      suspended: Boolean(this.env.spec.suspend),
      automated: Boolean(this.env.spec.sync?.automated),
      selfHeal: Boolean(this.env.spec.sync?.automated?.selfHeal),
      autoSyncPaused: Boolean(annotations[ANNOTATION_AUTO_SYNC_PAUSED]),
      latestRevision: this.#latestRevision(repo),
      syncStatus: this.#need(this.#summary).sync,
      generation: this.env.metadata.generation ?? 0,
      desiredHash: this.#desiredHash(),
      ...(op
        ? {
            lastOperation: {
              revision: op.revision,
              phase: op.phase,
              finishedAt: op.finishedAt ? Date.parse(op.finishedAt) : undefined,
              retryCount: op.retryCount ?? 0,
              generation: op.generation,
              desiredHash: op.desiredHash,
            },
          }
        : {}),
      request,
      retry: resolveRetry(this.env.spec.retry),
    });
    if (decision.kind === 'none') {
      this.#holdReason = decision.reason;
      return;
    }
    if (decision.kind === 'wait') {
      this.#holdReason = decision.reason;
      this.requeueAfterMs = decision.delayMs;
      return;
    }
    if (
      decision.kind === 'sync' &&
      decision.trigger === 'self-heal' &&
      this.#drifted(this.#need(this.#desired)).length === 0
    ) {
      // Only objects awaiting prune differ, and this sync would not prune them.
      this.#holdReason = 'objects no longer in the desired state await pruning, and automated prune is off';
      return;
    }
    let operation: Operation;
    let desired: DesiredState;
    if (decision.kind === 'sync') {
      this.#stage = 'starting the sync';
      ({ operation, desired } = await this.#start(executor, repo, decision, request, requestText));
    } else {
      operation = this.#need(op);
      this.#stage = `synthesizing revision ${operation.revision}`;
      desired =
        operation.revision === this.#need(this.#desired).revision
          ? this.#need(this.#desired)
          : await this.#desiredAt(repo, operation.revision);
    }
    await this.#step(executor, operation, desired);
  }

  async #start(
    executor: EnvironmentExecutor,
    repo: GitRepositoryResource,
    decision: Extract<SyncDecision, { kind: 'sync' }>,
    request: SyncRequest | undefined,
    requestText: string | undefined,
  ): Promise<{ operation: Operation; desired: DesiredState }> {
    const latest = this.#latestRevision(repo);
    const revision = decision.commit
      ? formatRevision({ name: parseRevision(latest)?.name ?? 'HEAD', commit: decision.commit })
      : latest;
    const desired =
      revision === this.#need(this.#desired).revision
        ? this.#need(this.#desired)
        : await this.#desiredAt(repo, revision);
    // Self-heal re-applies only what drifted: no hooks (they belong to a new revision), no prune.
    const selfHeal = decision.trigger === 'self-heal';
    const objects = selfHeal ? this.#drifted(desired) : desired.objects;
    const by = this.env.metadata.annotations?.[ANNOTATION_SYNC_REQUESTED_BY];
    const initiatedBy = decision.automated ? { automated: true } : { username: by || undefined, automated: false };
    const automatedPrune = this.env.spec.sync?.automated?.prune ?? false;
    if (request) this.status.lastHandledSyncAt = requestText;
    const { operation } = await this.#plan(executor, {
      id: this.#deps.newOperationId(),
      revision,
      desired: objects,
      inventory: this.status.inventory ?? [],
      // A person's sync makes the cluster what the revision says, prune included unless they
      // asked not to; an automated one prunes only with spec.sync.automated.prune.
      prune: selfHeal ? false : decision.automated ? automatedPrune : request?.prune !== false,
      allowEmpty: this.env.spec.sync?.allowEmpty ?? false,
      initiatedBy,
    });
    const started: Operation = {
      ...operation,
      retryCount: decision.retryCount,
      generation: this.env.metadata.generation ?? 0,
      ...(desired === this.#desired ? { desiredHash: this.#desiredHash() } : {}),
      ...(selfHeal ? { selfHeal: true } : {}),
    };
    this.status.operation = started;
    this.#log.info('sync started', { revision, reason: decision.reason, operation: started.id });
    await this.#event('Normal', EventReason.SyncStarted, `sync of ${revision} started: ${decision.reason}`);
    if (decision.trigger === 'self-heal') {
      this.#deps.metrics?.driftCorrected(this.env);
      await this.#event('Normal', EventReason.DriftCorrected, 'live state drifted from the desired state; re-applying');
    }
    return { operation: started, desired };
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
      await this.#event('Warning', EventReason.InvalidAnnotation, message);
      throw new StalledError(Reason.InvalidAnnotation, message, { condition: SYNCED });
    }
  }

  /** Plans the sync; an empty desired state that would prune everything stalls it, with an event. */
  async #plan(executor: EnvironmentExecutor, options: StartSyncOptions): ReturnType<EnvironmentExecutor['start']> {
    try {
      return await executor.start(options);
    } catch (err) {
      if (!(err instanceof PruneRefusedError)) throw err;
      await this.#event('Warning', EventReason.PruneRefused, err.message);
      throw new StalledError(Reason.PruneRefused, err.message, { condition: SYNCED });
    }
  }

  async #step(executor: EnvironmentExecutor, operation: Operation, desired: DesiredState): Promise<void> {
    const deadline = this.#deps.clock() + (this.#deps.stepBudgetMs ?? 3000);
    let current = operation;
    const stepObjects = plannedObjects(current, desired);
    const timeouts = { operationTimeoutMs: this.#operationTimeoutMs() };
    for (;;) {
      this.#stage = `stepping the sync (${current.message ?? 'starting'})`;
      const outcome = await executor.step(current, stepObjects, timeouts);
      if (outcome.resumed) {
        const fields = { operation: current.id, revision: current.revision, at: current.message ?? '' };
        this.#log.info('resuming a sync an earlier operator process started', fields);
      }
      current = {
        ...outcome.operation,
        retryCount: operation.retryCount,
        generation: operation.generation,
        desiredHash: operation.desiredHash,
        selfHeal: operation.selfHeal || undefined,
      };
      this.status.operation = current;
      if (outcome.done) {
        await this.#finish(executor, current, desired);
        return;
      }
      if (outcome.requeueAfterMs > 0 || this.#deps.clock() >= deadline) {
        this.requeueAfterMs = Math.max(200, Math.min(outcome.requeueAfterMs, 2000));
        return;
      }
    }
  }

  async #finish(executor: EnvironmentExecutor, operation: Operation, desired: DesiredState): Promise<void> {
    const now = new Date(this.#deps.clock()).toISOString();
    const done = finishOperation({
      operation,
      desired: plannedObjects(operation, desired),
      inventory: this.status.inventory ?? [],
      history: this.status.history ?? [],
      historyLimit: this.env.spec.historyLimit ?? 10,
      now,
    });
    this.status.inventory = done.inventory;
    this.status.history = done.history;
    if (done.retained && (done.retained.length > 0 || this.status.retained?.length)) {
      // Replaced by each pruning sync ([] once nothing is left in place: a status patch
      // adds fields, it never removes one).
      this.status.retained = done.retained;
      const left = done.retained.map((r) => r.message).join('; ');
      if (done.retained.length > 0)
        await this.#event(
          'Warning',
          EventReason.PruneSkipped,
          `left ${done.retained.length} of the objects to prune in place: ${left}`,
        );
    }
    const seconds = (Date.parse(operation.finishedAt ?? now) - Date.parse(operation.startedAt)) / 1000;
    this.#deps.metrics?.syncFinished(this.env, operation.phase === 'Succeeded' ? 'Succeeded' : 'Failed', seconds);
    for (const h of done.hooks) this.#deps.metrics?.hookFinished(this.env, h.phase, h.result);
    this.#log.info('sync finished', {
      revision: operation.revision,
      phase: operation.phase,
      seconds,
      operation: operation.id,
      message: operation.message,
    });
    if (operation.phase === 'Succeeded')
      await this.#event('Normal', EventReason.SyncSucceeded, `synced ${operation.revision} in ${seconds.toFixed(1)}s`);
    else
      await this.#event(
        'Warning',
        EventReason.SyncFailed,
        `sync of ${operation.revision} failed: ${operation.message ?? 'see status.operation'}`,
      );
    // The live state changed: compare again. A success at the latest revision is compared
    // here, so status tells the truth without another reconcile; anything else (a failure
    // to retry, another revision) reconciles again at once.
    if (operation.phase === 'Succeeded' && desired === this.#desired) {
      this.#summary = await this.#compare(executor, desired);
      // The cluster moved on during the sync (an object went with its CRD): look again soon.
      if (this.#summary.sync !== 'Synced') this.requeueAfterMs = 1000;
    } else this.requeueAfterMs = 0;
  }

  /** What becomes of objects no longer in the desired state, as their resource message says. */
  #extraFate(emptyDesired: boolean): string {
    const sync = this.env.spec.sync;
    if (emptyDesired && !sync?.allowEmpty) {
      return 'the desired state is empty, and Keelson refuses to prune everything (set spec.sync.allowEmpty to allow it)';
    }
    if (sync?.automated && !sync.automated.prune) {
      return 'automated prune is off (spec.sync.automated.prune); a manual sync prunes it';
    }
    return 'the next sync prunes it';
  }

  /** The desired objects that are OutOfSync (not hooks): what a self-heal re-applies. */
  #drifted(desired: DesiredState): KubeObject[] {
    const outOfSync = new Set(
      this.#need(this.#summary)
        .resources.filter((r) => r.sync === 'OutOfSync' && !r.hook)
        .map((r) => formatKey({ group: r.group, kind: r.kind, namespace: r.namespace ?? '', name: r.name })),
    );
    return desired.objects.filter((o) => !isHook(o) && outOfSync.has(formatKey(keyOf(o))));
  }

  #desiredHash(): string {
    // Secret data is masked first; the keyed values hash annotation still tells changes apart.
    return hashObject(this.#need(this.#desired).objects.map((o) => redactObject(o)));
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    return recordEvent(this.#deps, this.#log, this.env, { type, reason, message });
  }
}

/** The objects an operation was planned with: all desired ones, or for a self-heal the ones its tasks name. */
function plannedObjects(operation: Operation, desired: DesiredState): readonly KubeObject[] {
  if (!operation.selfHeal) return desired.objects;
  const keys = new Set((operation.tasks ?? []).map((t) => t.key));
  return desired.objects.filter((o) => keys.has(formatKey(keyOf(o))));
}
