// A diff as Markdown for a pull request comment: a summary line (N added, N removed, N
// changed), then one collapsible section per object (`<details>`) holding its unified-style
// diff (renderDiff) in a ```diff block. Built from the comparisons only: Secret fields
// arrive redacted and print as `<secret>`, so no Secret value reaches the comment.
import { describeKey, parseKey } from '../manifest.ts';
import type { ResourceComparison } from './compare.ts';
import { renderDiff, type DiffLabels } from './render-diff.ts';

export interface ChangeSummary {
  /** Only on the new side (reason Missing). */
  readonly added: number;
  /** Only on the old side (reason Extra). */
  readonly removed: number;
  /** On both, fields differ. */
  readonly changed: number;
}

/** How many objects are added, removed and changed among the comparisons. */
export function summarizeChanges(comparisons: readonly ResourceComparison[]): ChangeSummary {
  let added = 0;
  let removed = 0;
  let changed = 0;
  for (const c of comparisons) {
    if (c.status !== 'OutOfSync') continue;
    if (c.reason === 'Missing') added++;
    else if (c.reason === 'Extra') removed++;
    else changed++;
  }
  return { added, removed, changed };
}

export interface MarkdownDiffOptions {
  /** The heading's text, e.g. `dev: main → feature`. Markdown special characters are escaped. */
  readonly title: string;
  readonly labels: DiffLabels;
}

export function renderMarkdownDiff(comparisons: readonly ResourceComparison[], options: MarkdownDiffOptions): string {
  const changes = comparisons.filter((c) => c.status === 'OutOfSync');
  const { added, removed, changed } = summarizeChanges(changes);
  const out = [`### ${escapeMarkdown(options.title)}`, ''];
  if (changes.length === 0) {
    out.push('No changes.');
    return `${out.join('\n')}\n`;
  }
  out.push(`**${added} added, ${removed} removed, ${changed} changed**`, '');
  for (const c of changes) {
    const what = describeKey(parseKey(c.key));
    const verb = c.reason === 'Missing' ? 'added' : c.reason === 'Extra' ? 'removed' : 'changed';
    const fields = c.changes.length > 0 ? ` (${c.changes.length} field${c.changes.length > 1 ? 's' : ''})` : '';
    const body = renderDiff([c], options.labels).trimEnd();
    const fence = fenceFor(body);
    out.push(
      '<details>',
      `<summary>${verb}: <code>${escapeHtml(what)}</code>${fields}</summary>`,
      '',
      `${fence}diff`,
      body,
      fence,
      '',
      '</details>',
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A code fence longer than any run of backticks in `body`, so the block cannot be closed early. */
function fenceFor(body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeMarkdown(text: string): string {
  return escapeHtml(text).replace(/([\\`*_[\]#|])/g, '\\$1');
}
