// Events on an Environment: redacted first, and one that cannot be recorded is logged, never
// thrown, so a failing event API never fails a reconcile. The finalizer and every run use it.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { Logger } from '../../core/logger.ts';
import type { EnvironmentReconcilerDeps } from './environment-reconciler.ts';

export interface EnvironmentEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** An event on the Environment, redacted; one that cannot be recorded is logged, never thrown. */
export async function recordEvent(
  deps: EnvironmentReconcilerDeps,
  log: Logger,
  env: EnvironmentResource,
  event: EnvironmentEvent,
): Promise<void> {
  await deps.events
    .record(env, event.type, event.reason, deps.redactor.redactText(event.message))
    .catch((err: unknown) => log.warn('could not record an event', { reason: event.reason, error: String(err) }));
}
