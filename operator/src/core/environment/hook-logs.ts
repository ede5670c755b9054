// The logs of a hook Job's pod, for the web UI's operation view: which Job of the Environment's
// operation is asked for (only its hook Jobs: never any pod of the cluster), which of its pods
// to read (the newest failed one), which containers, and how much of each log. Pure: the
// adapter lists the pods and reads the logs, and passes them in.
import type { OperationTask } from '../../api/v1alpha1/environment-status.ts';
import { parseKey, type KubeObject } from '../manifest.ts';

/** Lines of each container's log answered when the caller names no number. */
export const DEFAULT_TAIL_LINES = 200;
/** The most lines of each container's log a caller may ask for. */
export const MAX_TAIL_LINES = 1000;
/** Bytes of each container's log read at most (the API server's `limitBytes`). */
export const LIMIT_BYTES = 256 * 1024;
/** Containers of the pod read at most (init containers first). */
export const MAX_CONTAINERS = 10;

/** The label the Job controller puts on the pods of a Job. */
export const JOB_NAME_LABEL = 'job-name';

export type HookLogsErrorReason = 'NotAHook' | 'BadTailLines';

/** Why no log is answered: the adapter answers 404 (NotAHook) or 400 (BadTailLines). */
export class HookLogsError extends Error {
  readonly reason: HookLogsErrorReason;
  constructor(reason: HookLogsErrorReason, message: string) {
    super(message);
    this.name = 'HookLogsError';
    this.reason = reason;
  }
}

/** A hook Job of the operation: where it runs and how its task stands. */
export interface HookJob {
  readonly namespace: string;
  /** The Job's name in the cluster (the task's hookName: `<hook>-<8 hex>`). */
  readonly name: string;
  /** The hook's name in the deploy repository. */
  readonly hook: string;
  readonly phase: string;
  readonly status: OperationTask['status'];
}

/** What GET …/hooklogs answers. */
export interface HookLogs {
  readonly job: string;
  readonly namespace: string;
  readonly pod: string;
  /** The pod's phase (Failed, Succeeded, Running, …). */
  readonly podPhase: string;
  readonly tailLines: number;
  readonly containers: readonly ContainerLog[];
}

export interface ContainerLog {
  readonly container: string;
  /** The last lines of its log, oldest first; empty when the log could not be read. */
  readonly lines: readonly string[];
  /** More lines were there than `tailLines`, or the log reached LIMIT_BYTES. */
  readonly truncated: boolean;
  /** Why the log could not be read, in the API server's words. */
  readonly error?: string;
}

interface OperationLike {
  readonly id: string;
  readonly tasks?: readonly OperationTask[];
}

/** The hook Job named `job` of the operation; a HookLogsError (NotAHook) when the operation has none of that name. */
export function findHookJob(operation: OperationLike | undefined, job: string, environment: string): HookJob {
  const hooks = (operation?.tasks ?? [])
    .filter((t) => t.hookName)
    .map((t) => ({ task: t, key: parseKey(t.key) }))
    .filter(({ key }) => key.group === 'batch' && key.kind === 'Job');
  const found = hooks.find(({ task }) => task.hookName === job);
  if (!operation || !found) {
    const named = hooks.map(({ task }) => task.hookName).join(', ');
    const which = operation ? `its operation ${operation.id}` : 'it has run no operation, so it';
    throw new HookLogsError(
      'NotAHook',
      `Job ${job} is not a hook of ${environment}: ${which} has ${named ? `the hook Jobs ${named}` : 'no hook Job'}`,
    );
  }
  const { task, key } = found;
  return { namespace: key.namespace, name: job, hook: key.name, phase: task.phase, status: task.status };
}

/** The number of lines a caller asked for (`?tailLines=`), DEFAULT_TAIL_LINES when none, at most MAX_TAIL_LINES. */
export function tailLinesOf(value: string | null | undefined): number {
  if (value === null || value === undefined || value === '') return DEFAULT_TAIL_LINES;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new HookLogsError('BadTailLines', `tailLines must be a whole number from 1 to ${MAX_TAIL_LINES}`);
  return Math.min(Number(value), MAX_TAIL_LINES);
}

interface PodLike extends KubeObject {
  readonly spec?: {
    readonly containers?: readonly { name: string }[];
    readonly initContainers?: readonly { name: string }[];
  };
  readonly status?: { readonly phase?: string; readonly startTime?: string };
}

/**
 * The pod of `job` whose logs say why it failed: of the pods the Job controls, the newest
 * failed one, else the newest (a hook still running, or one whose failed pod is gone).
 */
export function choosePod<P extends PodLike>(pods: readonly P[], job: string): P | undefined {
  const owned = pods.filter((p) => isControlledBy(p, job));
  const newestFirst = [...owned].sort((a, b) => (startOf(a) < startOf(b) ? 1 : startOf(a) > startOf(b) ? -1 : 0));
  return newestFirst.find((p) => p.status?.phase === 'Failed') ?? newestFirst[0];
}

/** The containers whose logs are read: init containers first (one may be what failed), at most MAX_CONTAINERS. */
export function containersOf(pod: PodLike): string[] {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return names.slice(0, MAX_CONTAINERS);
}

/** The last `tailLines` lines of a log text, and whether anything was left out. */
export function tailOf(text: string, tailLines: number): { lines: string[]; truncated: boolean } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const bytes = new TextEncoder().encode(text).length;
  return { lines: lines.slice(-tailLines), truncated: lines.length > tailLines || bytes >= LIMIT_BYTES };
}

function isControlledBy(pod: PodLike, job: string): boolean {
  const refs = (pod.metadata as { ownerReferences?: readonly { kind?: string; name?: string; controller?: boolean }[] })
    .ownerReferences;
  return (refs ?? []).some((r) => r.controller === true && r.kind === 'Job' && r.name === job);
}

function startOf(pod: PodLike): string {
  return (pod.metadata.creationTimestamp as string | undefined) ?? pod.status?.startTime ?? '';
}
