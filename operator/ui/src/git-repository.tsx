// One GitRepository: where it fetches from, the last fetched revision, its conditions (a
// failed fetch with its message), the Environments using it, followed live through its
// stream; Refresh, Suspend and Resume when the caller may patch it.
import { useEffect, useState } from 'preact/hooks';
import { errorText, get, repoPath, sessionLost } from './api.ts';
import { repositoryState, shortRevision } from './format.ts';
import { follow, type LiveState } from './live.ts';
import { environmentHref, GIT_REPOSITORIES_HREF } from './route.ts';
import { Conditions } from './sections.tsx';
import type { GitRepositoryAccess, GitRepositoryView, Row } from './types.ts';
import { Age, ErrorBox, Link, Status, SuspendToggle, useNow } from './ui.tsx';
import { useAct } from './use-act.ts';

const NO_ACCESS: GitRepositoryAccess = { get: true, patch: false };

export function GitRepositoryPage(props: { namespace: string; name: string }) {
  const { namespace, name } = props;
  const [view, setView] = useState<GitRepositoryView>();
  const [gone, setGone] = useState(false);
  const [access, setAccess] = useState<GitRepositoryAccess>(NO_ACCESS);
  const [live, setLive] = useState<LiveState>('connecting');
  const act = useAct();
  useNow();
  // The time of this render: a change from the stream may be newer than the last tick.
  const now = Date.now();

  useEffect(() => {
    document.title = `${namespace}/${name} · GitRepository · Keelson`;
    get<GitRepositoryAccess>(repoPath(namespace, name, 'access'))
      .then(setAccess)
      .catch((err: unknown) => act.setError(`Cannot tell what you may do: ${errorText(err)}`));
    return follow({
      url: repoPath(namespace, name, 'stream'),
      events: {
        gitRepository: (data) => {
          setView(data as GitRepositoryView);
          setGone(false);
        },
        delete: () => setGone(true),
      },
      onState: setLive,
      onLoggedOut: sessionLost,
    });
  }, [namespace, name]);

  const loaded = view !== undefined;
  useEffect(() => {
    if (loaded && (document.activeElement === document.body || !document.activeElement))
      document.querySelector<HTMLElement>('main h1')?.focus();
  }, [loaded]);

  const crumbs = (
    <p class="crumbs">
      <Link href={GIT_REPOSITORIES_HREF}>GitRepositories</Link> / {namespace}
    </p>
  );
  if (!view) {
    return (
      <main id="main">
        {crumbs}
        <h1 tabIndex={-1}>{name}</h1>
        <p class="loading">{live === 'reconnecting' ? 'Cannot load it; trying again…' : 'Loading…'}</p>
      </main>
    );
  }
  const { row, gitRepository } = view;
  const status = gitRepository.status;
  return (
    <main id="main">
      {crumbs}
      <div class="page-head">
        <h1 tabIndex={-1}>{name}</h1>
        <span class={`live live-${live}`} aria-live="polite">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </div>
      {gone ? <ErrorBox error="This GitRepository was deleted." /> : null}
      <dl class="summary">
        <div>
          <dt>State</dt>
          <dd>
            <Status value={repositoryState(row)} />
          </dd>
        </div>
        <div>
          <dt>Fetched revision</dt>
          <dd>
            <code title={row.revision}>{shortRevision(row.revision) || '—'}</code>
            {row.fetchedAt ? (
              <div class="sub">
                fetched <Age at={row.fetchedAt} now={now} />
              </div>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>URL</dt>
          <dd class="url">{row.url}</dd>
        </div>
        <div>
          <dt>Ref</dt>
          <dd>{row.ref}</dd>
        </div>
        <div>
          <dt>Interval</dt>
          <dd>{row.interval}</dd>
        </div>
        {gitRepository.spec.secretRef ? (
          <div>
            <dt>Credentials</dt>
            <dd>Secret {gitRepository.spec.secretRef.name}</dd>
          </div>
        ) : null}
        <div>
          <dt>Last refresh handled</dt>
          <dd>{status?.lastHandledRefreshAt ? <Age at={status.lastHandledRefreshAt} now={now} /> : '—'}</dd>
        </div>
      </dl>
      {row.fetchFailed ? <p class="error-inline">The last fetch failed: {row.fetchFailed}</p> : null}
      {access.patch ? (
        <div class="toolbar">
          <button
            type="button"
            class="primary"
            disabled={act.busy}
            onClick={() => act.run('Refresh', repoPath(namespace, name, 'refresh'), 'Refresh requested.')}
          >
            Refresh
          </button>
          <SuspendToggle
            act={act}
            suspended={row.suspend}
            path={(verb) => repoPath(namespace, name, verb)}
            stops="nothing is fetched"
          />
        </div>
      ) : null}
      {act.notice ? (
        <p class="notice" role="status">
          {act.notice}
        </p>
      ) : null}
      <ErrorBox error={act.error} onDismiss={() => act.setError(undefined)} />

      <section aria-labelledby="h-conditions">
        <h2 id="h-conditions">Conditions</h2>
        <Conditions conditions={status?.conditions ?? []} now={now} />
      </section>
      <section aria-labelledby="h-environments">
        <h2 id="h-environments">Environments using it</h2>
        <UsedBy environments={view.environments} />
      </section>
    </main>
  );
}

function UsedBy(props: { environments: readonly Row[] | undefined }) {
  if (!props.environments) return <p class="help">You may not list the Environments of this namespace.</p>;
  if (props.environments.length === 0) return <p class="empty">No Environment uses it.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Sync</th>
            <th scope="col">Health</th>
            <th scope="col">Revision</th>
          </tr>
        </thead>
        <tbody>
          {props.environments.map((e) => (
            <tr key={e.name}>
              <th scope="row">
                <Link href={environmentHref(e.namespace, e.name)}>{e.name}</Link>
              </th>
              <td>
                <Status value={e.sync} />
              </td>
              <td>
                <Status value={e.health} />
              </td>
              <td>
                <code title={e.revision}>{shortRevision(e.revision) || '—'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
