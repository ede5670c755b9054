// The three ways a reconcile step can fail, for every controller, and the one place that turns
// a failure (or a success) into kstatus conditions and a requeue. Steps throw; they never set
// conditions. Each error carries a reason (PascalCase, from api/v1alpha1/conditions.ts) and, when the
// failure belongs to one, the condition it sets (FetchFailed, Synthesized, SecretsResolved…).
import {
  READY,
  RECONCILING,
  setCondition,
  STALLED,
  type Condition,
  type ConditionContext,
} from '../core/conditions.ts';
import type { Requeue } from './work-queue.ts';
import { Reason } from '../api/v1alpha1/conditions.ts';

export interface ReconcileErrorOptions {
  /** An extra condition set True while this failure lasts, e.g. FetchFailed. */
  readonly condition?: string;
}

/** What every failure of a step carries: a reason, and the condition it belongs to, if any. */
abstract class StepFailure extends Error {
  readonly reason: string;
  readonly condition: string | undefined;
  constructor(reason: string, message: string, options: ReconcileErrorOptions) {
    super(message);
    this.reason = reason;
    this.condition = options.condition;
  }
}

/** Retrying cannot help until the spec (or something it names) changes. */
export class StalledError extends StepFailure {
  override readonly name = 'StalledError';
  readonly kind = 'stalled';
  constructor(reason: string, message: string, options: ReconcileErrorOptions = {}) {
    super(reason, message, options);
  }
}

/** Something this object depends on is not ready yet: check again after `delayMs`. */
export class WaitingError extends StepFailure {
  override readonly name = 'WaitingError';
  readonly kind = 'waiting';
  readonly delayMs: number;
  constructor(reason: string, message: string, delayMs: number, options: ReconcileErrorOptions = {}) {
    super(reason, message, options);
    this.delayMs = delayMs;
  }
}

/** A failure that may pass: retry with backoff. Unknown errors are treated as transient. */
export class TransientError extends StepFailure {
  override readonly name = 'TransientError';
  readonly kind = 'transient';
  constructor(reason: string, message: string, options: ReconcileErrorOptions = {}) {
    super(reason, message, options);
  }
}

/** What a step throws. */
export type ReconcileError = StalledError | WaitingError | TransientError;

export function isReconcileError(err: unknown): err is ReconcileError {
  return err instanceof StepFailure;
}

export type ReconcileResult = 'success' | ReconcileError['kind'];

export interface OutcomeInput {
  readonly error: unknown;
  /** Ready's message on success. */
  readonly readyMessage: string;
  /** Conditions the failures may set; all are removed on success. */
  readonly failureConditions: readonly string[];
  /** The periodic requeue delay (with jitter) after a success or a stall. */
  readonly intervalMs: number;
}

export interface Outcome {
  readonly result: ReconcileResult;
  readonly conditions: Condition[];
  readonly requeue: Requeue;
  /** The failure in words, for a Warning event; undefined on success. */
  readonly failure: { readonly reason: string; readonly message: string } | undefined;
}

/** Conditions and requeue for the end of a reconcile: the only place that decides them. */
export function decideOutcome(
  conditions: readonly Condition[] | undefined,
  input: OutcomeInput,
  ctx: ConditionContext,
): Outcome {
  const e = input.error;
  let list = [...(conditions ?? [])];
  const set = (type: string, status: Condition['status'], reason: string, message: string) => {
    list = setCondition(list, { type, status, reason, message }, ctx);
  };
  if (e === undefined) {
    for (const type of input.failureConditions) list = list.filter((c) => c.type !== type);
    set(READY, 'True', Reason.Succeeded, input.readyMessage);
    set(RECONCILING, 'False', Reason.Succeeded, '');
    set(STALLED, 'False', Reason.Succeeded, '');
    return {
      result: 'success',
      conditions: list,
      requeue: { kind: 'after', delayMs: input.intervalMs },
      failure: undefined,
    };
  }
  const typed = isReconcileError(e) ? e : undefined;
  const reason = typed?.reason ?? 'InternalError';
  const message = e instanceof Error ? e.message : String(e);
  for (const type of input.failureConditions) if (type !== typed?.condition) list = list.filter((c) => c.type !== type);
  if (typed?.condition) set(typed.condition, 'True', reason, message);
  set(READY, 'False', reason, message);
  if (e instanceof StalledError) {
    set(RECONCILING, 'False', reason, '');
    set(STALLED, 'True', reason, message);
    return {
      result: 'stalled',
      conditions: list,
      requeue: { kind: 'after', delayMs: input.intervalMs },
      failure: { reason, message },
    };
  }
  set(STALLED, 'False', reason, '');
  if (e instanceof WaitingError) {
    set(RECONCILING, 'True', reason, message);
    return {
      result: 'waiting',
      conditions: list,
      requeue: { kind: 'after', delayMs: e.delayMs },
      failure: { reason, message },
    };
  }
  set(RECONCILING, 'True', Reason.ProgressingWithRetry, message);
  return { result: 'transient', conditions: list, requeue: { kind: 'backoff' }, failure: { reason, message } };
}
