// The history of finished syncs (newest first) and the choice of a rollback target.
import type { HistoryEntry } from '../../api/v1alpha1/environment.ts';

/** Adds an entry with the next id, newest first, keeping at most `limit` entries. */
export function recordHistory(
  history: readonly HistoryEntry[],
  entry: Omit<HistoryEntry, 'id'>,
  limit: number,
): HistoryEntry[] {
  const id = history.reduce((max, h) => Math.max(max, h.id), -1) + 1;
  return [{ ...entry, id }, ...history].slice(0, Math.max(1, limit));
}

/**
 * The entry to roll back to: the one with `id`, or, without an id, the newest entry whose
 * revision differs from the one deployed now (`current`: the newest entry's). Throws with
 * what exists when there is none.
 */
export function findRollbackTarget(
  history: readonly HistoryEntry[],
  currentRevision: string | undefined,
  id?: number,
): HistoryEntry {
  if (id !== undefined) {
    const entry = history.find((h) => h.id === id);
    if (!entry) throw new Error(`no history entry ${id}; the history has ${describeIds(history)}`);
    return entry;
  }
  const entry = history.find((h) => h.revision !== currentRevision);
  if (!entry)
    throw new Error(
      `nothing to roll back to: the history has no revision other than the current one (${describeIds(history)})`,
    );
  return entry;
}

function describeIds(history: readonly HistoryEntry[]): string {
  return history.length === 0 ? 'no entries' : `entries ${history.map((h) => h.id).join(', ')}`;
}
