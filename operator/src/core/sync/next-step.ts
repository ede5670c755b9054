// The sync step function: nextStep(operation, observed) → { operation, actions }. It walks
// the tasks group by group (phase, wave): a group's tasks start together, and the next
// group starts only when every task of this one succeeded — resources healthy, hooks done.
// Any failure stops the operation, runs the SyncFail hooks and marks it Failed. The state
// is persisted by the caller after every step, so a restarted operator resumes here.
import type { KubeObject } from '../manifest.ts';
import { describeKey, parseKey } from '../manifest.ts';
import { assessHealth, type HealthAssessor } from '../health/index.ts';
import type { DeletePolicy } from './annotations.ts';
import { parseSyncAnnotations } from './annotations.ts';
import {
  clampMessages,
  idOf,
  isFinished,
  NOT_RUN,
  NOT_WAITED_FOR,
  refOf,
  type Operation,
  type OperationTask,
  type SyncAction,
} from './operation.ts';
import { hookObject, withOwnership, type OwnerReference } from './ownership.ts';
import { formatKey } from '../manifest.ts';

export interface StepOptions {
  /** Time limit of the whole operation, hooks included. */
  readonly operationTimeoutMs: number;
  /** Time limit of one hook, from its creation. */
  readonly hookTimeoutMs: number;
  /** How long to wait before looking again when nothing changes (a watch event may come sooner). */
  readonly pollMs: number;
}

export interface StepInput {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The desired objects of the operation's revision (after nameGeneratedHooks), by formatKey. */
  readonly desired: ReadonlyMap<string, KubeObject>;
  /** Live objects of observationTargets(operation), by formatKey of the live object. */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly owner: OwnerReference;
  readonly options: StepOptions;
  /** How applied objects are judged (the user's health rules included). @default assessHealth */
  readonly assessHealth?: HealthAssessor;
}

export interface StepResult {
  readonly operation: Operation;
  readonly actions: readonly SyncAction[];
}

interface GroupOutcome {
  readonly actions: SyncAction[];
  readonly waiting: string[];
  readonly failure?: string;
  readonly done: boolean;
}

function deletePoliciesOf(obj: KubeObject | undefined): readonly DeletePolicy[] {
  try {
    return obj ? parseSyncAnnotations(obj).deletePolicies : ['BeforeHookCreation'];
  } catch {
    return ['BeforeHookCreation'];
  }
}

function label(task: OperationTask): string {
  return `${task.phase} ${describeKey(parseKey(task.key))}${task.hookName ? ` (hook ${task.hookName})` : ''}`;
}

function elapsed(since: string | undefined, now: number): number {
  return since ? now - Date.parse(since) : 0;
}

function stepTask(
  task: OperationTask,
  op: Operation,
  input: StepInput,
  out: GroupOutcome & { apply: { taskId: string; object: KubeObject }[] },
): void {
  const { now } = input;
  const desired = input.desired.get(task.key);
  if (task.status === 'Pending') {
    task.status = 'Running';
    task.startedAt = new Date(now).toISOString();
  }
  if (task.phase === 'Prune') {
    out.actions.push({ type: 'prune', taskId: idOf(task), ref: refOf(task) });
    out.waiting.push(`pruning ${label(task)}`);
    return;
  }
  if (!desired) {
    task.status = 'Failed';
    task.message = `the object is not in the desired state of revision ${op.revision}`;
    return;
  }
  if (!task.applied) {
    if (task.hookName) {
      const object = hookObject(desired, { hookName: task.hookName, operationId: op.id, owner: input.owner });
      out.actions.push({
        type: 'createHook',
        taskId: idOf(task),
        object,
        deleteBefore: deletePoliciesOf(desired).includes('BeforeHookCreation'),
      });
    } else {
      out.apply.push({ taskId: idOf(task), object: withOwnership(desired, input.owner) });
    }
    out.waiting.push(`${task.hookName ? 'creating' : 'applying'} ${label(task)}`);
    return;
  }
  const ref = refOf(task);
  const observed = input.live.get(formatKey(ref.key));
  if (!task.hookName && observed?.metadata.deletionTimestamp) {
    // Applied to an object on its way out (a CRD someone deleted): the apply does not stop
    // the deletion, so wait until it is gone and apply it again.
    task.message = 'being deleted: applying it again once it is gone';
    out.waiting.push(`${label(task)} is being deleted; re-applying it once it is gone`);
    return;
  }
  const health = (input.assessHealth ?? assessHealth)(observed);
  const policies = task.hookName ? deletePoliciesOf(desired) : [];
  const finish = (status: 'Succeeded' | 'Failed', message: string | undefined, policy: DeletePolicy) => {
    task.status = status;
    if (message) task.message = message;
    if (policies.includes(policy)) out.actions.push({ type: 'deleteHook', taskId: idOf(task), ref });
  };
  if (health.status === 'Healthy' || (!task.hookName && health.status === 'Suspended')) {
    finish('Succeeded', task.hookName ? 'hook succeeded' : health.status, 'HookSucceeded');
  } else if (health.status === 'Degraded') {
    finish('Failed', health.message ?? 'Degraded', 'HookFailed');
  } else if (task.hookName && elapsed(task.startedAt, now) > input.options.hookTimeoutMs) {
    finish(
      'Failed',
      `the hook did not finish within ${Math.round(input.options.hookTimeoutMs / 1000)} s`,
      'HookFailed',
    );
  } else if (health.status === 'Missing') {
    task.applied = false; // applied or created, then gone before it was done: again
    out.waiting.push(`${label(task)} is gone: ${task.hookName ? 're-creating' : 're-applying'} it`);
  } else {
    task.message = `${health.status}${health.message ? `: ${health.message}` : ''}`;
    out.waiting.push(`${label(task)} is ${task.message}`);
  }
}

