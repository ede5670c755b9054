// The Environment's conditions from what a reconcile found: kstatus Ready / Reconciling /
// Stalled plus SourceReady, Synthesized, SecretsResolved, Synced and Healthy.
import type { EnvironmentStatus, Operation } from '../../api/v1alpha1/environment.ts';
import {
  READY,
  RECONCILING,
  STALLED,
  setCondition,
  type Condition,
  type ConditionContext,
} from '../../core/conditions.ts';
import { secretsResolvedCondition } from '../../core/secrets/condition.ts';
import type { ResourceSummary } from '../../core/environment/resource-summary.ts';
import type { ReconcileError } from '../reconcile-errors.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';

export const SOURCE_READY = ConditionType.SourceReady;
export const SYNTHESIZED = ConditionType.Synthesized;
export const SECRETS_RESOLVED = ConditionType.SecretsResolved;
export const SYNCED = ConditionType.Synced;
export const HEALTHY = ConditionType.Healthy;
export const CLUSTER_REACHABLE = ConditionType.ClusterReachable;

export interface ConditionInput {
  readonly summary?: ResourceSummary;
  readonly operation?: Operation;
  readonly secretReferences?: number;
  readonly error?: ReconcileError;
  /** An unexpected error (a bug or an API failure), already redacted. */
  readonly failure?: string;
  readonly suspended: boolean;
  /** Why the Environment does not sync now (manual policy, paused, retry limit). */
  readonly holdReason?: string;
  /**
   * The Environment has spec.destination: ClusterReachable is True once it compared there.
   * Without it, a ClusterReachable an earlier failure set turns True the same way.
   */
  readonly destination?: boolean;
}

export function environmentConditions(
  previous: EnvironmentStatus['conditions'],
  input: ConditionInput,
  ctx: ConditionContext,
): Condition[] {
  let c: Condition[] = [...(previous ?? [])];
  const set = (type: string, status: Condition['status'], reason: string, message: string) => {
    c = setCondition(c, { type, status, reason, message }, ctx);
  };
  if (input.suspended) {
    set(READY, 'False', Reason.Suspended, 'reconciliation is suspended (spec.suspend)');
    set(RECONCILING, 'False', Reason.Suspended, '');
    set(STALLED, 'False', Reason.Suspended, '');
    return c;
  }
  const running = input.operation?.phase === 'Running' || input.operation?.phase === 'Terminating';
  set(
    RECONCILING,
    running ? 'True' : 'False',
    running ? Reason.Syncing : Reason.Idle,
    running ? `syncing ${input.operation?.revision}` : '',
  );

  if (input.error) {
    if (input.error.condition) set(input.error.condition, 'False', input.error.reason, input.error.message);
    set(READY, 'False', input.error.reason, input.error.message);
    set(STALLED, input.error.kind === 'stalled' ? 'True' : 'False', input.error.reason, input.error.message);
    return c;
  }
  if (input.failure) {
    set(READY, 'False', Reason.ReconcileFailed, input.failure);
    set(STALLED, 'False', Reason.ReconcileFailed, '');
    return c;
  }
  set(STALLED, 'False', Reason.Reconciled, '');
  set(SOURCE_READY, 'True', Reason.ArtifactReady, 'the source artifact is available');
  set(SYNTHESIZED, 'True', Reason.Synthesized, 'the deploy repository synthesized');
  if (input.secretReferences !== undefined && input.secretReferences > 0) {
    c = setCondition(c, secretsResolvedCondition({ references: input.secretReferences }), ctx);
  }
  const s = input.summary;
  if (!s) return c;
  if (input.destination || c.some((x) => x.type === CLUSTER_REACHABLE))
    set(CLUSTER_REACHABLE, 'True', Reason.ClusterReachable, 'the cluster answers');
  const failed = input.operation?.phase === 'Failed' ? input.operation : undefined;
  if (s.sync === 'Synced') set(SYNCED, 'True', Reason.Synced, 'the live state matches the desired state');
  else if (failed) set(SYNCED, 'False', Reason.SyncFailed, failed.message ?? 'the last sync failed');
  else
    set(
      SYNCED,
      'False',
      s.sync === 'OutOfSync' ? Reason.OutOfSync : Reason.Unknown,
      input.holdReason ?? `the live state is ${s.sync}`,
    );
  const healthy = s.health.status === 'Healthy';
  set(
    HEALTHY,
    healthy ? 'True' : 'False',
    healthy ? Reason.Healthy : s.health.status,
    s.health.message ?? `health is ${s.health.status}`,
  );
  if (running) set(READY, 'False', Reason.Syncing, `syncing ${input.operation?.revision}`);
  else if (s.sync !== 'Synced')
    set(
      READY,
      'False',
      failed ? Reason.SyncFailed : Reason.OutOfSync,
      failed?.message ?? input.holdReason ?? 'the live state differs from the desired state',
    );
  else if (!healthy) set(READY, 'False', s.health.status, s.health.message ?? `health is ${s.health.status}`);
  else set(READY, 'True', Reason.Succeeded, 'synced and healthy');
  return c;
}
