// What a sync operation is doing, for the Environment page: its tasks grouped by phase and
// wave, and one plain sentence of what it waits for, from the running tasks' messages.
import type { Operation, OperationTask } from './types.ts';

export interface WaveGroup {
  readonly wave: number;
  readonly tasks: readonly OperationTask[];
}

export interface PhaseGroup {
  readonly phase: string;
  readonly waves: readonly WaveGroup[];
}

/** Tasks by phase (in plan order) and, within a phase, by wave. */
export function groupTasks(tasks: readonly OperationTask[]): PhaseGroup[] {
  const phases: { phase: string; waves: Map<number, OperationTask[]> }[] = [];
  for (const task of tasks) {
    let group = phases.find((p) => p.phase === task.phase);
    if (!group) phases.push((group = { phase: task.phase, waves: new Map() }));
    const wave = group.waves.get(task.wave);
    if (wave) wave.push(task);
    else group.waves.set(task.wave, [task]);
  }
  return phases.map(({ phase, waves }) => ({
    phase,
    waves: [...waves].sort(([a], [b]) => a - b).map(([wave, list]) => ({ wave, tasks: list })),
  }));
}

/** The object a task acts on: "Deployment api", from its kind or its key group/kind/namespace/name. */
export function taskTarget(task: OperationTask): string {
  const parts = task.key.split('/');
  const kind = task.kind ?? (parts.length >= 4 ? parts[1] : undefined);
  const name = task.hookName ?? (parts.length >= 4 ? parts.slice(3).join('/') : task.key);
  return kind ? `${kind} ${name}` : name;
}

function where(task: OperationTask): string {
  return task.phase === 'Sync' ? `wave ${task.wave}` : `${task.phase} wave ${task.wave}`;
}

const MAX_NAMED = 3;

/**
 * "wave 2 waits for Deployment api: Progressing — 2 of 3 replicas ready" while the operation
 * runs; undefined once it finished (the page shows the result instead).
 */
export function waitingFor(operation: Operation | undefined): string | undefined {
  if (!operation || (operation.phase !== 'Running' && operation.phase !== 'Terminating')) return undefined;
  if (operation.phase === 'Terminating') return 'terminating: waiting for the running tasks to stop';
  const tasks = operation.tasks ?? [];
  const running = tasks.filter((t) => t.status === 'Running');
  if (running.length === 0) {
    const next = tasks.find((t) => t.status === 'Pending');
    if (tasks.length === 0 || operation.validated === false) return 'waits for the server-side dry run of every object';
    if (next) return `${where(next)} is about to start (${taskTarget(next)})`;
    return 'waits for the operator to finish the operation';
  }
  const first = running[0]!;
  const sameStep = running.filter((t) => t.phase === first.phase && t.wave === first.wave);
  const named = sameStep
    .slice(0, MAX_NAMED)
    .map((t) => `${taskTarget(t)}: ${t.message?.trim() || 'running'}`)
    .join('; ');
  const more = sameStep.length > MAX_NAMED ? ` and ${sameStep.length - MAX_NAMED} more` : '';
  return `${where(first)} waits for ${named}${more}`;
}

/** Counts of task statuses, for a one-line summary: "3 of 5 done, 1 running". */
export function progress(tasks: readonly OperationTask[]): string {
  const done = tasks.filter((t) => t.status === 'Succeeded' || t.status === 'Skipped').length;
  const running = tasks.filter((t) => t.status === 'Running').length;
  const failed = tasks.filter((t) => t.status === 'Failed').length;
  const parts = [`${done} of ${tasks.length} done`];
  if (running) parts.push(`${running} running`);
  if (failed) parts.push(`${failed} failed`);
  return parts.join(', ');
}