function stepGroup(tasks: OperationTask[], op: Operation, input: StepInput): GroupOutcome {
  const out = {
    actions: [] as SyncAction[],
    waiting: [] as string[],
    apply: [] as { taskId: string; object: KubeObject }[],
    done: false,
  };
  const failures: string[] = [];
  for (const task of tasks) {
    if (task.status === 'Running' || task.status === 'Pending') stepTask(task, op, input, out);
    if (task.status === 'Failed') failures.push(`${label(task)}: ${task.message ?? 'failed'}`);
  }
  if (out.apply.length > 0) out.actions.unshift({ type: 'apply', tasks: out.apply });
  const done = tasks.every((t) => t.status === 'Succeeded' || t.status === 'Skipped' || t.status === 'Failed');
  return {
    actions: out.actions,
    waiting: out.waiting,
    done,
    failure: failures.join('; ') || undefined,
  };
}

/** Namespaces and CRDs: applied, and healthy, before the other objects of their wave. */
function isContainerTask(t: OperationTask): boolean {
  return (
    !t.hookName &&
    (t.key.startsWith('/Namespace/') || t.key.startsWith('apiextensions.k8s.io/CustomResourceDefinition/'))
  );
}

/**
 * Consecutive tasks of one phase and wave, in plan order, split in up to three groups that
 * run one after the other: Namespaces and CRDs, then the other resources, then the hooks.
 */
function groupsOf(tasks: OperationTask[]): OperationTask[][] {
  const runs: OperationTask[][] = [];
  for (const t of tasks) {
    const last = runs.at(-1);
    if (last && last[0]!.phase === t.phase && last[0]!.wave === t.wave) last.push(t);
    else runs.push([t]);
  }
  return runs.flatMap((run) =>
    [
      run.filter(isContainerTask),
      run.filter((t) => !t.hookName && !isContainerTask(t)),
      run.filter((t) => t.hookName),
    ].filter((group) => group.length > 0),
  );
}

function validateAction(op: Operation, tasks: OperationTask[], input: StepInput): SyncAction {
  const objects: KubeObject[] = [];
  const namespaces: string[] = [];
  const kinds: string[] = [];
  for (const t of tasks) {
    const desired = input.desired.get(t.key);
    if (!desired || t.phase === 'Prune') continue;
    objects.push(
      t.hookName
        ? hookObject(desired, { hookName: t.hookName, operationId: op.id, owner: input.owner })
        : withOwnership(desired, input.owner),
    );
    if (desired.kind === 'Namespace') namespaces.push(desired.metadata.name);
    const spec = desired.spec as { group?: string; names?: { kind?: string } } | undefined;
    if (desired.kind === 'CustomResourceDefinition' && spec?.group && spec.names?.kind)
      kinds.push(`${spec.group}/${spec.names.kind}`);
  }
  return { type: 'validate', objects, tolerateMissing: { namespaces, kinds } };
}

