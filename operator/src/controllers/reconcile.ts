// The one reconcile skeleton both controllers (GitRepository, Environment) plug into, after
// Flux's source-controller: load → deleted (finalize) → prepare (e.g. a finalizer) → suspended
// → ordered steps with one signature → finally: conditions and requeue decided in one place,
// status patched when it changed, events emitted, metrics recorded. Steps throw the typed
// errors of reconcile-errors.ts; they never set Ready, Reconciling or Stalled themselves.
import type { Condition } from '../core/conditions.ts';
import { withJitter } from '../core/duration.ts';
import { stableStringify } from '../core/diff/object-hash.ts';
import { FencedError } from '../core/sharding.ts';
import { decideOutcome, type ReconcileResult } from './reconcile-errors.ts';
import type { Lane, Requeue } from './work-queue.ts';

/** The object shape the skeleton needs. */
export interface ReconciledObject {
  readonly metadata?: { readonly generation?: number; readonly deletionTimestamp?: Date | string };
  readonly status?: { readonly conditions?: readonly Condition[] };
}

export interface ObjectEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** What a step reads and writes: the object as loaded, a status draft, and events to emit. */
export interface StepContext<T extends ReconciledObject, S, F = Record<string, never>> {
  readonly key: string;
  readonly object: T;
  /** RFC 3339 time of this reconcile. */
  readonly now: string;
  status: S;
  /** Ready's message when every step succeeds. */
  readyMessage: string;
  readonly events: ObjectEvent[];
  /** Reconcile again after this long at the latest (a sync in progress); the interval when unset. */
  requeueAfterMs: number | undefined;
  /** The lane of that requeue: high for work under way (a sync's next step), ahead of work not begun. */
  requeueLane?: Lane;
  /** What the steps found, for the steps after them and for the conditions. */
  readonly facts: F;
}

/** One step; throws StalledError, WaitingError or TransientError (anything else counts as transient). */
export type ReconcileStep<T extends ReconciledObject, S, F = Record<string, never>> = (
  ctx: StepContext<T, S, F>,
) => Promise<void>;

type ReconciledStatus = { conditions?: Condition[]; observedGeneration?: number };

export interface ReconcilerDefinition<
  T extends ReconciledObject,
  S extends ReconciledStatus,
  F = Record<string, never>,
> {
  readonly kind: string;
  load(key: string): Promise<T | undefined>;
  /**
   * The object is gone (or being deleted): release what it held. A deletion with more to do
   * (hooks, objects still going) returns when to come back.
   */
  finalize(key: string, object: T | undefined): Promise<Requeue | void>;
  /** Before anything else on a live object, e.g. keep a finalizer; returns the object to reconcile. */
  prepare?(object: T): Promise<T>;
  isSuspended(object: T): boolean;
  /**
   * The conditions of a suspended object, written to its status; without it a suspended object's
   * status is left as it is.
   */
  suspendedConditions?(ctx: StepContext<T, S, F>): Condition[];
  /** The periodic requeue before jitter. */
  intervalMs(object: T): number;
  /** A fresh record of what the steps find. @default {} */
  facts?(): F;
  readonly steps: readonly ReconcileStep<T, S, F>[];
  /** Conditions steps' errors may set, removed on success (e.g. FetchFailed). */
  readonly failureConditions: readonly string[];
  /**
   * The conditions at the end of a reconcile, from what the steps found and the error (undefined
   * on success). @default kstatus's Ready / Reconciling / Stalled and the error's own condition
   */
  conditions?(ctx: StepContext<T, S, F>, error: unknown): Condition[];
  /** A step threw: what must happen before status is written (e.g. end an operation past its timeout). */
  onError?(ctx: StepContext<T, S, F>, error: unknown): Promise<void>;
  /** The status as written (e.g. Secret values masked). @default as the steps left it */
  finalStatus?(status: S): S;
  /** Writes status; returns the object as written, when known. */
  patchStatus(object: T, status: S): Promise<T | void>;
  /** After the status was written, or found unchanged: the object as it now is. */
  statusSettled?(object: T): void;
  recordEvent(object: T, event: ObjectEvent): Promise<void>;
  /** A Warning event for each new failure (reason or message changed). @default true */
  readonly failureEvents?: boolean;
  observe?(sample: { kind: string; result: ReconcileResult | 'deleted' | 'suspended'; seconds: number }): void;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default Math.random */
  readonly random?: () => number;
}

