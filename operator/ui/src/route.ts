// Client-side routes under /ui/: the overview (its filters in the query, so a link keeps
// them), one Environment, the GitRepositories and one GitRepository. Parsing is pure so the
// tests can check every path.
export interface OverviewFilters {
  readonly q: string;
  readonly namespace: string;
  readonly sync: string;
  readonly health: string;
  readonly offset: number;
}

export type Route =
  | { readonly page: 'overview'; readonly filters: OverviewFilters }
  | { readonly page: 'environment'; readonly namespace: string; readonly name: string }
  | { readonly page: 'gitrepositories' }
  | { readonly page: 'gitrepository'; readonly namespace: string; readonly name: string }
  | { readonly page: 'notfound'; readonly path: string };

export const NO_FILTERS: OverviewFilters = { q: '', namespace: '', sync: '', health: '', offset: 0 };

const SEGMENT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/ui' || path === '' || path === '/ui/index.html') {
    const params = new URLSearchParams(search);
    const offset = Number.parseInt(params.get('offset') ?? '0', 10);
    return {
      page: 'overview',
      filters: {
        q: params.get('q') ?? '',
        namespace: params.get('namespace') ?? '',
        sync: params.get('sync') ?? '',
        health: params.get('health') ?? '',
        offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
      },
    };
  }
  if (path === '/ui/gitrepositories') return { page: 'gitrepositories' };
  const m = /^\/ui\/(environments|gitrepositories)\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) {
    const namespace = safeDecode(m[2]!);
    const name = safeDecode(m[3]!);
    if (namespace && name && SEGMENT.test(namespace) && SEGMENT.test(name))
      return { page: m[1] === 'environments' ? 'environment' : 'gitrepository', namespace, name };
  }
  return { page: 'notfound', path: pathname };
}

/** The overview's URL for these filters; empty filters are left out. */
export function overviewHref(filters: OverviewFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.namespace) params.set('namespace', filters.namespace);
  if (filters.sync) params.set('sync', filters.sync);
  if (filters.health) params.set('health', filters.health);
  if (filters.offset > 0) params.set('offset', String(filters.offset));
  const query = params.toString();
  return query ? `/ui/?${query}` : '/ui/';
}

export function environmentHref(namespace: string, name: string): string {
  return `/ui/environments/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export const GIT_REPOSITORIES_HREF = '/ui/gitrepositories';

export function gitRepositoryHref(namespace: string, name: string): string {
  return `${GIT_REPOSITORIES_HREF}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/** The overview API's query (also the stream's, without paging) for these filters. */
export function overviewQuery(filters: OverviewFilters, paging: { offset: number; limit: number } | undefined): string {
  const params = new URLSearchParams({ sort: 'attention' });
  if (filters.q) params.set('q', filters.q);
  if (filters.namespace) params.set('namespace', filters.namespace);
  if (filters.sync) params.set('sync', filters.sync);
  if (filters.health) params.set('health', filters.health);
  if (paging) {
    params.set('offset', String(paging.offset));
    params.set('limit', String(paging.limit));
  }
  return params.toString();
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
