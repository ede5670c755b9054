// "Sync now" and "refresh now" requests: annotations holding a token, the way Flux does it.
// A token that differs from the last one handled is a new request. A sync request may
// name a commit: `<token>@<40 hex>`.

export interface SyncRequest {
  readonly token: string;
  /** The commit to sync; absent means the latest revision of the source. */
  readonly commit?: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Parses the value of keelson.dev/sync-requested-at; throws on a malformed commit. */
export function parseSyncRequest(value: string | undefined): SyncRequest | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const at = value.lastIndexOf('@');
  if (at < 0) return { token: value };
  const commit = value.slice(at + 1);
  if (!COMMIT.test(commit)) {
    throw new Error(`keelson.dev/sync-requested-at: "${commit}" is not a full commit id (40 hex digits)`);
  }
  return { token: value.slice(0, at), commit };
}

export function formatSyncRequest(request: SyncRequest): string {
  return request.commit ? `${request.token}@${request.commit}` : request.token;
}

/** True when the annotation holds a request not handled yet. */
export function isNewRequest(annotation: string | undefined, lastHandled: string | undefined): boolean {
  return annotation !== undefined && annotation !== '' && annotation !== lastHandled;
}
