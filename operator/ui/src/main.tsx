// The Keelson web UI: the session decides between the login form and the pages; the path
// under /ui/ decides the page (deep links work on reload: the server answers index.html).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, errorText, logout, whenUnauthorized } from './api.ts';
import { EnvironmentPage } from './environment.tsx';
import { GitRepositories } from './git-repositories.tsx';
import { GitRepositoryPage } from './git-repository.tsx';
import { Login } from './login.tsx';
import { onNavigate } from './nav.ts';
import { Overview } from './overview.tsx';
import { GIT_REPOSITORIES_HREF, parseRoute, type Route } from './route.ts';
import type { Session } from './types.ts';
import { ErrorBox, Link } from './ui.tsx';
import './styles.css';

const currentRoute = () => parseRoute(location.pathname, location.search);

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const [route, setRoute] = useState<Route>(currentRoute);
  const first = useRef(true);

  useEffect(() => {
    whenUnauthorized(() => {
      setSession(null);
      setNotice('Your session ended. Sign in again.');
    });
    currentSession()
      .then((s) => setSession(s ?? null))
      .catch((err: unknown) => {
        setError(errorText(err));
        setSession(null);
      });
    return onNavigate(() => setRoute(currentRoute()));
  }, []);

  useEffect(() => {
    // After navigating, focus the new page's heading so a screen reader announces it.
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route, session]);

  if (session === undefined) return <p class="loading">Loading…</p>;

  const signOut = async () => {
    try {
      await logout();
    } catch (err) {
      setError(errorText(err));
    }
    setSession(null);
    setNotice('You are signed out.');
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/ui/" class="brand">
          Keelson
        </Link>
        {session ? (
          <nav class="main-nav" aria-label="Main">
            <Link href="/ui/" current={route.page === 'overview' || route.page === 'environment'}>
              Environments
            </Link>
            <Link
              href={GIT_REPOSITORIES_HREF}
              current={route.page === 'gitrepositories' || route.page === 'gitrepository'}
            >
              GitRepositories
            </Link>
          </nav>
        ) : null}
        {session ? (
          <div class="who">
            <span class="user" title={session.groups.join(', ')}>
              {session.user}
            </span>
            <button type="button" onClick={signOut}>
              Log out
            </button>
          </div>
        ) : null}
      </header>
      <ErrorBox error={error} onDismiss={() => setError(undefined)} />
      {!session ? (
        <Login
          {...(notice ? { notice } : {})}
          onLogin={(s) => {
            setNotice(undefined);
            setSession(s);
          }}
        />
      ) : route.page === 'overview' ? (
        <Overview filters={route.filters} />
      ) : route.page === 'environment' ? (
        <EnvironmentPage key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />
      ) : route.page === 'gitrepositories' ? (
        <GitRepositories />
      ) : route.page === 'gitrepository' ? (
        <GitRepositoryPage key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />
      ) : (
        <main id="main">
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <Link href="/ui/">Back to the overview</Link>
          </p>
        </main>
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
