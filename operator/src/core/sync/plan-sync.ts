// The plan of a sync: one task per resource, per hook phase of a hook, and per object to
// prune, sorted by phase → wave → kind order → name. Namespaces and CRDs are raised ahead
// of what lives in them: to the earliest wave (and phase) of any object that needs them.
import type { KubeObject } from '../manifest.ts';
import { objectSyncOptions } from './sync-options.ts';
import { formatKey, keyOf } from '../manifest.ts';
import { InvalidAnnotationError, parseSyncAnnotations } from './annotations.ts';
import { nameGeneratedHooks } from './ownership.ts';
import { compareTasks, TASK_PHASES, type SyncTask, type TaskPhase } from './sync-task.ts';

export interface SyncPlan {
  readonly tasks: readonly SyncTask[];
  /** Objects the plan leaves out (Argo CD's hook `Skip`). */
  readonly skipped: readonly string[];
}

/** Every invalid annotation of the desired state at once, each naming its object. */
export class SyncPlanError extends Error {
  readonly errors: readonly InvalidAnnotationError[];
  constructor(errors: readonly InvalidAnnotationError[]) {
    super(`invalid sync annotations: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'SyncPlanError';
    this.errors = errors;
  }
}

export interface PlanSyncOptions {
  readonly desired: readonly KubeObject[];
  /** Live objects to prune (from planPrune); their wave comes from their own annotations. */
  readonly prune?: readonly KubeObject[];
}

function waveOf(obj: KubeObject): number {
  try {
    return parseSyncAnnotations(obj).wave;
  } catch {
    return 0;
  }
}

interface Raise {
  phase: TaskPhase;
  wave: number;
}

function earlier(a: Raise | undefined, b: Raise): Raise {
  if (!a) return b;
  const byPhase = TASK_PHASES.indexOf(b.phase) - TASK_PHASES.indexOf(a.phase);
  return byPhase < 0 || (byPhase === 0 && b.wave < a.wave) ? b : a;
}

/** Namespaces and CRDs move to the earliest phase and wave of any object in them. */
function raiseContainers(tasks: SyncTask[], desired: ReadonlyMap<string, KubeObject>): SyncTask[] {
  const byNamespace = new Map<string, Raise>();
  const byKind = new Map<string, Raise>();
  for (const t of tasks) {
    if (t.phase === 'SyncFail' || t.phase === 'Prune') continue;
    if (t.key.namespace) byNamespace.set(t.key.namespace, earlier(byNamespace.get(t.key.namespace), t));
    byKind.set(`${t.key.group}/${t.key.kind}`, earlier(byKind.get(`${t.key.group}/${t.key.kind}`), t));
  }
  return tasks.map((t) => {
    if (t.hook || t.phase !== 'Sync') return t;
    let need: Raise | undefined;
    if (t.key.group === '' && t.key.kind === 'Namespace') need = byNamespace.get(t.key.name);
    if (t.key.group === 'apiextensions.k8s.io' && t.key.kind === 'CustomResourceDefinition') {
      const spec = (desired.get(formatKey(t.key))?.spec ?? {}) as { group?: string; names?: { kind?: string } };
      need = byKind.get(`${spec.group ?? ''}/${spec.names?.kind ?? ''}`);
    }
    if (!need) return t;
    const raised = earlier(t, need);
    return raised === t ? t : { ...t, phase: raised.phase, wave: raised.wave };
  });
}

/** The sorted tasks of a sync; throws SyncPlanError naming every object with an invalid annotation. */
export function planSync(options: PlanSyncOptions): SyncPlan {
  const tasks: SyncTask[] = [];
  const skipped: string[] = [];
  const errors: InvalidAnnotationError[] = [];
  const byKey = new Map<string, KubeObject>();
  for (const obj of nameGeneratedHooks(options.desired)) {
    if (!obj.metadata?.name) {
      errors.push(
        new InvalidAnnotationError(
          obj,
          'metadata.name',
          String(obj.metadata?.generateName ?? ''),
          'a name (generateName is only allowed on hooks)',
        ),
      );
      continue;
    }
    const key = keyOf(obj);
    byKey.set(formatKey(key), obj);
    let parsed;
    try {
      parsed = parseSyncAnnotations(obj);
      objectSyncOptions(obj);
    } catch (err) {
      if (err instanceof InvalidAnnotationError) {
        errors.push(err);
        continue;
      }
      throw err;
    }
    if (parsed.skip) {
      skipped.push(formatKey(key));
      continue;
    }
    const base = { key, apiVersion: obj.apiVersion, wave: parsed.wave, deletePolicies: parsed.deletePolicies };
    if (parsed.hooks.length === 0) tasks.push({ ...base, phase: 'Sync', hook: false });
    for (const phase of parsed.hooks) {
      // PreDelete and PostDelete hooks run when the Environment is deleted, not in a sync.
      if (phase !== 'PreDelete' && phase !== 'PostDelete') tasks.push({ ...base, phase, hook: true });
    }
  }
  if (errors.length > 0) throw new SyncPlanError(errors);
  for (const live of options.prune ?? []) {
    tasks.push({
      key: keyOf(live),
      apiVersion: live.apiVersion,
      phase: 'Prune',
      wave: waveOf(live),
      hook: false,
      deletePolicies: [],
    });
  }
  return { tasks: raiseContainers(tasks, byKey).sort(compareTasks), skipped };
}
