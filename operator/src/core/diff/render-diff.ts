// A unified-style diff of what a sync would change, built from the comparison's field
// changes: one section per object, one hunk per changed field, live lines with `-` and
// desired lines with `+`. Secret fields arrive redacted from the comparison and print as
// `<secret>`; nothing else here sees a value of a Secret.
import { stringify } from 'yaml';
import { describeKey, parseKey } from '../manifest.ts';
import type { FieldChange, ResourceComparison } from './compare.ts';

/** What the two sides are called: live and desired by default; two revisions for `keelson diff --from --to`. */
export interface DiffLabels {
  readonly old: string;
  readonly new: string;
  /** The hunk of an object only on the new side (reason Missing). */
  readonly added: string;
  /** The hunk of an object only on the old side (reason Extra). */
  readonly removed: string;
}

const SYNC_LABELS: DiffLabels = {
  old: 'live',
  new: 'desired',
  added: 'the object does not exist; the sync creates it',
  removed: 'no longer desired; the sync prunes it',
};

export function renderDiff(comparisons: readonly ResourceComparison[], labels: DiffLabels = SYNC_LABELS): string {
  const out: string[] = [];
  for (const c of comparisons) {
    if (c.status !== 'OutOfSync') continue;
    const what = describeKey(parseKey(c.key));
    out.push(`--- ${labels.old} ${what}`, `+++ ${labels.new} ${what}`);
    if (c.reason === 'Missing') out.push(`@@ ${labels.added} @@`);
    else if (c.reason === 'Extra') out.push(`@@ ${labels.removed} @@`);
    for (const change of c.changes) out.push(...hunk(change));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function hunk(change: FieldChange): string[] {
  const lines = [`@@ ${change.path} @@`];
  if (change.redacted) {
    lines.push('- <secret>', '+ <secret, changed>');
    return lines;
  }
  if (change.live !== undefined) lines.push(...render(change.live).map((l) => `- ${l}`));
  if (change.desired !== undefined) lines.push(...render(change.desired).map((l) => `+ ${l}`));
  return lines;
}

function render(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [JSON.stringify(value)];
  return stringify(value, { lineWidth: 0 }).trimEnd().split('\n');
}
