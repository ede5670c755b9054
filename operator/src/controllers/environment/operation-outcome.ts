// What a finished sync operation leaves behind: the next inventory, a history entry, and
// the events and metrics that report it. Pure.
import type { HistoryEntry, Operation, RetainedObject } from '../../api/v1alpha1/environment.ts';
import { recordHistory } from '../../core/environment/history.ts';
import { formatKey, parseKey, versionOf, type KubeObject } from '../../core/manifest.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { nextInventory } from '../../core/sync/prune-set.ts';
import { retainedMessage } from '../../core/sync/operation.ts';

export interface FinishedOperation {
  readonly inventory: string[];
  readonly history: HistoryEntry[];
  readonly hooks: readonly { readonly phase: string; readonly result: 'Succeeded' | 'Failed' }[];
  /** What its prune left in place, and why; undefined when the operation did not prune. */
  readonly retained?: RetainedObject[];
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
  const pruned = new Set(
    tasks.filter((t) => t.phase === 'Prune' && t.status === 'Succeeded').map((t) => formatKey(parseKey(t.key))),
  );
  // A success deployed every desired object; a failure, what its tasks applied (known from
  // the tasks alone, so an operation that ended without its desired state still records them).
  const applied =
    op.phase === 'Succeeded'
      ? options.desired.filter((o) => !isHook(o))
      : tasks
          .filter((t) => !t.hookName && t.phase !== 'Prune' && t.apiVersion && (t.applied || t.status === 'Succeeded'))
          .map((t) => {
            const key = parseKey(t.key);
            return {
              apiVersion: t.apiVersion!,
              kind: key.kind,
              metadata: { name: key.name, namespace: key.namespace },
            };
          });
  const released = tasks.filter((t) => t.phase === 'Prune' && t.retained);
  const releasedKeys = new Set(released.map((t) => formatKey(parseKey(t.key))));
  const inventory = nextInventory(options.inventory, applied, pruned, releasedKeys);
  const retained = released.map((t): RetainedObject => {
    const key = parseKey(t.key);
    return {
      group: key.group,
      version: versionOf(t.apiVersion ?? ''),
      kind: key.kind,
      namespace: key.namespace || undefined,
      name: key.name,
      reason: t.retained!,
      message: retainedMessage(t)!,
    };
  });
  // A self-heal re-applies what a recorded sync deployed: it is not a deployment of its own.
  const history =
    op.phase === 'Succeeded' && !op.selfHeal
      ? recordHistory(
          options.history,
          {
            revision: op.revision,
            deployedAt: options.now,
            initiatedBy: op.initiatedBy,
            operationId: op.id,
          },
          options.historyLimit,
        )
      : [...options.history];
  const hooks = tasks
    .filter((t) => t.hookName && (t.status === 'Succeeded' || t.status === 'Failed'))
    .map((t) => ({ phase: t.phase, result: t.status as 'Succeeded' | 'Failed' }));
  const pruning = tasks.some((t) => t.phase === 'Prune');
  return { inventory, history, hooks, retained: pruning ? retained.slice(0, 100) : undefined };
}
