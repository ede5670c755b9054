// The login form: a bearer token the operator checks (TokenReview) and keeps server-side;
// the page never stores it. With single sign-on configured, "Log in with SSO" too: a plain
// link to /ui/auth/sso (the operator runs the OIDC flow and sets the session cookie); a failed
// sign-on comes back as /ui/?sso_error=<code>, told here and taken off the address.
import { useEffect, useState } from 'preact/hooks';
import { errorText, get, login } from './api.ts';
import type { Session } from './types.ts';
import { ErrorBox } from './ui.tsx';

/** Why single sign-on failed, by the operator's code (sso.ts' SSO_ERRORS). */
const SSO_ERRORS: Readonly<Record<string, string>> = {
  denied: 'Single sign-on was cancelled or refused by the identity provider.',
  state:
    'Single sign-on failed: the answer did not match a sign-in started in this browser, or came too late. Try again.',
  provider: 'Single sign-on failed: the identity provider could not be reached or answered with an error. Try again.',
  nonce: 'Single sign-on failed: the identity provider answered for another sign-in. Try again.',
  rejected:
    "Single sign-on failed: the cluster refused the identity provider's token (its API server's --oidc-* flags).",
  cluster: 'Single sign-on failed: the cluster could not check the sign-in. Try again shortly.',
};

function ssoErrorOf(search: string): string | undefined {
  const code = new URLSearchParams(search).get('sso_error');
  if (code === null) return undefined;
  return SSO_ERRORS[code] ?? 'Single sign-on failed.';
}

export function Login(props: { onLogin: (session: Session) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(() => ssoErrorOf(location.search));
  const [sso, setSso] = useState(false);
  useEffect(() => {
    if (new URLSearchParams(location.search).has('sso_error')) history.replaceState(null, '', location.pathname);
    get<{ sso?: boolean }>('/ui/api/login-options').then(
      (options) => setSso(options.sso === true),
      () => setSso(false),
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await login(token.trim());
      setToken('');
      props.onLogin(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1 tabIndex={-1}>Sign in to Keelson</h1>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      {sso ? (
        <div class="card sso-card">
          <a class="sso" href="/ui/auth/sso">
            Log in with SSO
          </a>
          <p class="help">With your organisation's identity provider, the one your cluster trusts.</p>
        </div>
      ) : null}
      <form onSubmit={submit} class="card">
        <label for="token">Kubernetes bearer token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
          required
        />
        <div id="token-help" class="help">
          <p>
            Keelson uses your Kubernetes access: what you may see and do is what RBAC allows the token. Get a
            ServiceAccount token with
          </p>
          <pre>
            <code>kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</code>
          </pre>
          <p>
            or paste an OIDC ID token your API server accepts. The token stays on the operator, not in this browser.
          </p>
        </div>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
