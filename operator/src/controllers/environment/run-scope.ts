// What the parts of one Environment reconcile share: the Environment, the status draft the
// skeleton writes once, the run's logger, and what it is doing now. ReconcileRun holds the
// decisions; compare-desired.ts and sync-operation.ts do the comparing and the operation.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import { parseDuration } from '../../core/duration.ts';
import { parseSyncOptions, type SyncOptions } from '../../core/sync/sync-options.ts';
import type { Logger } from '../../core/logger.ts';
import type { EnvironmentReconcilerDeps } from './environment-reconciler.ts';
import { recordEvent } from './environment-event.ts';

const DEFAULT_OPERATION_TIMEOUT = '10m';

export interface RunScope {
  readonly deps: EnvironmentReconcilerDeps;
  readonly env: EnvironmentResource;
  /** The skeleton's status draft: what the run finds is written here. */
  readonly status: EnvironmentStatus;
  readonly log: Logger;
  /** What the reconcile is doing, for the message of an operation that cannot progress. */
  stage: string;
}

/** An event on the run's Environment, redacted; one that cannot be recorded is logged. */
export function runEvent(scope: RunScope, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
  return recordEvent(scope.deps, scope.log, scope.env, { type, reason, message });
}

/** spec.timeout: the time limit of one operation, hooks included (the CRD's pattern admits only durations). */
export function operationTimeoutMs(env: EnvironmentResource): number {
  return parseDuration(env.spec.timeout ?? DEFAULT_OPERATION_TIMEOUT);
}

/** spec.sync.options, parsed (the CRD admits only options Keelson knows). */
export function environmentSyncOptions(env: EnvironmentResource): Partial<SyncOptions> {
  return parseSyncOptions(env.spec.sync?.options ?? []);
}
