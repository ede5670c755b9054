// "Sync now" and "refresh now" requests: annotations holding a token, the way Flux does it.
// A token that differs from the last one handled is a new request. A sync request may
// name a commit and ask not to prune: `<token>[@<40 hex>][;no-prune]`.
import type { HistoryEntry } from '../../api/v1alpha1/environment.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED, ANNOTATION_SYNC_REQUESTED_AT, ANNOTATION_SYNC_REQUESTED_BY } from '../keys.ts';
import { parseRevision } from '../source/git-ref.ts';
import { findRollbackTarget } from './history.ts';

export interface SyncRequest {
  readonly token: string;
  /** The commit to sync; absent means the latest revision of the source. */
  readonly commit?: string;
  /** false: apply only, leave objects no longer desired in place. @default true (a person's sync prunes) */
  readonly prune?: boolean;
}

const NO_PRUNE = ';no-prune';

const COMMIT = /^[0-9a-f]{40}$/;

/** Parses the value of keelson.dev/sync-requested-at; throws on a malformed commit. */
export function parseSyncRequest(value: string | undefined): SyncRequest | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const noPrune = value.endsWith(NO_PRUNE);
  const rest = noPrune ? value.slice(0, -NO_PRUNE.length) : value;
  const options = noPrune ? { prune: false } : {};
  const at = rest.lastIndexOf('@');
  if (at < 0) return { token: rest, ...options };
  const commit = rest.slice(at + 1);
  if (!COMMIT.test(commit)) {
    throw new Error(`keelson.dev/sync-requested-at: "${commit}" is not a full commit id (40 hex digits)`);
  }
  return { token: rest.slice(0, at), commit, ...options };
}

export function formatSyncRequest(request: SyncRequest): string {
  return `${request.commit ? `${request.token}@${request.commit}` : request.token}${request.prune === false ? NO_PRUNE : ''}`;
}

/** True when the annotation holds a request not handled yet. */
export function isNewRequest(annotation: string | undefined, lastHandled: string | undefined): boolean {
  return annotation !== undefined && annotation !== '' && annotation !== lastHandled;
}

/** The annotations that ask for a sync: the request, who asked, and (for a rollback) why automated sync pauses. */
export function syncRequestAnnotations(
  request: SyncRequest,
  requestedBy: string,
  pausedBecause?: string,
): Record<string, string> {
  return {
    [ANNOTATION_SYNC_REQUESTED_AT]: formatSyncRequest(request),
    [ANNOTATION_SYNC_REQUESTED_BY]: requestedBy,
    ...(pausedBecause ? { [ANNOTATION_AUTO_SYNC_PAUSED]: pausedBecause } : {}),
  };
}

/**
 * A rollback: the history entry to return to (`id`, or the one before the deployed
 * revision), and the annotations that sync its commit and pause automated sync. Throws,
 * saying why, when there is nothing to roll back to.
 */
export function planRollback(
  history: readonly HistoryEntry[],
  id: number | undefined,
  requestedBy: string,
  token: string,
): { target: HistoryEntry; request: SyncRequest; annotations: Record<string, string> } {
  const target = findRollbackTarget(history, history[0]?.revision, id);
  const commit = parseRevision(target.revision)?.commit;
  if (!commit) throw new Error(`history entry ${target.id} has no commit in its revision "${target.revision}"`);
  const request = { token, commit };
  const reason = `rollback to history entry ${target.id} (${target.revision}) by ${requestedBy}`;
  return { target, request, annotations: syncRequestAnnotations(request, requestedBy, reason) };
}
