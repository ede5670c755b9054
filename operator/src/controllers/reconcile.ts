// The fixed reconcile skeleton every controller uses, after Flux's source-controller:
// load → deleted/suspended → ordered steps with one signature → finally: decide conditions
// and requeue in one place, patch status, emit events, record metrics.
import type { Condition } from '../core/conditions.ts';
import { withJitter } from '../core/duration.ts';
import { decideOutcome, type ReconcileResult } from './reconcile-errors.ts';
import type { Requeue } from './work-queue.ts';
import { stableStringify } from '../core/diff/object-hash.ts';

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
export interface StepContext<T extends ReconciledObject, S> {
  readonly key: string;
  readonly object: T;
  /** RFC 3339 time of this reconcile. */
  readonly now: string;
  status: S;
  /** Ready's message when every step succeeds. */
  readyMessage: string;
  readonly events: ObjectEvent[];
}

/** One step; throws StalledError, WaitingError or TransientError (anything else counts as transient). */
export type ReconcileStep<T extends ReconciledObject, S> = (ctx: StepContext<T, S>) => Promise<void>;

export interface ReconcilerDefinition<
  T extends ReconciledObject,
  S extends { conditions?: Condition[]; observedGeneration?: number },
> {
  readonly kind: string;
  load(key: string): Promise<T | undefined>;
  /** The object is gone (or being deleted): release what it held. */
  finalize(key: string, object: T | undefined): Promise<void>;
  isSuspended(object: T): boolean;
  /** The periodic requeue before jitter. */
  intervalMs(object: T): number;
  readonly steps: readonly ReconcileStep<T, S>[];
  /** Conditions steps' errors may set, removed on success (e.g. FetchFailed). */
  readonly failureConditions: readonly string[];
  patchStatus(object: T, status: S): Promise<void>;
  recordEvent(object: T, event: ObjectEvent): Promise<void>;
  observe?(sample: { kind: string; result: ReconcileResult | 'deleted' | 'suspended'; seconds: number }): void;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default Math.random */
  readonly random?: () => number;
}

export async function reconcileKey<
  T extends ReconciledObject,
  S extends { conditions?: Condition[]; observedGeneration?: number },
>(def: ReconcilerDefinition<T, S>, key: string): Promise<Requeue> {
  const started = performance.now();
  const observe = (result: ReconcileResult | 'deleted' | 'suspended') =>
    def.observe?.({ kind: def.kind, result, seconds: (performance.now() - started) / 1000 });
  const object = await def.load(key);
  if (!object || object.metadata?.deletionTimestamp) {
    await def.finalize(key, object);
    observe('deleted');
    return { kind: 'done' };
  }
  if (def.isSuspended(object)) {
    observe('suspended');
    return { kind: 'done' };
  }
  const now = (def.clock?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ctx: StepContext<T, S> = {
    key,
    object,
    now,
    events: [],
    readyMessage: 'Succeeded',
    status: structuredClone((object.status ?? {}) as S),
  };
  let error: unknown;
  try {
    for (const step of def.steps) await step(ctx);
  } catch (err) {
    error = err;
  }
  const generation = object.metadata?.generation;
  const outcome = decideOutcome(
    ctx.status.conditions,
    {
      error,
      readyMessage: ctx.readyMessage,
      failureConditions: def.failureConditions,
      intervalMs: withJitter(def.intervalMs(object), (def.random ?? Math.random)()),
    },
    { now, generation },
  );
  const previousReady = object.status?.conditions?.find((c) => c.type === 'Ready');
  ctx.status.conditions = outcome.conditions;
  if (generation !== undefined) ctx.status.observedGeneration = generation;
  try {
    // A check that changed nothing (a poll finding the same commit) writes nothing.
    if (!object.status || stableStringify(ctx.status) !== stableStringify(object.status))
      await def.patchStatus(object, ctx.status);
    const events = [...ctx.events];
    if (
      outcome.failure &&
      (previousReady?.reason !== outcome.failure.reason || previousReady.message !== outcome.failure.message)
    ) {
      events.push({ type: 'Warning', ...outcome.failure });
    }
    for (const event of events) await def.recordEvent(object, event).catch(() => undefined);
  } finally {
    observe(outcome.result);
  }
  return outcome.requeue;
}
