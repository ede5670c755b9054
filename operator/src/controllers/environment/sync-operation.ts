// A sync operation of one Environment, from its start to its end: planned (an empty desired
// state that would prune everything refused), stepped for a bounded time per reconcile,
// finished (inventory, history, retained objects, events and metrics), or failed past
// spec.timeout when a reconcile could no longer step it. The operation lives in
// status.operation, so a restarted operator steps it on from there.
import type { Operation } from '../../api/v1alpha1/environment.ts';
import { EventReason, Reason } from '../../api/v1alpha1/conditions.ts';
import type { SyncDecision } from '../../core/environment/sync-decision.ts';
import { formatKey, keyOf, type KubeObject } from '../../core/manifest.ts';
import { expireOperation } from '../../core/sync/operation.ts';
import { PruneRefusedError } from '../../core/sync/prune-set.ts';
import { ANNOTATION_SYNC_REQUESTED_BY } from '../../core/keys.ts';
import { StalledError } from '../reconcile-errors.ts';
import type { DesiredState } from './desired-state.ts';
import { SYNCED } from './environment-conditions.ts';
import { finishOperation } from './operation-outcome.ts';
import type { EnvironmentExecutor } from './ports.ts';
import { environmentSyncOptions, operationTimeoutMs, runEvent, type RunScope } from './run-scope.ts';

export interface OperationStart {
  readonly decision: Extract<SyncDecision, { kind: 'sync' }>;
  readonly revision: string;
  /** What the operation applies: the revision's objects, or for a self-heal the drifted ones. */
  readonly objects: readonly KubeObject[];
  readonly prune: boolean;
  /** The hash of the latest desired state, when the operation syncs it. */
  readonly desiredHash: string | undefined;
}

/** Plans and records a new operation in status.operation, with its event. */
export async function startOperation(
  scope: RunScope,
  executor: EnvironmentExecutor,
  start: OperationStart,
): Promise<Operation> {
  const { deps, env, status, log } = scope;
  const { decision, revision } = start;
  const by = env.metadata.annotations?.[ANNOTATION_SYNC_REQUESTED_BY];
  const initiatedBy = decision.automated ? { automated: true } : { username: by || undefined, automated: false };
  let planned: Operation;
  try {
    ({ operation: planned } = await executor.start({
      id: deps.newOperationId(),
      revision,
      desired: start.objects,
      inventory: status.inventory ?? [],
      prune: start.prune,
      allowEmpty: env.spec.sync?.allowEmpty ?? false,
      initiatedBy,
    }));
  } catch (err) {
    if (!(err instanceof PruneRefusedError)) throw err;
    await runEvent(scope, 'Warning', EventReason.PruneRefused, err.message);
    throw new StalledError(Reason.PruneRefused, err.message, { condition: SYNCED });
  }
  const selfHeal = decision.trigger === 'self-heal';
  const operation: Operation = {
    ...planned,
    retryCount: decision.retryCount,
    generation: env.metadata.generation ?? 0,
    desiredHash: start.desiredHash,
    selfHeal: selfHeal || undefined,
  };
  status.operation = operation;
  log.info('sync started', { revision, reason: decision.reason, operation: operation.id });
  await runEvent(scope, 'Normal', EventReason.SyncStarted, `sync of ${revision} started: ${decision.reason}`);
  if (selfHeal) {
    deps.metrics?.driftCorrected(env);
    await runEvent(
      scope,
      'Normal',
      EventReason.DriftCorrected,
      'live state drifted from the desired state; re-applying',
    );
  }
  return operation;
}

export interface StepResult {
  /** The operation ended in this reconcile (status holds its outcome). */
  readonly finished: boolean;
  /** When to step again; set when it did not finish. */
  readonly requeueAfterMs?: number;
}

