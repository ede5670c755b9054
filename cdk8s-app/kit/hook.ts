// Hooks: objects (usually Jobs) that run at a phase of a sync instead of being applied with
// the rest — a database migration before, a smoke test after, a notification on failure.
import type { IConstruct } from 'constructs';
import { apiObjectsOf } from './api-objects.ts';
import { ANNOTATION_HOOK, ANNOTATION_HOOK_DELETE_POLICY } from './keys.ts';
import { SyncWave } from './sync-wave.ts';

/** When a hook runs: before the apply, with it, after everything is healthy, or when the sync fails. */
export type HookPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
/** When a hook object is deleted: before the next one is created, when it succeeded, or when it failed. */
export type HookDeletePolicy = 'BeforeHookCreation' | 'HookSucceeded' | 'HookFailed';

const PHASES: readonly HookPhase[] = ['PreSync', 'Sync', 'PostSync', 'SyncFail'];
const POLICIES: readonly HookDeletePolicy[] = ['BeforeHookCreation', 'HookSucceeded', 'HookFailed'];

export interface HookOptions {
  /** The phase or phases the hook runs in. */
  readonly phase: HookPhase | readonly HookPhase[];
  /**
   * When Keelson deletes the hook object.
   * @default 'BeforeHookCreation' — the previous run's object is deleted when the next is created
   */
  readonly deletePolicy?: HookDeletePolicy | readonly HookDeletePolicy[];
  /**
   * The hook's wave within its phase: lower waves run and finish first.
   * @default 0
   */
  readonly wave?: number;
}

export class Hook {
  /** Marks every Kubernetes object under `target` (a Job, or any object) as a hook. */
  static mark(target: IConstruct, options: HookOptions): void {
    const phases = toList(options.phase);
    const policies = toList(options.deletePolicy ?? 'BeforeHookCreation');
    checkAll('hook phase', phases, PHASES);
    checkAll('hook delete policy', policies, POLICIES);
    for (const obj of apiObjectsOf(target, 'Hook.mark')) {
      obj.metadata.addAnnotation(ANNOTATION_HOOK, phases.join(','));
      obj.metadata.addAnnotation(ANNOTATION_HOOK_DELETE_POLICY, policies.join(','));
    }
    if (options.wave !== undefined) SyncWave.set(target, options.wave);
  }
}

function toList<T extends string>(value: T | readonly T[]): readonly T[] {
  return typeof value === 'string' ? [value] : value;
}

function checkAll(what: string, values: readonly string[], allowed: readonly string[]): void {
  if (values.length === 0) throw new Error(`${what}: at least one is needed (${allowed.join(' | ')})`);
  for (const v of values) {
    if (!allowed.includes(v)) throw new Error(`unknown ${what} "${v}": expected ${allowed.join(' | ')}`);
  }
}
