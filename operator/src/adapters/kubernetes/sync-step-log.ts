// What the sync executor's debug lines say about an operation: the phase and wave a step is
// at, and what a waiting step waits for. Object names only, never an object's content.
import { formatKey } from '../../core/manifest.ts';
import { idOf, refOf, type Operation } from '../../core/sync/operation.ts';

export interface StepPosition {
  readonly phase: string | undefined;
  readonly wave: number | undefined;
}

/** The phase and wave of the task `taskId`; without one, of the first running task (the group the step is at). */
export function positionOf(op: Operation, taskId?: string): StepPosition {
  const tasks = op.tasks ?? [];
  const task = taskId ? tasks.find((t) => idOf(t) === taskId) : tasks.find((t) => t.status === 'Running');
  return { phase: task?.phase, wave: task?.wave };
}

export interface Waits {
  /** Resources whose health the operation waits for, by formatKey. */
  readonly health: string[];
  /** Hook objects it waits to complete, by formatKey of the object (its per-operation name). */
  readonly hooks: string[];
  /** Objects being pruned, by formatKey. */
  readonly pruning: string[];
}

/** What the running tasks of an operation wait for. */
export function waitsOf(op: Operation): Waits {
  const running = (op.tasks ?? []).filter((t) => t.status === 'Running');
  return {
    health: running.filter((t) => !t.hookName && t.phase !== 'Prune').map((t) => t.key),
    hooks: running.filter((t) => t.hookName).map((t) => formatKey(refOf(t).key)),
    pruning: running.filter((t) => t.phase === 'Prune').map((t) => t.key),
  };
}
