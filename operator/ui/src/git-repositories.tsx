// The GitRepositories the caller may list: where each fetches from, its last fetched
// revision and whether the last fetch failed, live (a server-sent stream of the rows).
import { useEffect, useState } from 'preact/hooks';
import { errorText, get, sessionLost } from './api.ts';
import { follow, type LiveState } from './live.ts';
import { withRepositoryRow } from './rows.ts';
import { repositoryState, shortRevision } from './format.ts';
import { gitRepositoryHref } from './route.ts';
import type { GitRepositoryRow } from './types.ts';
import { Age, ErrorBox, Link, Status, useNow } from './ui.tsx';

export function GitRepositories() {
  const [rows, setRows] = useState<readonly GitRepositoryRow[]>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<LiveState>('connecting');
  const now = useNow();

  const load = () =>
    get<{ items: GitRepositoryRow[] }>('/api/v1/gitrepositories')
      .then((r) => {
        setRows(r.items);
        setError(undefined);
      })
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => {
    document.title = 'GitRepositories · Keelson';
    return follow({
      url: '/api/v1/gitrepositories/stream',
      events: {
        reset: (data) => {
          setRows((data as { items: GitRepositoryRow[] }).items);
          setError(undefined);
        },
        upsert: (data) => setRows((rows) => withRepositoryRow(rows ?? [], data as GitRepositoryRow)),
        delete: (data) => {
          const gone = data as { namespace: string; name: string };
          setRows((rows) => rows?.filter((r) => r.namespace !== gone.namespace || r.name !== gone.name));
        },
      },
      onState: setLive,
      onLoggedOut: sessionLost,
    });
  }, []);

  return (
    <main id="main">
      <div class="page-head">
        <h1 tabIndex={-1}>GitRepositories</h1>
        <span class={`live live-${live}`} aria-live="polite">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <button type="button" onClick={load}>
          Reload
        </button>
      </div>
      <ErrorBox error={error} />
      {!rows ? (
        <p class="loading">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">No GitRepositories you may list.</p>
      ) : (
        <table class="rows">
          <caption class="sr-only">GitRepositories</caption>
          <thead>
            <tr>
              <th scope="col">GitRepository</th>
              <th scope="col">State</th>
              <th scope="col">Revision</th>
              <th scope="col">Fetched</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.namespace}/${row.name}`} class={row.fetchFailed ? 'attention' : undefined}>
                <th scope="row" data-label="GitRepository">
                  <Link href={gitRepositoryHref(row.namespace, row.name)}>
                    <span class="ns">{row.namespace}/</span>
                    {row.name}
                  </Link>
                </th>
                <td data-label="State">
                  <Status value={repositoryState(row)} />
                  {row.fetchFailed ? <div class="sub">{row.fetchFailed}</div> : null}
                </td>
                <td data-label="Revision">
                  <code title={row.revision}>{shortRevision(row.revision) || '—'}</code>
                </td>
                <td data-label="Fetched">{row.fetchedAt ? <Age at={row.fetchedAt} now={now} /> : '—'}</td>
                <td data-label="Source">
                  <span class="url">{row.url}</span>
                  <div class="sub">
                    {row.ref} · every {row.interval}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
