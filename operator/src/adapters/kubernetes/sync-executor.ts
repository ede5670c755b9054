// Carries out the sync step function against the cluster. One step: read what the step
// function waits for, compute the next step, run the actions and record their results.
// Actions that must not run twice (creating or deleting a hook, pruning) are checkpointed:
// the operation is persisted before them (intent) and after them (results). Validation and
// apply are idempotent, so they wait for the caller's next status write; a restarted
// operator calls step() with the persisted operation, repeats at most an apply, and
// continues where it stopped.
//
// With --log-level=debug every step logs what it did: the phase and wave it is at, the
// wave it applied, the hook objects it created or found, what it waits for and what it
// pruned (names and counts, never an object's content).
//
// For the Environment reconciler (KubernetesExecutorFactory makes the executor):
//   const ex = new SyncExecutor(transport, resources, { owner, persist: (op) => patchStatus({ operation: op }), log });
//   const { live, report } = await ex.compareWithCluster(desired, spec.sync?.ignoreDifferences);
//   const { operation } = await ex.start({ id, revision, desired, inventory: status.inventory ?? [], prune });
//   const out = await ex.step(status.operation, desiredOf(status.operation.revision)); // once per reconcile
//   if (!out.done) requeue(out.requeueAfterMs);  // else: nextInventory(...), history, conditions
import type { HealthAssessor } from '../../core/health/index.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { formatKey, keyOf } from '../../core/manifest.ts';
import { ANNOTATION_OPERATION, LABEL_HOOK_OF } from '../../core/keys.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { IgnoreDifference } from '../../core/diff/index.ts';
import { nextStep, type StepOptions } from '../../core/sync/next-step.ts';
import {
  isFinished,
  observationTargets,
  recordResults,
  startOperation,
  type ActionResult,
  type Operation,
  type SyncAction,
} from '../../core/sync/operation.ts';
import { hookOfLabel, nameGeneratedHooks, retentionOf, type OwnerReference } from '../../core/sync/ownership.ts';
import { planSync } from '../../core/sync/plan-sync.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { parseInventoryEntry, planPrune, type PruneSet } from '../../core/sync/prune-set.ts';
import { Applier, type Propagation } from './applier.ts';
import { ObjectWriter, type NamespaceMetadata } from './object-writer.ts';
import { effectiveSyncOptions, type PropagationPolicy, type SyncOptions } from '../../core/sync/sync-options.ts';
import { DryRunComparer, type CompareReport } from './dry-run.ts';
import { LiveState, type WatchCache } from './live-state.ts';
import { formatAddress, type ResourceMap } from './resource-map.ts';
import { isTransient } from './api-error.ts';
import type { RestTransport } from './rest-transport.ts';
import { positionOf, waitsOf } from './sync-step-log.ts';

export interface SyncExecutorOptions {
  /** The Environment that owns what is applied. */
  readonly owner: OwnerReference;
  /**
   * Persists Environment.status.operation: the checkpoints before and after actions that
   * must not run twice. The caller writes the rest with its status.
   */
  readonly persist: (operation: Operation) => Promise<void>;
  readonly step?: Partial<StepOptions>;
  /** Milliseconds since the epoch; Date.now unless a test drives time. */
  readonly clock?: () => number;
  /** Parallel requests to the API server. */
  readonly concurrency?: number;
  /** How applied objects are judged (the user's health rules included). @default assessHealth */
  readonly assessHealth?: HealthAssessor;
  /** spec.serviceAccountName: apply, create and delete as this ServiceAccount of the owner's namespace. */
  readonly serviceAccountName?: string;
  /** The operator's watch cache of managed objects: reads by address come from it when it is fresh enough. */
  readonly cache?: WatchCache;
  /** Debug lines for every step of an operation (names and counts, never a secret value). @default silentLogger */
  readonly log?: Logger;
}

export interface StartSyncOptions {
  readonly id: string;
  readonly revision: string;
  readonly desired: readonly KubeObject[];
  /** status.inventory before this sync. */
  readonly inventory: readonly string[];
  /** Prune what the desired state dropped (automated.prune, or asked for by a person). */
  readonly prune: boolean;
  readonly allowEmpty?: boolean;
  readonly initiatedBy?: Operation['initiatedBy'];
}

export interface StepOutcome {
  readonly operation: Operation;
  readonly done: boolean;
  /** When to step again at the latest (a watch event on a managed object may come sooner). */
  readonly requeueAfterMs: number;
  readonly actions: readonly SyncAction[];
  /** The first step this executor took of an operation that had already begun (another process started it). */
  readonly resumed: boolean;
}

