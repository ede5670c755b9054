// Terminal output the kubectl way: aligned tables, short ages, -o json|yaml.
import { stringify } from 'yaml';
import { parseRevision } from '../core/source/git-ref.ts';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** kubectl's age format: 45s, 12m, 3h, 5d. */
export function age(timestamp: string | Date | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function render(value: unknown, output: 'json' | 'yaml'): string {
  return output === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value);
}

/** `main@sha1:0123456…` shortened for tables: `main@0123456`. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '';
  const parsed = parseRevision(revision);
  return parsed ? `${parsed.name}@${parsed.commit.slice(0, 7)}` : revision;
}
