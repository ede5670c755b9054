// Applying the overview stream's events (upsert, delete) to the page on screen. The server
// sorts by attention; the page keeps that order for the rows it changes and asks for a
// refetch when it cannot know the right page contents (a row from or for another page).
import type { GitRepositoryRow, OverviewPage, Row } from './types.ts';

export interface Merged {
  readonly page: OverviewPage;
  /** The page may be out of step with the server (a row moved between pages): fetch it again. */
  readonly refetch: boolean;
}

/** The server's sort=attention rank: running, failed, degraded, out of sync, progressing, the rest. */
export function attentionRank(row: Row): number {
  if (row.operation?.phase === 'Running' || row.operation?.phase === 'Terminating') return 0;
  if (row.operation?.phase === 'Failed') return 1;
  if (row.health === 'Degraded') return 2;
  if (row.sync === 'OutOfSync') return 3;
  if (row.health === 'Progressing') return 4;
  return 5;
}

export function compareRows(a: Row, b: Row): number {
  return attentionRank(a) - attentionRank(b) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const same = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace === b.namespace && a.name === b.name;

/** One row changed or appeared (it matches the page's filter). */
export function upsertRow(page: OverviewPage, row: Row, limit: number): Merged {
  const index = page.items.findIndex((r) => same(r, row));
  const wholeSetOnScreen = page.offset === 0 && page.items.length === page.total;
  if (index < 0 && !wholeSetOnScreen) {
    // New, or on another page: where it belongs and whether the total grows only the server knows.
    return { page, refetch: true };
  }
  const others = page.items.filter((_, i) => i !== index);
  const items = [...others, row].sort(compareRows);
  const total = index < 0 ? page.total + 1 : page.total;
  const morePages = page.offset + items.length < total;
  // A full page pushes its last row onto the next one.
  if (items.length > limit) return { page: { ...page, total, items: items.slice(0, limit) }, refetch: false };
  if (morePages && index >= 0 && items.at(-1) === row) {
    // It may sort past this page now: the server knows the row that belongs here.
    return { page: { ...page, total, items: items.slice(0, -1) }, refetch: true };
  }
  if (page.offset > 0 && items[0] === row && index >= 0) {
    return { page: { ...page, total, items }, refetch: true };
  }
  return { page: { ...page, total, items }, refetch: false };
}

/** One row went away (deleted, or no longer matching the filter). */
export function deleteRow(page: OverviewPage, key: { namespace: string; name: string }): Merged {
  const index = page.items.findIndex((r) => same(r, key));
  const wholeSetOnScreen = page.offset === 0 && page.items.length === page.total;
  if (index < 0) return { page, refetch: !wholeSetOnScreen };
  const items = page.items.filter((_, i) => i !== index);
  const total = Math.max(items.length + page.offset, page.total - 1);
  // A later page's first row moves up into this one.
  return { page: { ...page, total, items }, refetch: page.offset + items.length < total };
}

/** The GitRepositories list with `row` in its place (by namespace and name), sorted as the server sorts it. */
export function withRepositoryRow(rows: readonly GitRepositoryRow[], row: GitRepositoryRow): GitRepositoryRow[] {
  return [...rows.filter((r) => !same(r, row)), row].sort(
    (a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name),
  );
}