/** What a step takes from the Environment: its limits (spec.timeout) and its sync options. */
export interface StepSettings extends Partial<StepOptions> {
  /** spec.sync.options, parsed: every object's, under its own annotation's. */
  readonly syncOptions?: Partial<SyncOptions>;
  /** spec.sync.managedNamespaceMetadata: what the namespaces CreateNamespace=true creates carry. */
  readonly namespaceMetadata?: NamespaceMetadata;
}

const PROPAGATION: Readonly<Record<PropagationPolicy, Propagation>> = {
  foreground: 'Foreground',
  background: 'Background',
  orphan: 'Orphan',
};

/** How prune and deletion treat dependents (sync option PrunePropagationPolicy, background by default). */
function propagationOf(options: Partial<SyncOptions> = {}): Propagation {
  return PROPAGATION[options.prunePropagationPolicy ?? 'background'];
}

const DEFAULT_STEP: StepOptions = { operationTimeoutMs: 10 * 60_000, hookTimeoutMs: 5 * 60_000, pollMs: 2000 };

export class SyncExecutor {
  readonly #transport: RestTransport;
  readonly #applier: Applier;
  readonly #live: LiveState;
  readonly #comparer: DryRunComparer;
  readonly #writer: ObjectWriter;
  readonly #options: SyncExecutorOptions;
  readonly #step: StepOptions;
  readonly #log: Logger;
  /** The ignore rules of the last comparison: what is applied is remembered under them. */
  #ignoreRules: readonly IgnoreDifference[] | undefined;
  /** The operation this executor stepped last, to tell a resumed one. */
  #lastStepped: string | undefined;

  constructor(transport: RestTransport, resources: ResourceMap, options: SyncExecutorOptions) {
    this.#transport = transport;
    this.#applier = new Applier(transport, resources, { concurrency: options.concurrency ?? 16 });
    // An executor acting as a ServiceAccount reads with requests: it sees only what that account may.
    this.#live = new LiveState(transport, resources, options.serviceAccountName ? undefined : options.cache);
    this.#comparer = new DryRunComparer(this.#applier, { clock: () => this.#now() });
    this.#options = options;
    this.#step = { ...DEFAULT_STEP, ...options.step };
    this.#log = options.log ?? silentLogger;
    this.#writer = new ObjectWriter(this.#applier, options.owner, this.#log);
  }

  get live(): LiveState {
    return this.#live;
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }

  /**
   * The live state of the desired objects (hooks left out) and their comparison, with as few
   * requests as the operator's watch cache allows: what it holds is read from it; what a
   * watch covers but the cache does not hold is probed with the dry-run the comparison needs
   * anyway (DryRunComparer.compare); the rest (held older than this executor's own write, or
   * outside every watch) is read with a GET.
   */
  async compareWithCluster(
    desired: readonly KubeObject[],
    ignoreRules?: readonly IgnoreDifference[],
    syncOptions?: Partial<SyncOptions>,
  ): Promise<{ live: Map<string, KubeObject>; report: CompareReport }> {
    this.#ignoreRules = ignoreRules;
    const objects = desired.filter((o) => !isHook(o));
    const { fresh, stale, unseen } = this.#live.peek(objects.map((o) => ({ apiVersion: o.apiVersion, key: keyOf(o) })));
    const live = new Map([...fresh, ...(await this.#live.getMany(stale))]);
    const report = await this.#comparer.compare({
      desired: objects,
      live: [...live.values()],
      owner: this.#options.owner,
      ignoreRules,
      syncOptions: (o) => effectiveSyncOptions(o, syncOptions),
      unseen: {
        keys: new Set(unseen.map(formatAddress)),
        read: (o) => this.#live.get({ apiVersion: o.apiVersion, key: keyOf(o) }),
      },
    });
    for (const obj of report.found) live.set(formatKey(keyOf(obj)), obj);
    return { live, report };
  }

  /** Live objects of the inventory entries, by formatKey (gone ones left out). */
  readInventory(inventory: readonly string[]): Promise<Map<string, KubeObject>> {
    return this.#live.getMany(inventory.map(parseInventoryEntry));
  }

  /** Plans a sync (prune set and guard included) and returns the new operation; its first checkpoint persists it. */
  async start(options: StartSyncOptions): Promise<{ operation: Operation; prune: PruneSet }> {
    const live = options.prune ? await this.readInventory(options.inventory) : new Map<string, KubeObject>();
    const prune = options.prune
      ? planPrune({
          inventory: options.inventory,
          desired: options.desired,
          live,
          owner: this.#options.owner,
          allowEmpty: options.allowEmpty,
        })
      : { prune: [], kept: [] };
    // What the plan would leave in place gets a Prune task too: the prune asks again at the
    // moment it deletes, and the task records why the object stayed.
    const plan = planSync({ desired: options.desired, prune: [...prune.prune, ...prune.kept.map((k) => k.object)] });
    const operation = startOperation({
      id: options.id,
      revision: options.revision,
      plan,
      now: this.#now(),
      initiatedBy: options.initiatedBy,
    });
    return { operation, prune };
  }

  /**
   * One step of the operation with the desired objects of its revision; `settings` are the
   * Environment's (spec.timeout over the executor's defaults, spec.sync.options).
   */
  async step(operation: Operation, desired: readonly KubeObject[], settings: StepSettings = {}): Promise<StepOutcome> {
    const { syncOptions, namespaceMetadata, ...limits } = settings;
    if (isFinished(operation)) return { operation, done: true, requeueAfterMs: 0, actions: [], resumed: false };
    const resumed = this.#lastStepped !== operation.id && (operation.tasks ?? []).some((t) => t.status !== 'Pending');
    this.#lastStepped = operation.id;
    const live = await this.#live.getMany(observationTargets(operation));
    const byKey = new Map(nameGeneratedHooks(desired).map((o) => [formatKey(keyOf(o)), o]));
    const options = { ...this.#step, ...limits };
    // A hook's own limit never outlasts the operation's.
    const step = { ...options, hookTimeoutMs: Math.min(options.hookTimeoutMs, options.operationTimeoutMs) };
    const next = nextStep(operation, {
      now: this.#now(),
      desired: byKey,
      live,
      owner: this.#options.owner,
      options: step,
      assessHealth: this.#options.assessHealth,
    });
    const log = this.#log.child({ operation: operation.id });
    const actions = next.actions.map((a) => a.type);
    const at = positionOf(next.operation);
    log.debug('sync step', { revision: operation.revision, ...at, actions, resumed });
    const checkpoint = next.actions.some(
      (a) => a.type === 'createHook' || a.type === 'deleteHook' || a.type === 'prune',
    );
    if (checkpoint) await this.#options.persist(next.operation);
    const results: ActionResult[] = [];
    const env = { syncOptions, namespaceMetadata };
    for (const action of next.actions) results.push(...(await this.#execute(next.operation, action, log, env)));
    const recorded = recordResults(next.operation, results);
    if (checkpoint && results.length > 0) await this.#options.persist(recorded);
    const wait = next.actions.find((a) => a.type === 'wait');
    if (wait) log.debug('waiting', { ...at, ...waitsOf(next.operation), afterMs: wait.afterMs });
    if (isFinished(recorded)) log.debug('sync operation finished', { result: recorded.phase });
    const progressed = results.length > 0 && !wait;
    const requeueAfterMs = wait ? wait.afterMs : progressed ? 0 : this.#step.pollMs;
    return { operation: recorded, done: isFinished(recorded), requeueAfterMs, actions: next.actions, resumed };
  }

  async #execute(
    op: Operation,
    action: SyncAction,
    log: Logger,
    env: Pick<StepSettings, 'syncOptions' | 'namespaceMetadata'>,
  ): Promise<ActionResult[]> {
    const fail = (err: unknown) => (err instanceof Error ? err.message : String(err));
    const optionsOf = (o: KubeObject) => effectiveSyncOptions(o, env.syncOptions);
    switch (action.type) {
      case 'wait':
        return [];
      case 'validate': {
        if (env.syncOptions?.createNamespace) {
          const declared = action.tolerateMissing.namespaces;
          await this.#writer.createNamespaces(action.objects, declared, env.namespaceMetadata);
        }
        const { failures, retry } = await this.#comparer.validate(action.objects, action.tolerateMissing, optionsOf);
        const objects = action.objects.length;
        log.debug('validated with a server-side dry-run', { objects, failed: failures.length, again: retry });
        if (failures.length === 0 && retry) return [];
        return [{ type: 'validate', error: failures.join('; ') || undefined }];
      }
      case 'apply': {
        // A transient failure leaves the task unconfirmed: the next step applies it again.
        const outcomes = await this.#writer.writeAll(
          action.tasks.map((t) => t.object),
          optionsOf,
        );
        const applied = action.tasks.flatMap((t, i) => {
          const live = outcomes[i]!.object;
          return live ? [{ desired: t.object, live }] : [];
        });
        for (const { live } of applied) this.#live.wrote(live);
        this.#comparer.remember(applied, this.#ignoreRules);
        const retrying = outcomes.filter((o) => o.error && isTransient(o.cause)).length;
        log.debug('applied a wave', {
          ...positionOf(op, action.tasks[0]?.taskId),
          objects: action.tasks.length,
          applied: applied.length,
          failed: action.tasks.length - applied.length - retrying,
          retrying,
        });
        return action.tasks.flatMap((t, i): ActionResult[] => {
          const o = outcomes[i]!;
          if (o.error && isTransient(o.cause)) return [];
          return [{ type: 'apply', taskId: t.taskId, error: o.error || undefined }];
        });
      }
      case 'createHook': {
        const fields = { ...positionOf(op, action.taskId), hook: formatKey(keyOf(action.object)) };
        try {
          if (action.deleteBefore) await this.#deleteEarlierHooks(op, action.object, log);
          const created = await this.#applier.create(action.object);
          if (created) this.#live.wrote(created);
          log.debug(created ? 'created a hook object' : 'found the hook object created already', fields);
          return [{ type: 'createHook', taskId: action.taskId }];
        } catch (err) {
          log.debug('could not create a hook object', { ...fields, retrying: isTransient(err) });
          return isTransient(err) ? [] : [{ type: 'createHook', taskId: action.taskId, error: fail(err) }];
        }
      }
      case 'deleteHook':
      case 'prune': {
        const hook = action.type === 'deleteHook';
        const fields = { ...positionOf(op, action.taskId), object: formatAddress(action.ref) };
        try {
          // Deleted only if, at that moment, the object is this Environment's (and, for a
          // prune, not marked keelson.dev/prune: "false"); otherwise it is left in place.
          const owner = this.#options.owner;
          const rule = (live: KubeObject) => retentionOf(live, owner, { hook });
          // A hook's Job goes with its Pods; a pruned object's dependents as spec.sync.options says.
          const propagation = hook ? 'Background' : propagationOf(env.syncOptions);
          const outcome = await this.#applier.deleteIf(action.ref, rule, propagation);
          if (outcome.result === 'retained') {
            log.debug(hook ? 'left a hook object in place' : 'left an object in place instead of pruning it', {
              ...fields,
              reason: outcome.retention.reason,
            });
            return [{ type: action.type, taskId: action.taskId, retained: outcome.retention }];
          }
          this.#live.deleted(action.ref);
          log.debug(hook ? 'deleted a hook object' : 'pruned an object', { ...fields, result: outcome.result });
          return [{ type: action.type, taskId: action.taskId }];
        } catch (err) {
          log.debug(hook ? 'could not delete a hook object' : 'could not prune an object', {
            ...fields,
            retrying: isTransient(err),
          });
          return isTransient(err) ? [] : [{ type: action.type, taskId: action.taskId, error: fail(err) }];
        }
      }
    }
  }

  /** BeforeHookCreation: hook objects of earlier operations for the same hook go first. */
  async #deleteEarlierHooks(op: Operation, hook: KubeObject, log: Logger): Promise<void> {
    const hookOf = hook.metadata.labels?.[LABEL_HOOK_OF] ?? hookOfLabel(hook.metadata.name);
    const earlier = await this.#live.listHookObjects(this.#options.owner, hook, hookOf);
    for (const obj of earlier) {
      if (obj.metadata.annotations?.[ANNOTATION_OPERATION] === op.id) continue;
      const address = { apiVersion: obj.apiVersion, key: keyOf(obj) };
      const owner = this.#options.owner;
      const outcome = await this.#applier.deleteIf(address, (live) => retentionOf(live, owner, { hook: true }));
      const fields = { hook: formatKey(keyOf(obj)), of: obj.metadata.annotations?.[ANNOTATION_OPERATION] };
      if (outcome.result === 'retained') {
        log.debug('left a hook object of an earlier operation in place', {
          ...fields,
          reason: outcome.retention.reason,
        });
        continue;
      }
      this.#live.deleted(address);
      log.debug('deleted a hook object of an earlier operation', { ...fields, result: outcome.result });
    }
  }

  close(): void {
    this.#transport.close();
  }
}
