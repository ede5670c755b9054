// The overview: one server-side page of Environments (needing attention first), searched
// and filtered on the server, kept current by the overview stream.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, get, sessionLost } from './api.ts';
import { shortRevision } from './format.ts';
import { follow, type LiveState } from './live.ts';
import { navigate } from './nav.ts';
import { environmentHref, overviewHref, overviewQuery, type OverviewFilters } from './route.ts';
import { deleteRow, upsertRow, type Merged } from './rows.ts';
import type { OverviewPage, Row } from './types.ts';
import { Age, ErrorBox, Link, Status, useNow } from './ui.tsx';

const LIMIT = 50;
const SEARCH_DEBOUNCE_MS = 150;
const REFETCH_DEBOUNCE_MS = 500;
const SYNCS = ['Synced', 'OutOfSync', 'Unknown'];
const HEALTHS = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];

export function Overview(props: { filters: OverviewFilters }) {
  const { filters } = props;
  const [page, setPage] = useState<OverviewPage>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<LiveState>('connecting');
  const [q, setQ] = useState(filters.q);
  const now = useNow();
  const pageRef = useRef<OverviewPage | undefined>(undefined);
  const generation = useRef(0);
  const refetchTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const streamKey = overviewQuery(filters, undefined);
  const pageKey = overviewQuery(filters, { offset: filters.offset, limit: LIMIT });

  const show = (p: OverviewPage) => {
    pageRef.current = p;
    setPage(p);
  };
  const load = () => {
    const mine = ++generation.current;
    get<OverviewPage>(`/api/v1/overview?${pageKey}`)
      .then((p) => {
        if (mine !== generation.current) return;
        show(p);
        setError(undefined);
      })
      .catch((err: unknown) => mine === generation.current && setError(errorText(err)));
  };
  const loadRef = useRef(load);
  loadRef.current = load;
  const offsetRef = useRef(filters.offset);
  offsetRef.current = filters.offset;

  useEffect(() => {
    document.title = 'Environments · Keelson';
  }, []);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(load, [pageKey]);

  useEffect(() => {
    const apply = (merged: Merged) => {
      show(merged.page);
      if (!merged.refetch) return;
      clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => loadRef.current(), REFETCH_DEBOUNCE_MS);
    };
    const close = follow({
      url: `/api/v1/overview/stream?${streamKey}`,
      events: {
        reset: (data) => {
          if (offsetRef.current === 0) {
            generation.current++;
            show(data as OverviewPage);
            setError(undefined);
          } else loadRef.current();
        },
        upsert: (row) => pageRef.current && apply(upsertRow(pageRef.current, row as Row, LIMIT)),
        delete: (key) => pageRef.current && apply(deleteRow(pageRef.current, key as Row)),
      },
      onState: setLive,
      onLoggedOut: sessionLost,
    });
    return () => {
      close();
      clearTimeout(refetchTimer.current);
    };
  }, [streamKey]);

  const change = (next: Partial<OverviewFilters>) =>
    navigate(overviewHref({ ...filters, offset: 0, ...next }), { replace: !('offset' in next) });

  useEffect(() => {
    if (q === filters.q) return;
    const timer = setTimeout(() => change({ q }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q]);

  const namespaces = page?.namespaces ?? [];
  const filtered = filters.q || filters.namespace || filters.sync || filters.health;
  return (
    <main id="main">
      <div class="page-head">
        <h1 tabIndex={-1}>Environments</h1>
        <span class={`live live-${live}`} aria-live="polite">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field grow">
          <label for="search">Search</label>
          <input
            id="search"
            type="search"
            placeholder="namespace, name or revision"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </div>
        <Select
          id="namespace"
          label="Namespace"
          value={filters.namespace}
          all="All namespaces"
          options={namespaces}
          onChange={(namespace) => change({ namespace })}
        />
        <Select
          id="sync"
          label="Sync"
          value={filters.sync}
          all="Any sync"
          options={SYNCS}
          onChange={(sync) => change({ sync })}
        />
        <Select
          id="health"
          label="Health"
          value={filters.health}
          all="Any health"
          options={HEALTHS}
          onChange={(health) => change({ health })}
        />
        {filtered ? (
          <button
            type="button"
            class="clear"
            onClick={() =>
              navigate(overviewHref({ q: '', namespace: '', sync: '', health: '', offset: 0 }), { replace: true })
            }
          >
            Clear filters
          </button>
        ) : null}
      </form>
      <ErrorBox error={error} />
      {!page ? (
        <p class="loading">Loading…</p>
      ) : page.items.length === 0 ? (
        <p class="empty">{filtered ? 'No Environment matches these filters.' : 'No Environments you may list.'}</p>
      ) : (
        <EnvironmentTable rows={page.items} now={now} />
      )}
      {page && page.total > 0 ? <Pager page={page} onOffset={(offset) => change({ offset })} /> : null}
    </main>
  );
}

function Select(props: {
  id: string;
  label: string;
  value: string;
  all: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  const options = props.value && !props.options.includes(props.value) ? [props.value, ...props.options] : props.options;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.all}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

function EnvironmentTable(props: { rows: readonly Row[]; now: number }) {
  return (
    <table class="rows">
      <caption class="sr-only">Environments, those needing attention first</caption>
      <thead>
        <tr>
          <th scope="col">Environment</th>
          <th scope="col">Sync</th>
          <th scope="col">Health</th>
          <th scope="col">Revision</th>
          <th scope="col">Policy</th>
          <th scope="col">Last operation</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={`${row.namespace}/${row.name}`} class={row.attention ? 'attention' : undefined}>
            <th scope="row" data-label="Environment">
              <Link href={environmentHref(row.namespace, row.name)}>
                <span class="ns">{row.namespace}/</span>
                {row.name}
              </Link>
              {row.attention ? <span class="sr-only"> (needs attention)</span> : null}
            </th>
            <td data-label="Sync">
              <Status value={row.sync} />
            </td>
            <td data-label="Health">
              <Status value={row.health} />
              {row.healthMessage ? <div class="sub">{row.healthMessage}</div> : null}
            </td>
            <td data-label="Revision">
              <code title={row.revision}>{shortRevision(row.revision) || '—'}</code>
              {row.latestRevision && row.latestRevision !== row.revision ? (
                <div class="sub">latest {shortRevision(row.latestRevision)}</div>
              ) : null}
            </td>
            <td data-label="Policy">
              <Status value={row.policy} />
            </td>
            <td data-label="Last operation">
              {row.operation ? (
                <>
                  <Status value={row.operation.phase} />{' '}
                  <Age at={row.operation.finishedAt ?? row.operation.startedAt} now={props.now} />
                  {row.operation.message && row.operation.phase === 'Failed' ? (
                    <div class="sub">{row.operation.message}</div>
                  ) : null}
                </>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pager(props: { page: OverviewPage; onOffset: (offset: number) => void }) {
  const { total, offset, items } = props.page;
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {offset + 1}–{offset + items.length} of {total}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - LIMIT))}>
        Previous
      </button>
      <button type="button" disabled={offset + LIMIT >= total} onClick={() => props.onOffset(offset + LIMIT)}>
        Next
      </button>
    </nav>
  );
}
