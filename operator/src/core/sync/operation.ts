// The persisted state of a sync operation (Environment.status.operation) and the actions
// the step function asks for. Starting an operation turns a plan into Pending tasks.
import type { Operation, OperationTask } from '../../api/v1alpha1/environment.ts';
import type { KubeObject, ObjectKey } from '../manifest.ts';
import { formatKey, parseKey } from '../manifest.ts';
import { hookObjectName, type Retention } from './ownership.ts';
import type { SyncPlan } from './plan-sync.ts';
import { taskId } from './sync-task.ts';

export type { Operation, OperationTask };

export interface StartOperationOptions {
  /** Unique per operation (the caller makes it: a clock and a counter, or random). */
  readonly id: string;
  readonly revision: string;
  readonly plan: SyncPlan;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly initiatedBy?: Operation['initiatedBy'];
}

export function startOperation(options: StartOperationOptions): Operation {
  return {
    id: options.id,
    phase: 'Running',
    revision: options.revision,
    initiatedBy: options.initiatedBy,
    startedAt: new Date(options.now).toISOString(),
    tasks: options.plan.tasks.map((t) => ({
      key: formatKey(t.key),
      apiVersion: t.apiVersion,
      phase: t.phase,
      wave: t.wave,
      status: 'Pending',
      hookName: t.hook ? hookObjectName(t.key.name, options.id, t.phase) : undefined,
    })),
  };
}

/** An object an action reads or deletes, addressed by apiVersion and key. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly key: ObjectKey;
}

export type SyncAction =
  /** Server-side dry-run of every object; nothing is applied unless all pass. */
  | {
      readonly type: 'validate';
      readonly objects: readonly KubeObject[];
      readonly tolerateMissing: { readonly namespaces: readonly string[]; readonly kinds: readonly string[] };
    }
  /** Server-side apply of the objects of one wave, field manager keelson. */
  | { readonly type: 'apply'; readonly tasks: readonly { readonly taskId: string; readonly object: KubeObject }[] }
  /** Create a hook object; first delete hook objects of earlier operations when `deleteBefore`. */
  | {
      readonly type: 'createHook';
      readonly taskId: string;
      readonly object: KubeObject;
      readonly deleteBefore: boolean;
    }
  | { readonly type: 'deleteHook'; readonly taskId: string; readonly ref: ObjectRef }
  | { readonly type: 'prune'; readonly taskId: string; readonly ref: ObjectRef }
  /** Nothing to do until the cluster changes; look again after `afterMs` at the latest. */
  | { readonly type: 'wait'; readonly reason: string; readonly afterMs: number };

/** The outcome of one action, as the executor reports it back. */
export interface ActionResult {
  readonly type: SyncAction['type'];
  /** For task actions; absent for validate. */
  readonly taskId?: string;
  /** Absent when the action succeeded. Never carries secret values. */
  readonly error?: string;
  /** A prune or hook deletion that left its object in place, and why. */
  readonly retained?: Retention;
}

const TASK_MESSAGE_LIMIT = 4096;
const OPERATION_MESSAGE_LIMIT = 32768;

function clip(text: string | undefined, limit: number): string | undefined {
  return text === undefined || text.length <= limit
    ? text
    : `${text.slice(0, limit - 40)}… (${text.length - limit + 40} more characters)`;
}

/** The operation with every message within the lengths the Environment schema allows. */
export function clampMessages(op: Operation): Operation {
  const tasks = op.tasks?.map((t) =>
    t.message && t.message.length > TASK_MESSAGE_LIMIT ? { ...t, message: clip(t.message, TASK_MESSAGE_LIMIT) } : t,
  );
  const message = clip(op.message, OPERATION_MESSAGE_LIMIT);
  const failure = clip(op.failure, OPERATION_MESSAGE_LIMIT);
  return { ...op, message, failure, tasks };
}

const LEFT_IN_PLACE = 'left in place: ';

