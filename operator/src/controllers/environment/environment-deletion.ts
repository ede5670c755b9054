// Deleting an Environment that owns what it deployed (deletionPolicy Delete): one operation of
// the sync engine, persisted in status.operation (deletion: true) so a restarted operator goes
// on with it. Its PreDelete hooks run first, then everything the inventory holds is pruned in
// reverse wave order (each object only if still its own, with spec.sync.options'
// PrunePropagationPolicy), then its PostDelete hooks; the finalizer goes when it succeeded. A
// failed hook blocks the deletion (condition Ready False DeletionBlocked, a Warning event)
// until a new revision or a sync request tries again, or someone removes the finalizer by
// hand (docs/sync-semantics.md). Hooks come from the latest revision; when the deploy repo
// cannot be read, the objects are deleted without hooks, with a Warning event saying why.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import type { Operation } from '../../api/v1alpha1/environment.ts';
import { EventReason, Reason } from '../../api/v1alpha1/conditions.ts';
import { READY, setCondition } from '../../core/conditions.ts';
import { isNewRequest } from '../../core/environment/sync-request.ts';
import { ANNOTATION_SYNC_REQUESTED_AT, FINALIZER } from '../../core/keys.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { deletionHooks } from '../../core/sync/deletion.ts';
import { isFinished, retainedMessage } from '../../core/sync/operation.ts';
import { parseRevision } from '../../core/source/git-ref.ts';
import type { Requeue } from '../work-queue.ts';
import { buildDesiredState } from './desired-state.ts';
import type { EnvironmentReconcilerDeps } from './environment-reconciler.ts';
import type { EnvironmentExecutor } from './ports.ts';
import { environmentSyncOptions, operationTimeoutMs, runEvent, type RunScope } from './run-scope.ts';

/** How often a blocked deletion looks for a new revision (a GitRepository change also wakes it). */
const BLOCKED_RECHECK_MS = 60_000;

interface HookSource {
  readonly revision: string;
  readonly hooks: readonly KubeObject[];
  /** Why there are no hooks to run: the deploy repo could not be read. */
  readonly skipped?: string;
}

export class EnvironmentDeletion {
  readonly #deps: EnvironmentReconcilerDeps;
  /** The hooks of each deletion operation this process steps, by operation id. */
  readonly #hooks = new Map<string, readonly KubeObject[]>();

  constructor(deps: EnvironmentReconcilerDeps) {
    this.#deps = deps;
  }

