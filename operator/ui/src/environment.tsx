// One Environment: its state, followed live through its stream (how a sync is watched), and
// the actions the caller's RBAC allows (SYNC, rollback, suspend/resume, refresh, resource actions).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, envPath, errorText, get, repoPath, request, sessionLost } from './api.ts';
import { RollbackDialog, SyncDialog } from './dialogs.tsx';
import { DiffView } from './diff-view.tsx';
import { policyOf, shortRevision } from './format.ts';
import { follow, type LiveState } from './live.ts';
import { OperationView } from './operation-view.tsx';
import { Conditions, Events, History, Resources } from './sections.tsx';
import type { Access, Environment, HistoryEntry, KubeEvent, OwnedTree, ResourceStatus } from './types.ts';
import { ResourceActionDialog } from './resource-actions.tsx';
import type { ActionName } from '../../src/core/actions/catalog.ts';
import { gitRepositoryHref } from './route.ts';
import { ErrorBox, Link, Status, SuspendToggle, useNow } from './ui.tsx';
import { useAct } from './use-act.ts';

const NO_ACCESS: Access = { get: true, sync: false, rollback: false, patch: false, action: false };
const EVENTS_DEBOUNCE_MS = 2000;

type DiffState = { text: string } | { error: string } | undefined;

export function EnvironmentPage(props: { namespace: string; name: string }) {
  const { namespace, name } = props;
  const [env, setEnv] = useState<Environment>();
  const [loadError, setLoadError] = useState<string>();
  const [access, setAccess] = useState<Access>(NO_ACCESS);
  const [events, setEvents] = useState<readonly KubeEvent[]>();
  const [eventsError, setEventsError] = useState<string>();
  const [owned, setOwned] = useState<OwnedTree>();
  const [diff, setDiff] = useState<DiffState>();
  const [live, setLive] = useState<LiveState>('connecting');
  const [dialog, setDialog] = useState<
    | { kind: 'sync' }
    | { kind: 'rollback'; entry: HistoryEntry }
    | { kind: 'action'; resource: ResourceStatus; action: ActionName }
  >();
  const act = useAct();
  const now = useNow();
  const detailsTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  // Events and what the objects own change with the Environment: both are read again after it changes.
  const loadDetails = () => {
    get<OwnedTree>(envPath(namespace, name, 'tree'))
      .then(setOwned)
      .catch(() => setOwned(undefined));
    return get<{ items: KubeEvent[] }>(envPath(namespace, name, 'events'))
      .then((r) => {
        setEvents(r.items);
        setEventsError(undefined);
      })
      .catch((err: unknown) => setEventsError(errorText(err)));
  };

  useEffect(() => {
    document.title = `${namespace}/${name} · Keelson`;
    get<Environment>(envPath(namespace, name))
      .then(setEnv)
      .catch((err: unknown) => setLoadError(errorText(err)));
    get<Access>(envPath(namespace, name, 'access'))
      .then(setAccess)
      .catch((err: unknown) => act.setError(`Cannot tell what you may do: ${errorText(err)}`));
    void loadDetails();
    const close = follow({
      url: envPath(namespace, name, 'stream'),
      events: {
        environment: (data) => {
          setEnv(data as Environment);
          setLoadError(undefined);
          clearTimeout(detailsTimer.current);
          detailsTimer.current = setTimeout(loadDetails, EVENTS_DEBOUNCE_MS);
        },
      },
      onState: setLive,
      onLoggedOut: sessionLost,
    });
    return () => {
      close();
      clearTimeout(detailsTimer.current);
    };
  }, [namespace, name]);

  const loaded = env !== undefined;
  useEffect(() => {
    // The heading appears only now: give it the focus navigation left on the body.
    if (loaded && (document.activeElement === document.body || !document.activeElement))
      document.querySelector<HTMLElement>('main h1')?.focus();
  }, [loaded]);

  const status = env?.status;
  const outOfSync = status?.sync?.status === 'OutOfSync';
  const diffKey = `${status?.sync?.status}|${status?.sync?.revision}|${status?.operation?.id}|${status?.operation?.phase}`;
  useEffect(() => {
    if (!outOfSync) {
      setDiff(undefined);
      return;
    }
    request<string>('GET', envPath(namespace, name, 'diff'), { text: true })
      .then((text) => setDiff({ text }))
      .catch((err: unknown) =>
        setDiff({
          error:
            err instanceof ApiError && (err.status === 404 || err.status === 503)
              ? 'No comparison yet; the diff appears after the next reconcile.'
              : errorText(err),
        }),
      );
  }, [diffKey]);

  if (loadError && !env) {
    return (
      <main id="main">
        <p class="crumbs">
          <Link href="/ui/">Environments</Link> /
        </p>
        <h1 tabIndex={-1}>
          {namespace}/{name}
        </h1>
        <ErrorBox error={loadError} />
      </main>
    );
  }
  if (!env) return <p class="loading">Loading…</p>;

  const policy = policyOf(env);
  const stopped = policy === 'suspended' || policy === 'paused';
  const repo = env.spec.sourceRef?.name;
  const finished = (what: string) => {
    setDialog(undefined);
    act.setNotice(what);
  };

  return (
    <main id="main">
      <p class="crumbs">
        <Link href="/ui/">Environments</Link> / {namespace}
      </p>
      <div class="page-head">
        <h1 tabIndex={-1}>{name}</h1>
        <span class={`live live-${live}`} aria-live="polite">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </div>
      <dl class="summary">
        <div>
          <dt>Sync</dt>
          <dd>
            <Status value={status?.sync?.status} />
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <Status value={status?.health?.status} />
            {status?.health?.message ? <div class="sub">{status.health.message}</div> : null}
          </dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd>
            <Status value={policy} />
          </dd>
        </div>
        <div>
          <dt>Revision</dt>
          <dd>
            <code title={status?.sync?.revision}>{shortRevision(status?.sync?.revision) || '—'}</code>
          </dd>
        </div>
        {repo ? (
          <div>
            <dt>Repository</dt>
            <dd>
              <Link href={gitRepositoryHref(namespace, repo)}>{repo}</Link>
              {env.spec.path ? ` · ${env.spec.path}` : ''}
            </dd>
          </div>
        ) : null}
      </dl>
      <div class="toolbar">
        {access.sync ? (
          <button type="button" class="primary" onClick={() => setDialog({ kind: 'sync' })}>
            SYNC
          </button>
        ) : null}
        {access.patch ? (
          <SuspendToggle
            act={act}
            suspended={stopped}
            path={(verb) => envPath(namespace, name, verb)}
            stops="nothing is applied"
          />
        ) : null}
        {access.patch && repo ? (
          <button
            type="button"
            disabled={act.busy}
            onClick={() =>
              act.run('Refresh', repoPath(namespace, repo, 'refresh'), `Refresh of GitRepository ${repo} requested.`)
            }
          >
            Refresh repository
          </button>
        ) : null}
      </div>
      {act.notice ? (
        <p class="notice" role="status">
          {act.notice}
        </p>
      ) : null}
      <ErrorBox error={act.error} onDismiss={() => act.setError(undefined)} />

      <section aria-labelledby="h-operation">
        <h2 id="h-operation">Operation</h2>
        <OperationView operation={status?.operation} now={now} namespace={namespace} name={name} />
      </section>
      {outOfSync ? (
        <section aria-labelledby="h-diff">
          <h2 id="h-diff">Diff</h2>
          {!diff ? (
            <p class="loading">Loading the diff…</p>
          ) : 'error' in diff ? (
            <p class="help">{diff.error}</p>
          ) : (
            <DiffView text={diff.text} idPrefix="page" />
          )}
        </section>
      ) : null}
      <section aria-labelledby="h-conditions">
        <h2 id="h-conditions">Conditions</h2>
        <Conditions conditions={status?.conditions ?? []} now={now} />
      </section>
      <section aria-labelledby="h-resources">
        <h2 id="h-resources">Resources</h2>
        <Resources
          resources={status?.resources ?? []}
          owned={owned}
          onAction={access.action ? (resource, action) => setDialog({ kind: 'action', resource, action }) : undefined}
        />
      </section>
      <section aria-labelledby="h-events">
        <h2 id="h-events">Recent events</h2>
        <Events events={events} {...(eventsError ? { error: eventsError } : {})} now={now} />
      </section>
      <section aria-labelledby="h-history">
        <h2 id="h-history">History</h2>
        {access.rollback ? <p class="help">A rollback pauses automated sync until you resume it.</p> : null}
        <History
          history={status?.history ?? []}
          now={now}
          canRollback={access.rollback}
          onRollback={(entry) => setDialog({ kind: 'rollback', entry })}
        />
      </section>

      {dialog?.kind === 'sync' ? (
        <SyncDialog namespace={namespace} name={name} onClose={() => setDialog(undefined)} onDone={finished} />
      ) : dialog?.kind === 'action' ? (
        <ResourceActionDialog
          namespace={namespace}
          name={name}
          resource={dialog.resource}
          action={dialog.action}
          onClose={() => setDialog(undefined)}
          onDone={finished}
        />
      ) : dialog?.kind === 'rollback' ? (
        <RollbackDialog
          namespace={namespace}
          name={name}
          entry={dialog.entry}
          onClose={() => setDialog(undefined)}
          onDone={finished}
        />
      ) : null}
    </main>
  );
}
