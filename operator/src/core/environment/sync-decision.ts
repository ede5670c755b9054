// Whether an Environment should sync now: the rules of automated and manual sync, retries
// with backoff, self-heal, suspension, the pause after a rollback and sync windows, in one pure
// function.
import type { SyncStatus } from '../../api/v1alpha1/environment.ts';
import type { ResolvedRetry } from './retry.ts';
import { retryDelayMs } from './retry.ts';
import type { SyncRequest } from './sync-request.ts';
import type { SyncWindowState } from './sync-windows.ts';

export interface LastOperation {
  readonly revision: string;
  readonly phase: 'Running' | 'Succeeded' | 'Failed' | 'Terminating';
  /** Milliseconds since the epoch. */
  readonly finishedAt?: number;
  readonly retryCount: number;
  /** The Environment generation the operation synced. */
  readonly generation?: number;
  /** Hash of the desired objects it applied. */
  readonly desiredHash?: string;
}

export interface SyncDecisionInput {
  readonly now: number;
  readonly suspended: boolean;
  readonly automated: boolean;
  readonly selfHeal: boolean;
  /** Auto-sync is paused after a rollback until a person resumes it. */
  readonly autoSyncPaused: boolean;
  /** The source's latest revision, when one has been fetched. */
  readonly latestRevision: string | undefined;
  /** Live state compared with the latest revision. */
  readonly syncStatus: SyncStatus;
  readonly generation: number;
  /** Hash of the desired objects of the latest revision. */
  readonly desiredHash?: string;
  readonly lastOperation?: LastOperation;
  /** A manual sync request not handled yet. */
  readonly request?: SyncRequest;
  readonly retry: ResolvedRetry;
  /** What the sync windows decide now; absent when none applies. */
  readonly window?: SyncWindowState;
}

export type SyncDecision =
  | { readonly kind: 'continue'; readonly reason: string }
  | {
      readonly kind: 'sync';
      readonly reason: string;
      /** What the sync is for; a self-heal re-applies only what drifted, with no hooks and no prune. */
      readonly trigger: SyncTrigger;
      readonly automated: boolean;
      readonly commit?: string;
      readonly retryCount: number;
    }
  | { readonly kind: 'wait'; readonly reason: string; readonly delayMs: number }
  | { readonly kind: 'none'; readonly reason: string }
  /** A manual request a closed sync window refuses: handled, and not run. */
  | { readonly kind: 'refuse'; readonly reason: string };

export type SyncTrigger = 'request' | 'new-target' | 'retry' | 'self-heal';

export function decideSync(input: SyncDecisionInput): SyncDecision {
  const decision = decideIgnoringWindows(input);
  const window = input.window;
  // An operation in progress finishes whatever the windows say; a window only stops a new start.
  if (!window || decision.kind === 'continue' || decision.kind === 'none') return decision;
  const closed = `sync window closed: ${window.reason}`;
  if (decision.kind === 'sync' && !decision.automated)
    return window.manualAllowed ? decision : { kind: 'refuse', reason: `${closed}; manual syncs are blocked` };
  if (window.allowed) return decision;
  const until = window.nextChange === undefined ? '' : ` until ${new Date(window.nextChange).toISOString()}`;
  if (window.nextChange === undefined) return { kind: 'none', reason: `${closed}; held: ${decision.reason}` };
  return {
    kind: 'wait',
    reason: `${closed}${until}; held: ${decision.reason}`,
    delayMs: Math.max(window.nextChange - input.now, decision.kind === 'wait' ? decision.delayMs : 0),
  };
}

function decideIgnoringWindows(input: SyncDecisionInput): SyncDecision {
  const last = input.lastOperation;
  if (last?.phase === 'Running' || last?.phase === 'Terminating') {
    return { kind: 'continue', reason: `the sync of ${last.revision} is in progress` };
  }
  if (input.suspended) return { kind: 'none', reason: 'the Environment is suspended' };
  if (input.request) {
    return {
      kind: 'sync',
      reason: input.request.commit ? `sync of commit ${input.request.commit} requested` : 'sync requested',
      trigger: 'request',
      automated: false,
      commit: input.request.commit || undefined,
      retryCount: 0,
    };
  }
  if (!input.automated) return { kind: 'none', reason: 'manual sync policy: waiting for a sync request' };
  if (input.autoSyncPaused)
    return { kind: 'none', reason: 'automated sync is paused after a rollback; resume it to continue' };
  if (input.latestRevision === undefined) return { kind: 'none', reason: 'no revision fetched yet' };
  if (input.syncStatus === 'Synced') return { kind: 'none', reason: 'in sync' };

  // The same target: the same generation and the same desired objects. With their hashes
  // known, the hashes decide (a commit that changes only other environments is not a new
  // target; a rotated pass entry at the same commit is); otherwise the revision does.
  const sameObjects =
    last !== undefined &&
    (last.desiredHash !== undefined && input.desiredHash !== undefined
      ? last.desiredHash === input.desiredHash
      : last.revision === input.latestRevision);
  const sameTarget = last !== undefined && sameObjects && (last.generation ?? input.generation) === input.generation;
  if (!sameTarget) {
    return {
      kind: 'sync',
      reason:
        last?.revision === input.latestRevision
          ? `new desired state at ${input.latestRevision}`
          : `new revision ${input.latestRevision}`,
      trigger: 'new-target',
      automated: true,
      retryCount: 0,
    };
  }
  if (last.phase === 'Failed') {
    if (last.retryCount >= input.retry.limit) {
      return {
        kind: 'none',
        reason: `the sync of ${last.revision} failed ${last.retryCount + 1} times; the retry limit (${input.retry.limit}) is reached`,
      };
    }
    const attempt = last.retryCount + 1;
    const due = (last.finishedAt ?? input.now) + retryDelayMs(input.retry, attempt);
    if (due > input.now)
      return { kind: 'wait', reason: `retry ${attempt} of ${input.retry.limit} is due`, delayMs: due - input.now };
    return {
      kind: 'sync',
      reason: `retry ${attempt} of ${input.retry.limit} after a failed sync`,
      trigger: 'retry',
      automated: true,
      retryCount: attempt,
    };
  }
  // The last sync of this revision succeeded, yet live state drifted since.
  if (input.selfHeal)
    return {
      kind: 'sync',
      reason: 'self-heal: live state drifted from the desired state',
      trigger: 'self-heal',
      automated: true,
      retryCount: 0,
    };
  return { kind: 'none', reason: 'live state drifted; self-heal is off, so the Environment stays OutOfSync' };
}