  /** One step of the deletion of `env`; undefined once the finalizer is released. */
  async finalize(env: EnvironmentResource): Promise<Requeue | undefined> {
    if (!env.metadata.finalizers?.includes(FINALIZER)) return undefined;
    if (env.spec.deletionPolicy !== 'Delete') return this.#release(env);
    const { namespace, name } = env.metadata;
    const log = this.#deps.log.child({ environment: `${namespace}/${name}` });
    const scope: RunScope = {
      deps: this.#deps,
      env,
      status: structuredClone(env.status ?? {}),
      log,
      stage: 'deleting',
    };
    const executor = await this.#deps.executors.executorFor(env);
    let op = scope.status.operation;
    if (!op?.deletion || (op.phase === 'Failed' && (await this.#tryAgain(scope, op)))) {
      op = await this.#start(scope, executor);
    }
    if (!isFinished(op)) {
      op = await this.#step(scope, executor, op);
      if (op.phase === 'Failed') {
        log.warn('deletion blocked', { operation: op.id, message: op.message });
        await runEvent(scope, 'Warning', EventReason.DeletionBlocked, `deletion blocked: ${op.message ?? 'it failed'}`);
      }
    }
    if (op.phase === 'Succeeded') return this.#done(scope, op);
    const blocked = op.phase === 'Failed';
    scope.status.conditions = setCondition(
      scope.status.conditions,
      {
        type: READY,
        status: 'False',
        reason: blocked ? Reason.DeletionBlocked : Reason.Deleting,
        message: blocked
          ? `deletion blocked: ${op.message ?? 'the deletion failed'}; push a fix or request a sync to try again, ` +
            `or remove the finalizer ${FINALIZER} by hand to leave the objects in place`
          : `deleting: ${op.message ?? 'starting'}`,
      },
      { now: new Date(this.#deps.clock()).toISOString(), generation: env.metadata.generation },
    );
    await this.#deps.resources.patchEnvironmentStatus(namespace, name, this.#deps.redactor.redact(scope.status), {
      firstStatus: !env.status,
    });
    return { kind: 'after', delayMs: blocked ? BLOCKED_RECHECK_MS : 1000 };
  }

  /** A failed deletion goes again for a newer revision (a fix) or a new sync request. */
  async #tryAgain(scope: RunScope, failed: Operation): Promise<boolean> {
    const request = scope.env.metadata.annotations?.[ANNOTATION_SYNC_REQUESTED_AT];
    if (isNewRequest(request, scope.status.lastHandledSyncAt)) {
      scope.status.lastHandledSyncAt = request;
      return true;
    }
    const latest = (await this.#latestRepo(scope.env))?.status?.artifact?.revision;
    return latest !== undefined && latest !== failed.revision;
  }

  async #latestRepo(env: EnvironmentResource) {
    try {
      return await this.#deps.resources.getGitRepository(env.metadata.namespace, env.spec.sourceRef.name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** The delete hooks of the latest revision, or none (and why) when the deploy repo cannot be read. */
  async #hookSource(env: EnvironmentResource, revision?: string): Promise<HookSource> {
    const repo = await this.#latestRepo(env);
    const at = revision ?? repo?.status?.artifact?.revision;
    const commit = at ? parseRevision(at)?.commit : undefined;
    if (!repo || !at || !commit) {
      const why = repo ? 'it has no artifact' : 'it does not exist';
      return { revision: at ?? '', hooks: [], skipped: `GitRepository ${env.spec.sourceRef.name}: ${why}` };
    }
    try {
      const desired = await buildDesiredState(env, await this.#deps.artifacts.tree(repo, commit), this.#deps.desired);
      return { revision: at, hooks: deletionHooks(desired.objects) };
    } catch (err) {
      const message = this.#deps.redactor.redactText(err instanceof Error ? err.message : String(err));
      return { revision: at, hooks: [], skipped: `the revision ${at} could not be synthesized: ${message}` };
    }
  }

  async #start(scope: RunScope, executor: EnvironmentExecutor): Promise<Operation> {
    const source = await this.#hookSource(scope.env);
    if (source.skipped) {
      const message = `deleting without PreDelete and PostDelete hooks: ${source.skipped}`;
      scope.log.warn(message);
      await runEvent(scope, 'Warning', EventReason.DeleteHooksSkipped, message);
    }
    const { operation } = await executor.start({
      id: this.#deps.newOperationId(),
      revision: source.revision,
      desired: source.hooks,
      inventory: scope.status.inventory ?? [],
      prune: true,
      allowEmpty: true,
      initiatedBy: { automated: true },
    });
    const started: Operation = { ...operation, deletion: true };
    this.#hooks.set(started.id, source.hooks);
    scope.status.operation = started;
    const hooks = source.hooks.length;
    scope.log.info('deletion started', { operation: started.id, hooks, objects: scope.status.inventory?.length ?? 0 });
    await runEvent(
      scope,
      'Normal',
      EventReason.DeletionStarted,
      `deleting the managed objects${hooks ? `, with ${hooks} PreDelete/PostDelete hooks` : ''}`,
    );
    return started;
  }

  async #step(scope: RunScope, executor: EnvironmentExecutor, operation: Operation): Promise<Operation> {
    let hooks = this.#hooks.get(operation.id);
    if (!hooks) {
      // Begun by an earlier process: the hooks of the revision it was started at.
      hooks = (await this.#hookSource(scope.env, operation.revision)).hooks;
      this.#hooks.set(operation.id, hooks);
    }
    const settings = {
      operationTimeoutMs: operationTimeoutMs(scope.env),
      syncOptions: environmentSyncOptions(scope.env),
    };
    const deadline = this.#deps.clock() + (this.#deps.stepBudgetMs ?? 3000);
    let current = operation;
    for (;;) {
      const outcome = await executor.step(current, hooks, settings);
      current = { ...outcome.operation, deletion: true };
      scope.status.operation = current;
      if (outcome.done || outcome.requeueAfterMs > 0 || this.#deps.clock() >= deadline) return current;
    }
  }

  /** The deletion succeeded: what it left in place is reported, and the finalizer goes. */
  async #done(scope: RunScope, op: Operation): Promise<undefined> {
    const retained = (op.tasks ?? []).filter((t) => t.phase === 'Prune' && t.retained);
    const deleted = (op.tasks ?? []).filter((t) => t.phase === 'Prune' && t.status === 'Succeeded').length;
    scope.log.info('deleted managed objects of a deleted Environment', {
      objects: deleted,
      leftInPlace: retained.length,
    });
    if (retained.length > 0) {
      const why = retained.map((t) => retainedMessage(t)).join('; ');
      scope.log.warn('left objects of a deleted Environment in place', { objects: why });
      await runEvent(
        scope,
        'Warning',
        EventReason.DeletionSkipped,
        `left ${retained.length} managed objects in place: ${why}`,
      );
    }
    this.#hooks.delete(op.id);
    return this.#release(scope.env);
  }

  async #release(env: EnvironmentResource): Promise<undefined> {
    const finalizers = (env.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.#deps.resources.setEnvironmentFinalizers(env.metadata.namespace, env.metadata.name, finalizers);
    return undefined;
  }
}
