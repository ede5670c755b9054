// One step of a sync: apply a resource, run a hook, or prune an object. Tasks sort by
// phase → wave → kind order → name; prune tasks come after the Sync phase in reverse wave
// and reverse kind order, so what was created first is deleted last.
import type { ObjectKey } from '../manifest.ts';
import { formatKey } from '../manifest.ts';
import type { DeletePolicy } from './annotations.ts';

export const TASK_PHASES = ['PreSync', 'Sync', 'Prune', 'PostSync', 'SyncFail'] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];

export interface SyncTask {
  readonly phase: TaskPhase;
  readonly wave: number;
  readonly key: ObjectKey;
  readonly apiVersion: string;
  /** True for hook objects, which are created under a per-operation name. */
  readonly hook: boolean;
  readonly deletePolicies: readonly DeletePolicy[];
}

/** Kinds in the order they are applied within one wave (others come after, by name). */
const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
] as const;
const KIND_RANK = new Map<string, number>(KIND_ORDER.map((k, i) => [k, i]));

export function kindOrder(kind: string): number {
  return KIND_RANK.get(kind) ?? KIND_ORDER.length;
}

/** The id of a task in an operation: `phase:group/kind/namespace/name`. */
export function taskId(task: { readonly phase: string; readonly key: ObjectKey | string }): string {
  return `${task.phase}:${typeof task.key === 'string' ? task.key : formatKey(task.key)}`;
}

/** `Sync/wave 1 apps/Deployment/shop/web (hook)`: readable in logs and failing tests. */
export function taskToString(task: SyncTask): string {
  return `${task.phase}/wave ${task.wave} ${formatKey(task.key)}${task.hook ? ' (hook)' : ''}`;
}

function compareKinds(a: ObjectKey, b: ObjectKey): number {
  const byRank = kindOrder(a.kind) - kindOrder(b.kind);
  return byRank !== 0 ? byRank : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

function compareStrings(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareNames(a: ObjectKey, b: ObjectKey): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.group, b.group);
}

/** Plan order: phase → wave → kind order → name; hooks after resources of the same wave. */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  const byPhase = TASK_PHASES.indexOf(a.phase) - TASK_PHASES.indexOf(b.phase);
  if (byPhase !== 0) return byPhase;
  const reverse = a.phase === 'Prune' ? -1 : 1;
  if (a.wave !== b.wave) return (a.wave - b.wave) * reverse;
  if (a.hook !== b.hook) return a.hook ? 1 : -1;
  const byKind = compareKinds(a.key, b.key) * reverse;
  return byKind !== 0 ? byKind : compareNames(a.key, b.key);
}
