// The overview of the web UI (ADR 17): one small row per Environment, kept from watch events
// (no list call per request), filtered, sorted and paged on the server, and a change feed for
// the pages that follow it live. The GitRepositories are watched too, for each row's
// latestRevision (the artifact its source last fetched).
import { HEALTH_STATUSES, SYNC_STATUSES } from '../../api/v1alpha1/environment.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../../core/keys.ts';
import type { EnvironmentResource, GitRepositoryResource } from '../kubernetes/keelson-resources.ts';

export type SyncStatus = (typeof SYNC_STATUSES)[number];
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface Row {
  readonly namespace: string;
  readonly name: string;
  readonly sync: SyncStatus;
  readonly health: HealthStatus;
  readonly healthMessage?: string;
  readonly revision?: string;
  readonly latestRevision?: string;
  readonly policy: 'automated' | 'manual' | 'paused' | 'suspended';
  readonly operation?: {
    readonly phase: 'Running' | 'Succeeded' | 'Failed' | 'Terminating';
    readonly revision: string;
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly message?: string;
  };
  readonly ready: {
    readonly status: 'True' | 'False' | 'Unknown';
    readonly reason?: string;
    readonly message?: string;
  };
  readonly attention: boolean;
}

export const SORTS = ['attention', 'name', 'namespace', 'synced'] as const;
export type Sort = (typeof SORTS)[number];

export interface OverviewQuery {
  readonly namespace?: string;
  readonly sync?: SyncStatus;
  readonly health?: HealthStatus;
  /** Lower-cased text looked for in namespace, name and revision. */
  readonly q?: string;
  readonly sort: Sort;
  readonly offset: number;
  readonly limit: number;
}

export interface OverviewPage {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly Row[];
  readonly namespaces: readonly string[];
}

/** A query parameter that is not one the overview takes. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** The row of an Environment; `latestRevision` is its GitRepository's artifact revision, when known. */
export function toRow(env: EnvironmentResource, latestRevision?: string): Row {
  const status = env.status;
  const ready = status?.conditions?.find((c) => c.type === ConditionType.Ready);
  const op = status?.operation;
  const row: Row = {
    namespace: env.metadata.namespace,
    name: env.metadata.name,
    sync: status?.sync?.status ?? 'Unknown',
    health: status?.health?.status ?? 'Unknown',
    healthMessage: status?.health?.message || undefined,
    revision: status?.sync?.revision || undefined,
    latestRevision: latestRevision || undefined,
    policy: env.spec.suspend
      ? 'suspended'
      : env.metadata.annotations?.[ANNOTATION_AUTO_SYNC_PAUSED] !== undefined
        ? 'paused'
        : env.spec.sync?.automated
          ? 'automated'
          : 'manual',
    operation: op && {
      phase: op.phase,
      revision: op.revision,
      startedAt: op.startedAt,
      finishedAt: op.finishedAt || undefined,
      message: op.message || undefined,
    },
    ready: {
      status: ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown',
      reason: ready?.reason || undefined,
      message: ready?.message || undefined,
    },
    attention: false,
  };
  const waiting = row.ready.reason === Reason.Syncing || row.ready.reason === Reason.Suspended;
  const attention =
    row.operation?.phase === 'Failed' ||
    row.health === 'Degraded' ||
    row.health === 'Missing' ||
    row.sync === 'OutOfSync' ||
    (row.ready.status === 'False' && !waiting);
  // JSON.stringify leaves out the undefined fields: a row carries only what it has.
  return { ...row, attention };
}

/** 0 first: a running operation, a failed last one, Degraded, OutOfSync, Progressing, then the rest. */
export function attentionRank(row: Row): number {
  if (row.operation?.phase === 'Running') return 0;
  if (row.operation?.phase === 'Failed') return 1;
  if (row.health === 'Degraded') return 2;
  if (row.sync === 'OutOfSync') return 3;
  if (row.health === 'Progressing') return 4;
  return 5;
}

const SYNC_RANK: Readonly<Record<SyncStatus, number>> = { OutOfSync: 0, Unknown: 1, Synced: 2 };

const byNamespaceName = (a: Row, b: Row) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The order of a sort: `synced` puts OutOfSync first; every tie goes by namespace/name. */
export function compareRows(sort: Sort): (a: Row, b: Row) => number {
  switch (sort) {
    case 'attention':
      return (a, b) => attentionRank(a) - attentionRank(b) || byNamespaceName(a, b);
    case 'synced':
      return (a, b) => SYNC_RANK[a.sync] - SYNC_RANK[b.sync] || byNamespaceName(a, b);
    case 'name':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byNamespaceName(a, b));
    case 'namespace':
      return byNamespaceName;
  }
}

