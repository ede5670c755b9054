// An action request (from the REST API's body or the CLI's arguments) checked against the
// Environment: the action exists, applies to the kind, has its arguments, and the object is
// one the Environment manages (status.inventory), or for a retry a failed hook Job of its
// last operation. Errors carry a code the callers map to HTTP statuses and exit codes.
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import { describeKey, parseKey, type ObjectKey } from '../manifest.ts';
import { parseRevision } from '../source/git-ref.ts';
import { parseInventoryEntry } from '../sync/prune-set.ts';
import { ACTION_NAMES, appliesTo, isActionName, kindsOf, replicasProblem, type ActionName } from './catalog.ts';

export interface ActionRequest {
  readonly action: ActionName;
  readonly kind: string;
  readonly name: string;
  /** The object's namespace; absent: the only managed object of that kind and name. */
  readonly namespace?: string;
  /** The object's API group; absent: the group the action applies to. */
  readonly group?: string;
  /** For scale. */
  readonly replicas?: number;
}

/** InvalidRequest and NotApplicable: 400; NotManaged: 404; NotRetryable: 409. */
export type ActionErrorCode = 'InvalidRequest' | 'NotApplicable' | 'NotManaged' | 'NotRetryable';

export class ActionError extends Error {
  readonly code: ActionErrorCode;
  constructor(code: ActionErrorCode, message: string) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
  }
}

export const ACTION_ERROR_STATUS: Readonly<Record<ActionErrorCode, 400 | 404 | 409>> = {
  InvalidRequest: 400,
  NotApplicable: 400,
  NotManaged: 404,
  NotRetryable: 409,
};

const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** The request in a JSON body: {"action","kind","name","namespace"?,"group"?,"replicas"?}. */
export function parseActionRequest(body: Readonly<Record<string, unknown>>): ActionRequest {
  const { action, kind, name, namespace, group, replicas } = body;
  if (!isActionName(action))
    throw new ActionError('InvalidRequest', `action must be one of ${ACTION_NAMES.join(', ')}`);
  if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]{0,62}$/.test(kind))
    throw new ActionError('InvalidRequest', 'kind must be a Kubernetes kind (Deployment, CronJob, …)');
  if (typeof name !== 'string' || !NAME.test(name))
    throw new ActionError('InvalidRequest', 'name must be the name of a Kubernetes object');
  if (namespace !== undefined && (typeof namespace !== 'string' || !NAME.test(namespace)))
    throw new ActionError('InvalidRequest', 'namespace must be a namespace name');
  if (group !== undefined && (typeof group !== 'string' || !/^[a-z0-9.-]{0,253}$/.test(group)))
    throw new ActionError('InvalidRequest', 'group must be an API group ("" for the core group)');
  if (!appliesTo(action, kind, group))
    throw new ActionError(
      'NotApplicable',
      `${action} applies to ${kindsOf(action)}, not ${group ? `${group}/` : ''}${kind}`,
    );
  if (action === 'scale') {
    const problem = replicasProblem(replicas);
    if (problem) throw new ActionError('InvalidRequest', problem);
  } else if (replicas !== undefined) {
    throw new ActionError('InvalidRequest', 'replicas is only for scale');
  }
  return { action, kind, name, namespace, group, replicas: replicas as number | undefined };
}

/** `<kind>/<name>` of the CLI, with an optional `<group>` prefix: `apps/Deployment/web`. */
export function parseObjectRef(ref: string): { kind: string; name: string; group?: string } {
  const parts = ref.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] && parts[2]) return { group: parts[0], kind: parts[1], name: parts[2] };
  throw new ActionError('InvalidRequest', `"${ref}" is not <kind>/<name> (or <group>/<kind>/<name>)`);
}

/** The managed object an action targets: its apiVersion (to address it) and key. */
export interface ActionTarget {
  readonly apiVersion: string;
  readonly key: ObjectKey;
}

/** What a retry asks for: a sync of the failed operation's commit, pruning as it did. */
export interface RetryPlan {
  readonly target: ActionTarget;
  readonly commit: string;
  readonly prune: boolean;
  readonly operationId: string;
}

function matches(key: ObjectKey, request: ActionRequest): boolean {
  return (
    key.kind === request.kind &&
    key.name === request.name &&
    (request.namespace === undefined || key.namespace === request.namespace) &&
    appliesTo(request.action, key.kind, key.group) &&
    (request.group === undefined || key.group === request.group)
  );
}

function notManaged(request: ActionRequest, environment: string, what = 'manage'): ActionError {
  const key = {
    group: request.group ?? '',
    kind: request.kind,
    namespace: request.namespace ?? '',
    name: request.name,
  };
  const where = request.namespace ? describeKey(key) : `${request.kind} ${request.name}`;
  return new ActionError('NotManaged', `Environment ${environment} does not ${what} ${where}`);
}

function single<T extends ActionTarget>(found: readonly T[], request: ActionRequest, environment: string): T {
  if (found.length > 1)
    throw new ActionError(
      'InvalidRequest',
      `Environment ${environment} manages ${found.length} objects ${request.kind} ${request.name} (in ${found.map((t) => t.key.namespace || 'no namespace').join(', ')}): name the namespace`,
    );
  return found[0]!;
}

/** The object of status.inventory the request names; ActionError NotManaged when none. */
export function findTarget(
  status: EnvironmentStatus | undefined,
  request: ActionRequest,
  environment: string,
): ActionTarget {
  if (request.action === 'retry') return planRetry(status, request, environment).target;
  const found = (status?.inventory ?? []).map(parseInventoryEntry).filter((item) => matches(item.key, request));
  if (found.length === 0) throw notManaged(request, environment);
  return single(found, request, environment);
}

/**
 * A retry of a failed hook: the hook Job (by the name the deploy repo gave it, or the name
 * Keelson created it with) must be a failed hook task of status.operation, and that
 * operation must have failed. Argo CD re-runs a failed hook by syncing again, and so does
 * Keelson: the new operation creates its hooks anew (a new name per operation) and applies
 * the same revision, so the hook runs where its wave and phase put it.
 */
export function planRetry(
  status: EnvironmentStatus | undefined,
  request: ActionRequest,
  environment: string,
): RetryPlan {
  const op = status?.operation;
  const hooks = (op?.tasks ?? [])
    .filter((t) => t.hookName)
    .map((t) => ({ task: t, key: parseKey(t.key) }))
    .filter(({ task, key }) => matches(key, request) || matches({ ...key, name: task.hookName! }, request));
  if (!op || hooks.length === 0) throw notManaged(request, environment, 'have a hook');
  const failed = hooks.filter(({ task }) => task.status === 'Failed');
  if (op.phase !== 'Failed')
    throw new ActionError(
      'NotRetryable',
      `the last operation (${op.id}) of ${environment} is ${op.phase}, not failed: nothing to retry`,
    );
  if (failed.length === 0)
    throw new ActionError(
      'NotRetryable',
      `the hook ${request.kind} ${request.name} did not fail in operation ${op.id}`,
    );
  const commit = parseRevision(op.revision)?.commit;
  if (!commit)
    throw new ActionError(
      'NotRetryable',
      `operation ${op.id} synced "${op.revision}", which names no commit to sync again`,
    );
  const { task, key } = single(
    failed.map((f) => ({ ...f, apiVersion: f.task.apiVersion ?? 'batch/v1' })),
    request,
    environment,
  );
  return {
    target: { apiVersion: task.apiVersion ?? 'batch/v1', key: { ...key, name: task.hookName! } },
    commit,
    prune: (op.tasks ?? []).some((t) => t.phase === 'Prune'),
    operationId: op.id,
  };
}