/** Why a prune (or a deletion) left the task's object in place, as retentionOf said it; undefined if it did not. */
export function retainedMessage(task: OperationTask): string | undefined {
  if (!task.retained) return undefined;
  const message = task.message ?? task.retained;
  return message.startsWith(LEFT_IN_PLACE) ? message.slice(LEFT_IN_PLACE.length) : message;
}

export function isFinished(op: Operation): boolean {
  return op.phase === 'Succeeded' || op.phase === 'Failed';
}

export function idOf(task: OperationTask): string {
  return taskId(task);
}

/** Where a task's object lives: the hook object's own name for hooks. */
export function refOf(task: OperationTask): ObjectRef {
  const key = parseKey(task.key);
  return { apiVersion: task.apiVersion ?? '', key: task.hookName ? { ...key, name: task.hookName } : key };
}

/** The objects the step function needs to see: those of tasks it applied and waits for. */
export function observationTargets(op: Operation): ObjectRef[] {
  if (isFinished(op)) return [];
  return (op.tasks ?? []).filter((t) => t.status === 'Running' && t.applied && t.phase !== 'Prune').map(refOf);
}

/** Records what the executor did: a failed action fails its task; a done prune succeeds. */
export function recordResults(op: Operation, results: readonly ActionResult[]): Operation {
  let next: Operation = { ...op, tasks: (op.tasks ?? []).map((t) => ({ ...t })) };
  const tasks = new Map(next.tasks!.map((t) => [idOf(t), t]));
  for (const r of results) {
    if (r.type === 'validate') {
      next = r.error
        ? { ...next, validated: false, failure: next.failure ?? `dry-run failed, nothing was applied: ${r.error}` }
        : { ...next, validated: true };
      continue;
    }
    const task = r.taskId ? tasks.get(r.taskId) : undefined;
    if (!task || r.type === 'wait') continue;
    if (r.type === 'deleteHook') {
      const why = r.error ?? r.retained?.message;
      if (why) task.message = `${task.message ? `${task.message}; ` : ''}hook not deleted: ${why}`;
      continue;
    }
    if (r.retained) {
      task.status = 'Skipped';
      task.retained = r.retained.reason;
      task.message = `${LEFT_IN_PLACE}${r.retained.message}`;
      continue;
    }
    if (r.error) {
      task.status = 'Failed';
      task.message = r.error;
    } else {
      task.applied = true;
      if (r.type === 'prune') {
        task.status = 'Succeeded';
        task.message = 'pruned';
      }
    }
  }
  return clampMessages(next);
}

export interface ExpireOptions {
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly timeoutMs: number;
  /** What could not be done, and why: `comparing with the cluster failed: …`. */
  readonly cause: string;
}

/** The messages of tasks a failed operation did not run, or stopped waiting for. */
export const NOT_RUN = 'not run: the operation failed';
export const NOT_WAITED_FOR = 'not waited for: the operation failed';

/**
 * An operation past its time limit that could not take its next step (the step threw: the
 * API server refused a read, the source is gone): Failed, naming the step and why, with what
 * had not run Skipped. The step function times out operations that can still step (and
 * runs their SyncFail hooks); this ends the ones that cannot. Undefined while there is time left.
 */
export function expireOperation(op: Operation, options: ExpireOptions): Operation | undefined {
  if (isFinished(op) || options.now - Date.parse(op.startedAt) <= options.timeoutMs) return undefined;
  const failure = `the operation did not finish within ${Math.round(options.timeoutMs / 1000)} s: ${options.cause}`;
  return clampMessages({
    ...op,
    phase: 'Failed',
    finishedAt: new Date(options.now).toISOString(),
    failure,
    message: failure,
    tasks: (op.tasks ?? []).map((t) =>
      t.status === 'Pending' || t.status === 'Running'
        ? { ...t, status: 'Skipped', message: t.status === 'Pending' ? NOT_RUN : NOT_WAITED_FOR }
        : t,
    ),
  });
}