/** The overview's query parameters; QueryError naming a bad one. */
export function parseQuery(params: URLSearchParams): OverviewQuery {
  const oneOf = <T extends string>(key: string, values: readonly T[]): T | undefined => {
    const v = params.get(key) || undefined;
    if (v !== undefined && !values.includes(v as T)) throw new QueryError(`${key} must be one of ${values.join(', ')}`);
    return v as T | undefined;
  };
  const count = (key: string, fallback: number, max: number): number => {
    const v = params.get(key);
    if (v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new QueryError(`${key} must be a whole number`);
    return Math.min(n, max);
  };
  return {
    namespace: params.get('namespace') || undefined,
    sync: oneOf('sync', SYNC_STATUSES),
    health: oneOf('health', HEALTH_STATUSES),
    q: params.get('q')?.trim().toLowerCase() || undefined,
    sort: oneOf('sort', SORTS) ?? 'attention',
    offset: count('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, count('limit', 50, 500)),
  };
}

/** Whether a row passes the query's filters (not its paging). */
export function matches(row: Row, query: OverviewQuery): boolean {
  if (query.namespace !== undefined && row.namespace !== query.namespace) return false;
  if (query.sync !== undefined && row.sync !== query.sync) return false;
  if (query.health !== undefined && row.health !== query.health) return false;
  if (query.q !== undefined) {
    const text = `${row.namespace}/${row.name} ${row.revision ?? ''}`.toLowerCase();
    if (!text.includes(query.q)) return false;
  }
  return true;
}

/** One page of the rows the caller may see. */
export function pageOf(
  rows: Iterable<Row>,
  query: OverviewQuery,
  visible: (namespace: string) => boolean,
): OverviewPage {
  const namespaces = new Set<string>();
  const hits: Row[] = [];
  for (const row of rows) {
    if (!visible(row.namespace)) continue;
    namespaces.add(row.namespace);
    if (matches(row, query)) hits.push(row);
  }
  hits.sort(compareRows(query.sort));
  return {
    total: hits.length,
    offset: query.offset,
    items: hits.slice(query.offset, query.offset + query.limit),
    namespaces: [...namespaces].sort(),
  };
}

/** A change of one Environment: its row and object before and after (absent: not there). */
export interface OverviewChange {
  readonly namespace: string;
  readonly name: string;
  readonly before?: Row;
  readonly after?: Row;
  readonly environment?: EnvironmentResource;
}

interface Entry {
  environment: EnvironmentResource;
  row: Row;
}

/** The Environments and the GitRepositories' revisions, as watch events report them. */
export class OverviewIndex {
  readonly #entries = new Map<string, Entry>();
  /** `<namespace>/<name>` of a GitRepository → its artifact revision. */
  readonly #revisions = new Map<string, string>();
  readonly #listeners = new Set<(change: OverviewChange) => void>();
  #listed = false;

  /** Whether the first list of both kinds is in. */
  get listed(): boolean {
    return this.#listed;
  }

  markListed(): void {
    this.#listed = true;
  }

  get size(): number {
    return this.#entries.size;
  }

  onEnvironment(env: EnvironmentResource, deleted: boolean): void {
    const { namespace, name } = env.metadata;
    const key = `${namespace}/${name}`;
    const before = this.#entries.get(key)?.row;
    if (deleted) {
      if (!this.#entries.delete(key)) return;
      this.#emit({ namespace, name, before });
      return;
    }
    const row = toRow(env, this.#revisions.get(`${namespace}/${env.spec.sourceRef?.name}`));
    this.#entries.set(key, { environment: env, row });
    this.#emit({ namespace, name, before, after: row, environment: env });
  }

  onGitRepository(repo: GitRepositoryResource, deleted: boolean): void {
    const { namespace, name } = repo.metadata;
    const key = `${namespace}/${name}`;
    const revision = deleted ? undefined : repo.status?.artifact?.revision;
    if (this.#revisions.get(key) === revision) return;
    if (revision === undefined) this.#revisions.delete(key);
    else this.#revisions.set(key, revision);
    for (const entry of this.#entries.values()) {
      const env = entry.environment;
      if (env.metadata.namespace === namespace && env.spec.sourceRef?.name === name) this.onEnvironment(env, false);
    }
  }

  rows(): IterableIterator<Row> {
    return [...this.#entries.values()].map((e) => e.row).values();
  }

  /** The rows of the Environments whose spec.sourceRef is this GitRepository, by name. */
  rowsUsing(namespace: string, gitRepository: string): Row[] {
    return [...this.#entries.values()]
      .filter((e) => e.row.namespace === namespace && e.environment.spec.sourceRef?.name === gitRepository)
      .map((e) => e.row)
      .sort(compareRows('namespace'));
  }

  environment(namespace: string, name: string): EnvironmentResource | undefined {
    return this.#entries.get(`${namespace}/${name}`)?.environment;
  }

  /** Calls `listener` on every change from now on; returns the unsubscribe. */
  subscribe(listener: (change: OverviewChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #emit(change: OverviewChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