function finishFailed(op: Operation, input: StepInput, message: string): Operation {
  return { ...op, phase: 'Failed', finishedAt: new Date(input.now).toISOString(), message };
}

/** Failing: skip what has not run, run the SyncFail hooks, then mark the operation Failed. */
function stepFailing(op: Operation, tasks: OperationTask[], input: StepInput): StepResult {
  for (const t of tasks) {
    if (t.phase !== 'SyncFail' && (t.status === 'Pending' || t.status === 'Running')) {
      t.message = t.status === 'Pending' ? NOT_RUN : NOT_WAITED_FOR;
      t.status = 'Skipped';
    }
  }
  const syncFail = tasks.filter((t) => t.phase === 'SyncFail');
  const failure = op.failure ?? 'the operation failed';
  if (syncFail.length === 0) return { operation: finishFailed(op, input, failure), actions: [] };
  const outcome = stepGroup(syncFail, op, input);
  if (!outcome.done) {
    return {
      operation: { ...op, message: `running SyncFail hooks after: ${failure}` },
      actions: [
        ...outcome.actions,
        { type: 'wait', reason: outcome.waiting.join('; '), afterMs: input.options.pollMs },
      ],
    };
  }
  const message = outcome.failure ? `${failure}; SyncFail hooks failed too: ${outcome.failure}` : failure;
  return { operation: finishFailed(op, input, message), actions: outcome.actions };
}

/** One step of a sync operation. Pure: the same operation and observations give the same result. */
export function nextStep(operation: Operation, input: StepInput): StepResult {
  const result = step(operation, input);
  return result.operation === operation ? result : { ...result, operation: clampMessages(result.operation) };
}

function step(operation: Operation, input: StepInput): StepResult {
  if (isFinished(operation)) return { operation, actions: [] };
  const tasks = (operation.tasks ?? []).map((t) => ({ ...t }));
  let op: Operation = { ...operation, tasks };
  if (!op.failure && elapsed(op.startedAt, input.now) > input.options.operationTimeoutMs) {
    op = {
      ...op,
      failure: `the operation did not finish within ${Math.round(input.options.operationTimeoutMs / 1000)} s`,
    };
  }
  if (op.failure) return stepFailing(op, tasks, input);
  if (!op.validated)
    return {
      operation: { ...op, message: 'validating every object with a server-side dry-run' },
      actions: [validateAction(op, tasks, input)],
    };
  const finished: SyncAction[] = []; // hook deletions of groups that completed in this step
  for (const group of groupsOf(tasks.filter((t) => t.phase !== 'SyncFail'))) {
    const outcome = stepGroup(group, op, input);
    if (outcome.failure) {
      const failed = stepFailing({ ...op, failure: outcome.failure }, tasks, input);
      const cleanup = outcome.actions.filter((a) => a.type === 'deleteHook');
      return { operation: failed.operation, actions: [...finished, ...cleanup, ...failed.actions] };
    }
    if (!outcome.done) {
      const head = group[0]!;
      const reason = `${head.phase} wave ${head.wave}: ${outcome.waiting.join('; ')}`;
      return {
        operation: { ...op, message: reason },
        actions: [...finished, ...outcome.actions, { type: 'wait', reason, afterMs: input.options.pollMs }],
      };
    }
    finished.push(...outcome.actions);
  }
  // Every resource applied, in whichever phase it ran (a Namespace raised to PreSync too).
  const synced = tasks.filter((t) => t.phase !== 'Prune' && t.phase !== 'SyncFail' && !t.hookName).length;
  const pruned = tasks.filter((t) => t.phase === 'Prune' && t.status === 'Succeeded').length;
  const left = tasks.filter((t) => t.phase === 'Prune' && t.retained).length;
  const pruning = `${pruned ? `, pruned ${pruned}` : ''}${left ? `, left ${left} in place` : ''}`;
  return {
    operation: {
      ...op,
      phase: 'Succeeded',
      finishedAt: new Date(input.now).toISOString(),
      message: `synced ${synced} resources${pruning} at ${op.revision}`,
    },
    actions: finished,
  };
}
