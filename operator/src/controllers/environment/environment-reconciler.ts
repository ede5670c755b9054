// The Environment reconciler: source → synth → secrets → diff → sync → health → status.
// It loads the Environment, keeps the finalizer where deletion has work to do, deletes what
// a deleted Environment owns (deletionPolicy Delete), and hands every other reconcile to one
// ReconcileRun (reconcile-run.ts), which steps a sync and patches status once.
import type { HealthAssessor } from '../../core/health/index.ts';
import type { EnvironmentResource, KeelsonResources } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import { FINALIZER } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import type { DesiredStateDeps } from './desired-state.ts';
import type { DiffStore } from './diff-store.ts';
import { recordEvent } from './environment-event.ts';
import { ReconcileRun } from './reconcile-run.ts';
import type { ArtifactSource, EnvironmentMetricsSink, EventSink, ExecutorFactory } from './ports.ts';

export interface EnvironmentReconcilerDeps {
  readonly resources: KeelsonResources;
  readonly artifacts: ArtifactSource;
  readonly desired: DesiredStateDeps;
  readonly executors: ExecutorFactory;
  readonly events: EventSink;
  readonly metrics?: EnvironmentMetricsSink;
  readonly log: Logger;
  readonly clock: () => number;
  /** A new unique operation id (hook object names derive from it). */
  readonly newOperationId: () => string;
  /** Scrubs secret values from text, and masks Secrets in values (core/redact.ts SecretRedactor). */
  readonly redactor: { redactText(text: string): string; redact<T>(value: T): T };
  /** Keeps the last comparison of each Environment for the diff API. */
  readonly diffs?: DiffStore;
  /** How long one reconcile keeps stepping a sync before it yields. @default 3000 */
  readonly stepBudgetMs?: number;
  /** How live objects are judged (the user's health rules included). @default assessHealth */
  readonly assessHealth?: HealthAssessor;
}

export interface ReconcileOutcome {
  readonly result: 'success' | 'stalled' | 'waiting' | 'transient' | 'deleted';
  /** Reconcile again after this long at the latest (a watch event may come sooner). */
  readonly requeueAfterMs?: number;
}

export class EnvironmentReconciler {
  readonly #deps: EnvironmentReconcilerDeps;

  constructor(deps: EnvironmentReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileOutcome> {
    let env: EnvironmentResource;
    try {
      env = await this.#deps.resources.getEnvironment(namespace, name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return this.#forget(namespace, name);
    }
    if (env.metadata.deletionTimestamp) return this.#finalize(env);
    // The finalizer only where deletion has work to do (deletionPolicy Delete): an orphaning
    // Environment goes away at once, and costs no write when it is created.
    const finalizers = env.metadata.finalizers ?? [];
    const wanted = env.spec.deletionPolicy === 'Delete';
    if (wanted !== finalizers.includes(FINALIZER)) {
      env = await this.#deps.resources.setEnvironmentFinalizers(
        namespace,
        name,
        wanted ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER),
      );
    }
    const run = new ReconcileRun(this.#deps, env);
    return run.execute();
  }

  /** Deletion: Delete policy deletes what the inventory holds; Orphan (default) leaves it. */
  async #finalize(env: EnvironmentResource): Promise<ReconcileOutcome> {
    const { namespace, name } = env.metadata;
    if (!env.metadata.finalizers?.includes(FINALIZER)) {
      // Nothing of ours holds it; it goes when the others' finalizers do.
      return this.#forget(namespace, name);
    }
    if (env.spec.deletionPolicy === 'Delete') {
      // Each object only if, when it is deleted, it is still this Environment's own.
      const { deleted, retained } = await this.#deps.executors.deleteInventory(env, env.status?.inventory ?? []);
      const environment = `${namespace}/${name}`;
      this.#deps.log.info('deleted managed objects of a deleted Environment', {
        environment,
        objects: deleted,
        leftInPlace: retained.length,
      });
      if (retained.length > 0) {
        const why = retained.map((r) => r.message).join('; ');
        this.#deps.log.warn('left objects of a deleted Environment in place', { environment, objects: why });
        const message = `left ${retained.length} managed objects in place: ${why}`;
        await recordEvent(this.#deps, this.#deps.log, env, { type: 'Warning', reason: 'DeletionSkipped', message });
      }
    }
    await this.#deps.resources.setEnvironmentFinalizers(
      namespace,
      name,
      (env.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
    );
    return this.#forget(namespace, name);
  }

  /** A deleted Environment: its executor, metrics and last diff go. */
  #forget(namespace: string, name: string): ReconcileOutcome {
    this.#deps.executors.forget(namespace, name);
    this.#deps.metrics?.forget(namespace, name);
    this.#deps.diffs?.delete(namespace, name);
    return { result: 'deleted' };
  }
}
