// The GitRepositories of the web UI (ADR 17): one small row per repository, kept from the
// UI's watch (no list call per request), and a change feed for the page that follows one.
// A row carries the secretRef's name at most, never anything read from a Secret.
import { ConditionType } from '../../api/v1alpha1/conditions.ts';
import type { GitRepositoryRef } from '../../api/v1alpha1/git-repository.ts';
import type { GitRepositoryResource } from '../kubernetes/keelson-resources.ts';

export interface GitRepositoryRow {
  readonly namespace: string;
  readonly name: string;
  readonly url: string;
  /** "branch main", "tag v1.2.0", "semver >=1.0.0", "commit <id>". */
  readonly ref: string;
  readonly interval: string;
  readonly suspend: boolean;
  readonly revision?: string;
  readonly fetchedAt?: string;
  readonly ready: {
    readonly status: 'True' | 'False' | 'Unknown';
    readonly reason?: string;
    readonly message?: string;
  };
  /** The last fetch failed: its message (the last good artifact stays in use). */
  readonly fetchFailed?: string;
}

/** The ref as the page shows it; no ref is branch "main", as the controller reads it. */
export function refText(ref: GitRepositoryRef | undefined): string {
  if (ref?.commit) return `commit ${ref.commit}`;
  if (ref?.tag) return `tag ${ref.tag}`;
  if (ref?.semver) return `semver ${ref.semver}`;
  return `branch ${ref?.branch ?? 'main'}`;
}

export function toGitRepositoryRow(repo: GitRepositoryResource): GitRepositoryRow {
  const conditions = repo.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === ConditionType.Ready);
  const failed = conditions.find((c) => c.type === ConditionType.FetchFailed && c.status === 'True');
  return {
    namespace: repo.metadata.namespace,
    name: repo.metadata.name,
    url: repo.spec.url,
    ref: refText(repo.spec.ref),
    interval: repo.spec.interval ?? '1m',
    suspend: repo.spec.suspend === true,
    revision: repo.status?.artifact?.revision,
    fetchedAt: repo.status?.artifact?.fetchedAt,
    ready: {
      status: ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown',
      reason: ready?.reason || undefined,
      message: ready?.message || undefined,
    },
    fetchFailed: failed ? failed.message || failed.reason : undefined,
  };
}

const byNamespaceName = (a: GitRepositoryRow, b: GitRepositoryRow) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The GitRepositories as watch events report them. */
export class GitRepositoryIndex {
  readonly #repos = new Map<string, GitRepositoryResource>();
  readonly #listeners = new Set<(namespace: string, name: string) => void>();

  onGitRepository(repo: GitRepositoryResource, deleted: boolean): void {
    const { namespace, name } = repo.metadata;
    if (deleted) this.#repos.delete(`${namespace}/${name}`);
    else this.#repos.set(`${namespace}/${name}`, repo);
    for (const listener of this.#listeners) listener(namespace, name);
  }

  get(namespace: string, name: string): GitRepositoryResource | undefined {
    return this.#repos.get(`${namespace}/${name}`);
  }

  /** The rows of the namespaces `visible` allows (and of `namespace` only, when given), by namespace/name. */
  rows(visible: ReadonlySet<string>, namespace?: string): GitRepositoryRow[] {
    return [...this.#repos.values()]
      .filter((r) => visible.has(r.metadata.namespace) && (!namespace || r.metadata.namespace === namespace))
      .map(toGitRepositoryRow)
      .sort(byNamespaceName);
  }

  namespaces(): Set<string> {
    return new Set([...this.#repos.values()].map((r) => r.metadata.namespace));
  }

  /** Calls `listener` with the namespace and name of every change from now on; returns the unsubscribe. */
  subscribe(listener: (namespace: string, name: string) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
