// What a finished sync operation leaves behind: the next inventory, a history entry, and
// the events and metrics that report it. Pure.
import type { HistoryEntry, Operation } from '../../api/v1alpha1/environment.ts';
import { recordHistory } from '../../core/environment/history.ts';
import { formatKey, keyOf, parseKey, type KubeObject } from '../../core/manifest.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { nextInventory } from '../../core/sync/prune-set.ts';

export interface FinishedOperation {
  readonly inventory: string[];
  readonly history: HistoryEntry[];
  readonly hooks: readonly { readonly phase: string; readonly result: 'Succeeded' | 'Failed' }[];
}

export function finishOperation(options: {
  readonly operation: Operation;
  readonly desired: readonly KubeObject[];
  readonly inventory: readonly string[];
  readonly history: readonly HistoryEntry[];
  readonly historyLimit: number;
  readonly now: string;
}): FinishedOperation {
  const op = options.operation;
  const tasks = op.tasks ?? [];
  const pruned = new Set(tasks.filter((t) => t.phase === 'Prune' && t.status === 'Succeeded').map((t) => formatKey(parseKey(t.key))));
  const appliedKeys = new Set(tasks.filter((t) => !t.hookName && t.phase !== 'Prune' && (t.applied || t.status === 'Succeeded')).map((t) => formatKey(parseKey(t.key))));
  const applied = options.desired.filter((o) => !isHook(o) && (op.phase === 'Succeeded' || appliedKeys.has(formatKey(keyOf(o)))));
  const inventory = nextInventory(options.inventory, applied, pruned, new Set());
  // A self-heal re-applies what a recorded sync deployed: it is not a deployment of its own.
  const history = op.phase === 'Succeeded' && !op.selfHeal
    ? recordHistory(options.history, { revision: op.revision, deployedAt: options.now, ...(op.initiatedBy ? { initiatedBy: op.initiatedBy } : {}), operationId: op.id }, options.historyLimit)
    : [...options.history];
  const hooks = tasks
    .filter((t) => t.hookName && (t.status === 'Succeeded' || t.status === 'Failed'))
    .map((t) => ({ phase: t.phase, result: t.status as 'Succeeded' | 'Failed' }));
  return { inventory, history, hooks };
}