/** Steps the operation until it ends, waits, or the step budget is spent; records its end. */
export async function stepOperation(
  scope: RunScope,
  executor: EnvironmentExecutor,
  operation: Operation,
  desired: DesiredState,
): Promise<StepResult> {
  const { deps, status, log } = scope;
  const deadline = deps.clock() + (deps.stepBudgetMs ?? 3000);
  const objects = plannedObjects(operation, desired);
  const settings = {
    operationTimeoutMs: operationTimeoutMs(scope.env),
    syncOptions: environmentSyncOptions(scope.env),
    namespaceMetadata: scope.env.spec.sync?.managedNamespaceMetadata,
  };
  let current = operation;
  for (;;) {
    scope.stage = `stepping the sync (${current.message ?? 'starting'})`;
    const outcome = await executor.step(current, objects, settings);
    if (outcome.resumed) {
      const fields = { operation: current.id, revision: current.revision, at: current.message ?? '' };
      log.info('resuming a sync an earlier operator process started', fields);
    }
    current = {
      ...outcome.operation,
      retryCount: operation.retryCount,
      generation: operation.generation,
      desiredHash: operation.desiredHash,
      selfHeal: operation.selfHeal || undefined,
    };
    status.operation = current;
    if (outcome.done) {
      await recordFinished(scope, current, objects);
      return { finished: true };
    }
    if (outcome.requeueAfterMs > 0 || deps.clock() >= deadline) {
      return { finished: false, requeueAfterMs: Math.max(200, Math.min(outcome.requeueAfterMs, 2000)) };
    }
  }
}

/**
 * A reconcile that threw could not step the operation in progress: past spec.timeout it
 * fails here, naming the step and the reason, so every operation ends and the next
 * revision can be synced.
 */
export async function expireStuckOperation(scope: RunScope, cause: string): Promise<void> {
  const { deps, env, status, log } = scope;
  const op = status.operation;
  if (!op) return;
  const expired = expireOperation(op, { now: deps.clock(), timeoutMs: operationTimeoutMs(env), cause });
  if (!expired) return;
  status.operation = expired;
  const finishedAt = expired.finishedAt ?? new Date(deps.clock()).toISOString();
  const done = finishOperation({
    operation: expired,
    desired: [],
    inventory: status.inventory ?? [],
    history: status.history ?? [],
    historyLimit: env.spec.historyLimit ?? 10,
    now: finishedAt,
  });
  status.inventory = done.inventory;
  deps.metrics?.syncFinished(env, 'Failed', (Date.parse(finishedAt) - Date.parse(expired.startedAt)) / 1000);
  const fields = { revision: expired.revision, operation: expired.id, message: expired.message };
  log.warn('sync failed: it could not progress within spec.timeout', fields);
  await runEvent(scope, 'Warning', EventReason.SyncFailed, `sync of ${expired.revision} failed: ${expired.message}`);
}

/** A finished operation: the next inventory and history, what its prune left in place, events, metrics. */
async function recordFinished(scope: RunScope, operation: Operation, objects: readonly KubeObject[]): Promise<void> {
  const { deps, env, status, log } = scope;
  const now = new Date(deps.clock()).toISOString();
  const done = finishOperation({
    operation,
    desired: objects,
    inventory: status.inventory ?? [],
    history: status.history ?? [],
    historyLimit: env.spec.historyLimit ?? 10,
    now,
  });
  status.inventory = done.inventory;
  status.history = done.history;
  if (done.retained && (done.retained.length > 0 || status.retained?.length)) {
    // Replaced by each pruning sync ([] once nothing is left in place: a status patch
    // adds fields, it never removes one).
    status.retained = done.retained;
    const left = done.retained.map((r) => r.message).join('; ');
    if (done.retained.length > 0) {
      const message = `left ${done.retained.length} of the objects to prune in place: ${left}`;
      await runEvent(scope, 'Warning', EventReason.PruneSkipped, message);
    }
  }
  const seconds = (Date.parse(operation.finishedAt ?? now) - Date.parse(operation.startedAt)) / 1000;
  const succeeded = operation.phase === 'Succeeded';
  deps.metrics?.syncFinished(env, succeeded ? 'Succeeded' : 'Failed', seconds);
  for (const h of done.hooks) deps.metrics?.hookFinished(env, h.phase, h.result);
  const { revision, phase, id, message } = operation;
  log.info('sync finished', { revision, phase, seconds, operation: id, message });
  if (succeeded)
    await runEvent(scope, 'Normal', EventReason.SyncSucceeded, `synced ${revision} in ${seconds.toFixed(1)}s`);
  else {
    const why = `sync of ${revision} failed: ${message ?? 'see status.operation'}`;
    await runEvent(scope, 'Warning', EventReason.SyncFailed, why);
  }
}

/** The objects an operation was planned with: all desired ones, or for a self-heal the ones its tasks name. */
function plannedObjects(operation: Operation, desired: DesiredState): readonly KubeObject[] {
  if (!operation.selfHeal) return desired.objects;
  const keys = new Set((operation.tasks ?? []).map((t) => t.key));
  return desired.objects.filter((o) => keys.has(formatKey(keyOf(o))));
}
