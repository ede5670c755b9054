// The Environment reconciler: source → synth → secrets → diff → sync → health → status, as a
// definition the one reconcile skeleton (../reconcile.ts) runs, as it runs the GitRepository's.
// It keeps the finalizer where deletion has work to do, deletes what a deleted Environment owns
// (deletionPolicy Delete, environment-deletion.ts), and hands the steps to one ReconcileRun
// (reconcile-run.ts).
import type { HealthAssessor } from '../../core/health/index.ts';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import { FINALIZER } from '../../core/keys.ts';
import { FencedError } from '../../core/sharding.ts';
import { KubeApiError } from '../../adapters/kubernetes/api-error.ts';
import type { Logger } from '../../core/logger.ts';
import type { DesiredStateDeps } from './desired-state.ts';
import type { DiffStore } from './diff-store.ts';
import { recordEvent } from './environment-event.ts';
import { EnvironmentDeletion } from './environment-deletion.ts';
import { ReconcileRun } from './reconcile-run.ts';
import { environmentConditions } from './environment-conditions.ts';
import { reconcileKey, type ReconcilerDefinition, type StepContext } from '../reconcile.ts';
import type { Requeue } from '../work-queue.ts';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import type {
  ArtifactSource,
  EnvironmentMetricsSink,
  EnvironmentStore,
  EventSink,
  ExecutorFactory,
  SyncWindowReader,
} from './ports.ts';

export interface EnvironmentReconcilerDeps {
  readonly resources: EnvironmentStore;
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
  /** The shared SyncWindow objects, from their watch. @default none */
  readonly syncWindows?: SyncWindowReader;
  /** With sharding: which replica and shard reconciles an Environment (status.reconciledBy). */
  readonly reconciledBy?: (key: string) => { replica: string; shard: number } | undefined;
}

/** What the Environment's steps found: the run that holds it. */
interface EnvironmentFacts {
  run?: ReconcileRun;
}

type EnvironmentContext = StepContext<EnvironmentResource, EnvironmentStatus, EnvironmentFacts>;

export interface EnvironmentReconcilerOptions {
  /** The periodic check of every Environment, before jitter. @default 5 min */
  readonly resyncIntervalMs?: number;
  /** Records each reconcile's duration and result (keelson_reconcile_duration_seconds). */
  readonly observe?: (sample: { kind: string; result: string; seconds: number }) => void;
  /** A deleted Environment was forgotten (its watches and indexes can go). */
  readonly onForget?: (key: string) => void;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * The Environment's plug-in to the reconcile skeleton (reconcile.ts): load; deletion (the
 * inventory deleted for deletionPolicy Delete, then the finalizer released); the finalizer kept
 * where deletion has work to do; suspension; the steps source → desired → compare → sync of
 * one ReconcileRun; then its conditions, and status patched once with Secret values masked.
 */
export class EnvironmentReconciler {
  readonly #deps: EnvironmentReconcilerDeps;
  readonly #deletion: EnvironmentDeletion;
  readonly definition: ReconcilerDefinition<EnvironmentResource, EnvironmentStatus, EnvironmentFacts>;

  constructor(deps: EnvironmentReconcilerDeps, options: EnvironmentReconcilerOptions = {}) {
    this.#deps = deps;
    this.#deletion = new EnvironmentDeletion(deps);
    const run = (ctx: EnvironmentContext): ReconcileRun => {
      ctx.facts.run ??= new ReconcileRun(deps, ctx.object, ctx.status);
      return ctx.facts.run;
    };
    const redactor = deps.redactor;
    this.definition = {
      kind: 'Environment',
      load: (key) => this.#load(key),
      finalize: async (key, env) => {
        const again = env ? await this.#deletion.finalize(env) : undefined;
        if (again) return again;
        this.#forget(key);
        options.onForget?.(key);
      },
      prepare: (env) => this.#keepFinalizer(env),
      isSuspended: (env) => env.spec.suspend === true,
      suspendedConditions: (ctx) =>
        environmentConditions(
          ctx.status.conditions,
          { suspended: true },
          { now: ctx.now, generation: ctx.object.metadata.generation },
        ),
      intervalMs: () => options.resyncIntervalMs ?? 300_000,
      facts: () => ({}),
      steps: [
        (ctx) => {
          const by = deps.reconciledBy?.(ctx.key);
          if (by) ctx.status.reconciledBy = by;
          else delete ctx.status.reconciledBy;
          return run(ctx).source();
        },
        (ctx) => run(ctx).desired(),
        (ctx) => run(ctx).compare(),
        async (ctx) => {
          const r = run(ctx);
          await r.sync();
          ctx.requeueAfterMs = r.requeueAfterMs;
          if (r.underWay) ctx.requeueLane = 'high';
        },
      ],
      // Each step's error sets its own condition False (SourceReady, Synthesized…): environmentConditions.
      failureConditions: [],
      conditions: (ctx) => run(ctx).conditions({ now: ctx.now, generation: ctx.object.metadata.generation }),
      onError: (ctx, err) => run(ctx).onError(err),
      finalStatus: (status) => redactor.redact(status),
      patchStatus: async (env, status) => {
        const { namespace, name } = env.metadata;
        try {
          return await deps.resources.patchEnvironmentStatus(namespace, name, status, { firstStatus: !env.status });
        } catch (err) {
          // A replica fenced out of the shard writes nothing more (ADR 0023).
          if (err instanceof FencedError) throw err;
          deps.log.error('could not patch status', {
            environment: `${namespace}/${name}`,
            error: redactor.redactText(String(err)),
          });
          // The API server busy or gone: the work queue tries again after its backoff, not at the
          // next resync. A status it refuses (invalid) is not sent again unchanged.
          if (!(err instanceof KubeApiError) || err.status === 429 || err.status >= 500) throw new StatusNotWritten();
          return undefined;
        }
      },
      statusSettled: (env) => deps.metrics?.observe(env),
      recordEvent: (env, event) => recordEvent(deps, deps.log, env, event),
      // The steps record their own events (SyncStarted, PruneRefused…), each once.
      failureEvents: false,
      observe: options.observe,
      clock: () => new Date(deps.clock()),
      random: options.random,
    };
  }

  /** Reconciles the Environment `namespace/name` once; says when to come back. */
  reconcile(key: string): Promise<Requeue> {
    return reconcileKey(this.definition, key);
  }

  async #load(key: string): Promise<EnvironmentResource | undefined> {
    const slash = key.indexOf('/');
    try {
      return await this.#deps.resources.getEnvironment(key.slice(0, slash), key.slice(slash + 1));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * The finalizer only where deletion has work to do (deletionPolicy Delete): an orphaning
   * Environment goes away at once, and costs no write when it is created.
   */
  async #keepFinalizer(env: EnvironmentResource): Promise<EnvironmentResource> {
    const finalizers = env.metadata.finalizers ?? [];
    const wanted = env.spec.deletionPolicy === 'Delete';
    if (wanted === finalizers.includes(FINALIZER)) return env;
    const next = wanted ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER);
    return this.#deps.resources.setEnvironmentFinalizers(env.metadata.namespace, env.metadata.name, next);
  }

  /** A deleted Environment: its executor, metrics and last diff go. */
  #forget(key: string): void {
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    this.#deps.executors.forget(namespace, name);
    this.#deps.metrics?.forget(namespace, name);
    this.#deps.diffs?.delete(namespace, name);
  }
}

/** The status of a reconcile could not be written for now; the work queue backs off and tries again. */
export class StatusNotWritten extends Error {
  constructor() {
    super('the status could not be written; trying again after the backoff');
    this.name = 'StatusNotWritten';
  }
}
