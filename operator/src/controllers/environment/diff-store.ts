// The last comparison of each Environment, kept in memory (never in status: it can be
// large), for `GET …/diff` and `keelson diff`. Only OutOfSync resources are kept.
import { renderDiff, type ResourceComparison } from '../../core/diff/index.ts';

export class DiffStore {
  readonly #diffs = new Map<
    string,
    { readonly revision: string; readonly comparisons: readonly ResourceComparison[] }
  >();

  set(namespace: string, name: string, revision: string, comparisons: readonly ResourceComparison[]): void {
    this.#diffs.set(`${namespace}/${name}`, {
      revision,
      comparisons: comparisons.filter((c) => c.status === 'OutOfSync'),
    });
  }

  delete(namespace: string, name: string): void {
    this.#diffs.delete(`${namespace}/${name}`);
  }

  /** The diff as text (empty when in sync), or undefined before the first comparison. */
  render(namespace: string, name: string, redactText: (text: string) => string): string | undefined {
    const entry = this.#diffs.get(`${namespace}/${name}`);
    if (!entry) return undefined;
    const body = renderDiff(entry.comparisons);
    return redactText(`# ${namespace}/${name}: live state against ${entry.revision}\n${body || '# no differences\n'}`);
  }
}
