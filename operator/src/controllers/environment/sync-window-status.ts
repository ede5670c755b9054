// The sync windows of the Environment a run reconciles: gathered (its own and the shared
// SyncWindow objects that select it), evaluated at `now`, and written to status.syncWindow.
// A window that cannot be evaluated stalls the Environment, naming the field, unless an
// operation is in progress: that one finishes first.
import { Reason, EventReason } from '../../api/v1alpha1/conditions.ts';
import { syncWindowSources } from '../../core/environment/sync-window-sources.ts';
import {
  evaluateSyncWindows,
  parseSyncWindows,
  SyncWindowError,
  type SyncWindowState,
} from '../../core/environment/sync-windows.ts';
import { StalledError } from '../reconcile-errors.ts';
import { SYNCED } from './environment-conditions.ts';
import { runEvent, type RunScope } from './run-scope.ts';

/** What the windows decide now; undefined (and status.syncWindow removed) when none applies. */
export function syncWindowOf(scope: RunScope, now: number, operationRunning: boolean): SyncWindowState | undefined {
  const { env, status } = scope;
  const sources = syncWindowSources(
    { namespace: env.metadata.namespace, labels: env.metadata.labels, windows: env.spec.sync?.windows },
    scope.deps.syncWindows?.list(env.metadata.namespace) ?? [],
  );
  if (sources.length === 0) {
    delete status.syncWindow;
    return undefined;
  }
  let state: SyncWindowState;
  try {
    state = evaluateSyncWindows(parseSyncWindows(sources), now);
  } catch (err) {
    if (!(err instanceof SyncWindowError) || operationRunning) throw err;
    throw new StalledError(Reason.InvalidSyncWindow, `invalid sync window: ${err.message}`, { condition: SYNCED });
  }
  status.syncWindow = {
    allowed: state.allowed,
    manualSyncAllowed: state.manualAllowed,
    reason: state.reason,
    activeWindows: [...state.activeWindows],
    nextChange: state.nextChange === undefined ? undefined : new Date(state.nextChange).toISOString(),
    refusedSyncAt: status.syncWindow?.refusedSyncAt,
  };
  return state;
}

/** A manual request a closed window refuses: handled, remembered in status, told in an event. */
export async function refuseSyncRequest(scope: RunScope, token: string | undefined, reason: string): Promise<void> {
  scope.status.lastHandledSyncAt = token;
  if (scope.status.syncWindow) scope.status.syncWindow.refusedSyncAt = token;
  await runEvent(scope, 'Warning', EventReason.SyncWindowClosed, `sync request refused: ${reason}`);
}
