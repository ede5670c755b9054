// The sync, pure: annotations → plan → operation → nextStep. The Kubernetes side that
// carries the actions out is adapters/kubernetes/sync-executor.ts.
export {
  DELETE_POLICIES,
  HOOK_PHASES,
  InvalidAnnotationError,
  isHook,
  parseSyncAnnotations,
  type DeletePolicy,
  type HookPhase,
  type SyncAnnotations,
} from './annotations.ts';
export {
  compareTasks,
  kindOrder,
  taskId,
  taskToString,
  TASK_PHASES,
  type SyncTask,
  type TaskPhase,
} from './sync-task.ts';
export { planSync, SyncPlanError, type PlanSyncOptions, type SyncPlan } from './plan-sync.ts';
export {
  inventoryEntry,
  nextInventory,
  parseInventoryEntry,
  planPrune,
  PruneRefusedError,
  type PruneSet,
  type PruneSetOptions,
} from './prune-set.ts';
export { hookObjectName, isOwnedBy, withOwnership, type OwnerReference } from './ownership.ts';
export {
  isFinished,
  observationTargets,
  recordResults,
  startOperation,
  type ActionResult,
  type Operation,
  type OperationTask,
  type SyncAction,
} from './operation.ts';
export { nextStep, type StepInput, type StepOptions, type StepResult } from './next-step.ts';