export async function reconcileKey<T extends ReconciledObject, S extends ReconciledStatus, F>(
  def: ReconcilerDefinition<T, S, F>,
  key: string,
): Promise<Requeue> {
  const started = performance.now();
  const observe = (result: ReconcileResult | 'deleted' | 'suspended') =>
    def.observe?.({ kind: def.kind, result, seconds: (performance.now() - started) / 1000 });
  const loaded = await def.load(key);
  if (!loaded || loaded.metadata?.deletionTimestamp) {
    const again = await def.finalize(key, loaded);
    observe('deleted');
    return again ?? { kind: 'done' };
  }
  const object = def.prepare ? await def.prepare(loaded) : loaded;
  const now = (def.clock?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ctx: StepContext<T, S, F> = {
    key,
    object,
    now,
    events: [],
    readyMessage: 'Succeeded',
    status: structuredClone((object.status ?? {}) as S),
    requeueAfterMs: undefined,
    facts: def.facts?.() ?? ({} as F),
  };
  const generation = object.metadata?.generation;
  if (def.isSuspended(object)) {
    if (def.suspendedConditions) {
      ctx.status.conditions = def.suspendedConditions(ctx);
      if (generation !== undefined) ctx.status.observedGeneration = generation;
      await writeStatus(def, object, ctx.status);
    }
    observe('suspended');
    return { kind: 'done' };
  }
  let error: unknown;
  try {
    for (const step of def.steps) await step(ctx);
  } catch (err) {
    // Fenced: this replica no longer holds the object's shard; nothing more is written (ADR 0023).
    if (err instanceof FencedError) throw err;
    error = err;
    await def.onError?.(ctx, err);
  }
  const interval = def.intervalMs(object);
  const random = (def.random ?? Math.random)();
  const outcome = decideOutcome(
    ctx.status.conditions,
    {
      error,
      readyMessage: ctx.readyMessage,
      failureConditions: def.failureConditions,
      intervalMs: withJitter(interval, random),
    },
    { now, generation },
  );
  const previousReady = object.status?.conditions?.find((c) => c.type === 'Ready');
  ctx.status.conditions = def.conditions ? def.conditions(ctx, error) : outcome.conditions;
  if (generation !== undefined) ctx.status.observedGeneration = generation;
  try {
    await writeStatus(def, object, ctx.status);
    const events = [...ctx.events];
    const failure = outcome.failure;
    const changed = previousReady?.reason !== failure?.reason || previousReady?.message !== failure?.message;
    if (failure && changed && def.failureEvents !== false) events.push({ type: 'Warning', ...failure });
    for (const event of events) await def.recordEvent(object, event).catch(() => undefined);
  } finally {
    observe(outcome.result);
  }
  if (outcome.result !== 'success' || ctx.requeueAfterMs === undefined) return outcome.requeue;
  // A step asked to come back sooner than the interval (a sync in progress, a retry due).
  const delayMs = ctx.requeueAfterMs >= interval ? withJitter(interval, random) : ctx.requeueAfterMs;
  return ctx.requeueLane ? { kind: 'after', delayMs, lane: ctx.requeueLane } : { kind: 'after', delayMs };
}

/** Writes the status when it differs from the object's: a check that changed nothing writes nothing. */
async function writeStatus<T extends ReconciledObject, S extends ReconciledStatus, F>(
  def: ReconcilerDefinition<T, S, F>,
  object: T,
  draft: S,
): Promise<void> {
  const status = def.finalStatus ? def.finalStatus(draft) : draft;
  if (object.status && stableStringify(status) === stableStringify(object.status)) {
    def.statusSettled?.(object);
    return;
  }
  const written = await def.patchStatus(object, status);
  def.statusSettled?.(written ?? object);
}
