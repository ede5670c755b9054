// Resource actions (issue 21): what a person may do to one object an Environment manages,
// besides syncing it. Which kinds each action applies to, the checks of its arguments, and
// the patch it writes. Pure and import-free: the web UI bundles this file for its menus.
//
//   restart          Deployment, StatefulSet, DaemonSet: the annotation `kubectl rollout restart` writes
//   scale <replicas> Deployment, StatefulSet, ReplicaSet: spec.replicas
//   suspend, resume  CronJob: spec.suspend
//   retry            a hook Job of the last operation that failed: a new sync of the same revision

export const ACTION_NAMES = ['restart', 'scale', 'suspend', 'resume', 'retry'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** Field manager of the changes actions write, so they are never mistaken for Keelson's own (`keelson`). */
export const ACTION_FIELD_MANAGER = 'keelson-action';

/** The annotation `kubectl rollout restart` writes on the pod template (the same key, so either tool sees the other's). */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** The largest replica count Kubernetes takes (int32). */
export const MAX_REPLICAS = 2_147_483_647;

interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

const APPS = (kind: string): GroupKind => ({ group: 'apps', kind });
const BATCH = (kind: string): GroupKind => ({ group: 'batch', kind });

/** The kinds each action applies to. */
export const ACTION_KINDS: Readonly<Record<ActionName, readonly GroupKind[]>> = {
  restart: [APPS('Deployment'), APPS('StatefulSet'), APPS('DaemonSet')],
  scale: [APPS('Deployment'), APPS('StatefulSet'), APPS('ReplicaSet')],
  suspend: [BATCH('CronJob')],
  resume: [BATCH('CronJob')],
  retry: [BATCH('Job')],
};

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && (ACTION_NAMES as readonly string[]).includes(value);
}

/** The actions that apply to objects of a group and kind, in menu order. */
export function actionsFor(group: string, kind: string): ActionName[] {
  return ACTION_NAMES.filter((a) => ACTION_KINDS[a].some((gk) => gk.group === group && gk.kind === kind));
}

/** True when `action` applies to the kind; `group` undefined matches any group. */
export function appliesTo(action: ActionName, kind: string, group?: string): boolean {
  return ACTION_KINDS[action].some((gk) => gk.kind === kind && (group === undefined || gk.group === group));
}

/** `Deployment, StatefulSet and DaemonSet`: for messages. */
export function kindsOf(action: ActionName): string {
  const kinds = ACTION_KINDS[action].map((gk) => gk.kind);
  return kinds.length === 1 ? kinds[0]! : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)!}`;
}

/** Why `replicas` is not a valid count for a scale; undefined when it is. */
export function replicasProblem(replicas: unknown): string | undefined {
  if (replicas === undefined || replicas === null) return 'scale needs a replica count (replicas)';
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS)
    return `replicas must be a whole number from 0 to ${MAX_REPLICAS}`;
  return undefined;
}

/**
 * The JSON merge patch an action writes on its object (retry writes none: it asks for a
 * sync). Every patch sets only the fields the action is about, so the fields Keelson
 * manages keep their manager.
 */
export function actionPatch(
  action: Exclude<ActionName, 'retry'>,
  options: { readonly now: Date; readonly replicas?: number },
): Record<string, unknown> {
  switch (action) {
    case 'restart':
      return {
        spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: rfc3339(options.now) } } } },
      };
    case 'scale': {
      const problem = replicasProblem(options.replicas);
      if (problem) throw new RangeError(problem);
      return { spec: { replicas: options.replicas } };
    }
    case 'suspend':
      return { spec: { suspend: true } };
    case 'resume':
      return { spec: { suspend: false } };
  }
}

/** RFC 3339 to the second, as kubectl writes restartedAt (`2024-05-01T12:00:00Z`). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
